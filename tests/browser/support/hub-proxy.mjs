// A reverse proxy in front of a hub that can break the paths a real one breaks: refuse WebSocket
// upgrades, refuse a path prefix, cut every open connection, or refuse all connections for a while.
import http from 'node:http';
import net from 'node:net';

export class HubProxy {
  #target;
  #server;
  #sockets = new Set();
  #blockedPrefixes = [];
  #refuseUpgrades = false;
  #refuseConnections = false;

  constructor(targetUrl) {
    this.#target = new URL(targetUrl);
  }

  async start() {
    this.#server = http.createServer((request, response) => this.#forward(request, response));
    this.#server.on('upgrade', (request, socket, head) => this.#tunnel(request, socket, head));
    this.#server.on('connection', (socket) => {
      if (this.#refuseConnections) {
        socket.destroy();
        return;
      }
      this.#track(socket);
    });
    await new Promise((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url() {
    return `http://127.0.0.1:${this.#server.address().port}`;
  }

  /** Upgrades answered 502, as by a proxy that does not speak WebSocket. */
  refuseUpgrades(refuse = true) {
    this.#refuseUpgrades = refuse;
  }

  /** Requests under these path prefixes answered 502. */
  blockPaths(...prefixes) {
    this.#blockedPrefixes = prefixes;
  }

  /** New TCP connections reset at once, as while a replica or a network path is down. */
  refuseConnections(refuse = true) {
    this.#refuseConnections = refuse;
  }

  /** Drops every open connection mid-stream (the browser sees an abnormal close, 1006). */
  cutAll() {
    for (const socket of this.#sockets) {
      socket.destroy();
    }
  }

  async stop() {
    this.cutAll();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #blocked(url) {
    return this.#blockedPrefixes.some((prefix) => url.startsWith(prefix));
  }

  #track(socket) {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
  }

  #forward(request, response) {
    if (this.#blocked(request.url)) {
      response.writeHead(502, { 'Content-Type': 'text/plain' }).end('blocked by the test proxy');
      return;
    }
    const upstream = http.request({
      host: this.#target.hostname, port: this.#target.port, method: request.method, path: request.url,
      headers: request.headers,
    }, (answer) => {
      response.writeHead(answer.statusCode, answer.headers);
      answer.pipe(response);
    });
    upstream.on('socket', (socket) => this.#track(socket));
    upstream.on('error', () => response.destroy());
    response.on('close', () => upstream.destroy());
    request.pipe(upstream);
  }

  #tunnel(request, socket, head) {
    if (this.#refuseUpgrades || this.#blocked(request.url)) {
      socket.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    const upstream = net.connect(Number(this.#target.port), this.#target.hostname, () => {
      const lines = [`${request.method} ${request.url} HTTP/1.1`];
      for (let i = 0; i < request.rawHeaders.length; i += 2) {
        lines.push(`${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}`);
      }
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) {
        upstream.write(head);
      }
      socket.pipe(upstream);
      upstream.pipe(socket);
    });
    this.#track(upstream);
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
    upstream.on('close', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
  }
}
