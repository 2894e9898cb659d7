// A TCP proxy in front of a server (the tests' Redis) that can break the link the way a network does:
// cut every open connection, or refuse new ones for a while.
import net from 'node:net';

export class TcpProxy {
  #target;
  #server;
  #sockets = new Set();
  #refuse = false;

  /** `target` is a URL whose host and port the proxy forwards to (e.g. redis://127.0.0.1:6379). */
  constructor(target) {
    this.#target = new URL(target);
  }

  async start() {
    this.#server = net.createServer((client) => {
      if (this.#refuse) {
        client.destroy();
        return;
      }
      const upstream = net.connect(Number(this.#target.port), this.#target.hostname);
      for (const [one, other] of [[client, upstream], [upstream, client]]) {
        this.#sockets.add(one);
        one.on('close', () => {
          this.#sockets.delete(one);
          other.destroy();
        });
        one.on('error', () => other.destroy());
        one.pipe(other);
      }
    });
    await new Promise((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  /** The target URL (credentials and path kept) with the proxy's address instead of the target's. */
  get url() {
    const url = new URL(this.#target);
    url.hostname = '127.0.0.1';
    url.port = String(this.#server.address().port);
    return url.href;
  }

  /** New connections closed at once, as while the server or the path to it is down. */
  refuseConnections(refuse = true) {
    this.#refuse = refuse;
  }

  /** Drops every open connection mid-stream. */
  cutAll() {
    for (const socket of this.#sockets) {
      socket.destroy();
    }
  }

  async stop() {
    this.cutAll();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}
