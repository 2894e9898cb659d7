// The Python workers of workers/python as real processes, on the interpreter scripts/test-browser
// made sure has Debian's python3-redis.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stack } from './stack.mjs';
import { waitFor } from './wait.mjs';

export const WORKERS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../workers/python');
const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';

/** A running worker: its log lines as they come, and its exit code once it ends. */
export class PythonProcess {
  constructor(script, args, { input, redisUrl = stack.redisUrl } = {}) {
    this.lines = [];
    this.child = spawn(PYTHON, [path.join(WORKERS, script), ...args], {
      env: { ...process.env, REDIS_URL: redisUrl },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    for (const output of [this.child.stdout, this.child.stderr]) {
      let rest = '';
      output.setEncoding('utf8').on('data', (text) => {
        const parts = (rest + text).split('\n');
        rest = parts.pop();
        this.lines.push(...parts);
      });
    }
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve(code ?? signal)));
    this.child.stdin.end(input ?? '');
  }

  /** Waits until `count` log lines match `pattern`; returns them. */
  async waitForLines(pattern, count = 1, timeoutMs = 30000) {
    return waitFor(`${count} worker log lines matching ${pattern}`, () => {
      const matching = this.lines.filter((line) => pattern.test(line));
      return matching.length >= count ? matching : null;
    }, { timeoutMs });
  }

  log() {
    return this.lines.join('\n');
  }

  kill() {
    if (this.child.exitCode === null) {
      this.child.kill('SIGKILL');
    }
  }
}

/** `workers/python/rag_index.py` for one job; `options` become `--<name> <value>` flags. */
export function ragIndexWorker(options, { redisUrl } = {}) {
  const args = Object.entries(options).flatMap(([name, value]) => [`--${name}`, String(value)]);
  return new PythonProcess('rag_index.py', args, { redisUrl });
}
