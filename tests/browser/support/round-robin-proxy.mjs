// An HTTP proxy that sends each request to the next of its targets, with no affinity at all: what a
// round-robin load balancer without sticky sessions does to Socket.IO long-polling.
import http from 'node:http';

export class RoundRobinProxy {
  #targets;
  #next = 0;
  #server;
  hits = [];

  constructor(targetUrls) {
    this.#targets = targetUrls.map((url) => new URL(url));
  }

  async start() {
    this.#server = http.createServer((request, response) => {
      const target = this.#targets[this.#next++ % this.#targets.length];
      this.hits.push(target.port);
      const upstream = http.request({
        host: target.hostname, port: target.port, method: request.method, path: request.url, headers: request.headers,
      }, (answer) => {
        response.writeHead(answer.statusCode, answer.headers);
        answer.pipe(response);
      });
      upstream.on('error', () => response.destroy());
      request.pipe(upstream);
    });
    await new Promise((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url() {
    return `http://127.0.0.1:${this.#server.address().port}`;
  }

  async stop() {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}
