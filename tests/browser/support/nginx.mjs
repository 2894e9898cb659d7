// A real nginx (the Debian package scripts/test-browser installs) in front of hub replicas, round-robin
// with no affinity (nginx's default balancing; the shipped template adds a client-address hash that
// Socket.IO does not need), with the Socket.IO location of deploy/proxy/nginx/studio.conf.template.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './hub-process.mjs';
import { waitFor } from './wait.mjs';

export class Nginx {
  #child = null;
  #exited = null;
  #directory = null;

  constructor(upstreams) {
    this.upstreams = upstreams.map((url) => new URL(url).host);
  }

  async start() {
    this.port = await freePort();
    this.#directory = await mkdtemp(path.join(os.tmpdir(), 'studio-nginx-'));
    const dir = this.#directory;
    await writeFile(path.join(dir, 'nginx.conf'), `
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
worker_processes 1;
events { worker_connections 256; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  map $http_upgrade $studio_connection { default upgrade; '' ''; }
  # Round-robin, nginx's default: no ip_hash, no hash, no sticky cookie.
  upstream studio-hub-socketio {
${this.upstreams.map((host) => `    server ${host};`).join('\n')}
    keepalive 8;
  }
  log_format upstream '$request_uri $upstream_addr';
  server {
    listen 127.0.0.1:${this.port};
    access_log ${dir}/upstream.log upstream;
    proxy_set_header Host $host;
    proxy_set_header Upgrade $http_upgrade;
    proxy_set_header Connection $studio_connection;
    proxy_http_version 1.1;
    location /socket.io/ {
      proxy_pass http://studio-hub-socketio/socket.io/;
      proxy_read_timeout 3600s;
      proxy_send_timeout 3600s;
      proxy_buffering off;
    }
  }
}
`);
    this.#child = spawn('/usr/sbin/nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'],
      { stdio: ['ignore', 'inherit', 'inherit'] });
    this.#exited = new Promise((resolve) => this.#child.once('exit', resolve));
    await waitFor(`nginx on ${this.port}`, async () => {
      if (this.#child.exitCode !== null) {
        throw new Error(`nginx exited with ${this.#child.exitCode}; see ${dir}/error.log`);
      }
      return (await fetch(`${this.url}/socket.io/socket.io.min.js`).catch(() => null))?.status === 200;
    }, { timeoutMs: 15000 });
    return this;
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The upstream (host:port) nginx sent each request to, in order, from its access log. */
  async upstreamHits() {
    const { readFile } = await import('node:fs/promises');
    const lines = (await readFile(path.join(this.#directory, 'upstream.log'), 'utf8')).trim().split('\n');
    return lines.filter((line) => line.includes('transport=polling')).map((line) => line.split(' ')[1]);
  }

  async stop() {
    if (this.#child && this.#child.exitCode === null) {
      this.#child.kill('SIGQUIT');
      await this.#exited;
    }
    await rm(this.#directory, { recursive: true, force: true });
  }
}
