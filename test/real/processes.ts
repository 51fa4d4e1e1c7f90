// Child processes of a test that cannot outlive it: each runs under `setpriv --pdeathsig KILL`, so
// the kernel kills it even when the jest worker itself dies; stop() kills it when the test ends.
// SIGKILL at once: a test's control plane keeps no state worth a graceful shutdown.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface Component {
  readonly name: string;
  readonly logFile: string;
  /** The exit code or signal once the process is gone, undefined while it runs. */
  exited(): string | undefined;
  /** The last lines it logged, for error messages. */
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

export function startComponent(name: string, binary: string, args: string[], logFile: string): Component {
  const log = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', binary, ...args], { stdio: ['ignore', log, log] });
  } finally {
    closeSync(log);
  }
  let exit: string | undefined;
  const gone = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = signal ? `killed by ${signal}` : `exit code ${code}`;
      resolve();
    });
    child.once('error', (err) => {
      exit = `could not start: ${err.message}`;
      resolve();
    });
  });
  return {
    name,
    logFile,
    exited: () => exit,
    logTail(lines = 15) {
      try {
        return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '(no log)';
      }
    },
    async stop() {
      if (exit !== undefined) return;
      child.kill('SIGKILL');
      await gone;
    },
  };
}

/** A port free on 127.0.0.1 right now (the kernel picks it; the caller binds it soon after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Polls `ready` every 100 ms; fails early when the component, or one it needs, exits, naming its
 * last log lines.
 */
export async function waitUntil(component: Component, what: string, ready: () => Promise<boolean>, timeoutMs: number, needs: Component[] = []): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const c of [component, ...needs]) {
      const exit = c.exited();
      if (exit !== undefined) throw new Error(`${c.name} stopped (${exit}) before ${component.name}: ${what}; its log ends:\n${c.logTail()}`);
    }
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${component.name}: ${what} not reached within ${timeoutMs / 1000}s; its log ends:\n${component.logTail()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
