// A lab of network namespaces for tests on real binaries: hosts on one bridged /24 (the bridge
// lives in a hub namespace of its own, so the machine's own namespace carries nothing), processes
// run inside them, nftables rules on their input, and /etc files (`ip netns exec` bind-mounts
// /etc/netns/<ns>/<file> over /etc/<file>). close() removes everything; a lab left by a killed
// test process is swept by the next createLab.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Every namespace of a lab is named cnx-<pid>-<host>, so a dead pid marks a stale lab. */
const PREFIX = 'cnx';
const SUBNET = '192.0.2'; // TEST-NET-1: never routed anywhere
const SUBNET6 = '2001:db8:'; // IPv6's documentation prefix, likewise
const ETC_NETNS = '/etc/netns';

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

async function ip(...args: string[]): Promise<void> {
  await execFileAsync('ip', args);
}

/** A process started in a lab host; its output is collected until it exits. */
export class LabProcess {
  #output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #child: ChildProcess;

  constructor(child: ChildProcess) {
    this.#child = child;
    child.stdout?.on('data', (chunk: Buffer) => (this.#output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.#output += chunk.toString()));
    this.exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  }

  /** stdout and stderr so far, interleaved. */
  get output(): string {
    return this.#output;
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  async stop(): Promise<void> {
    if (this.running) this.#child.kill('SIGKILL');
    await this.exited;
  }
}

export class LabHost {
  readonly processes: LabProcess[] = [];
  readonly name: string;
  readonly netns: string;
  /** The host's IPv4 address on the lab's bridge. */
  readonly address: string;
  /** Its IPv6 address there: the lab is dual-stack, like a dual-stack pod network. */
  readonly address6: string;

  constructor(name: string, netns: string, address: string, address6: string) {
    this.name = name;
    this.netns = netns;
    this.address = address;
    this.address6 = address6;
  }

  #argv(argv: string[]): string[] {
    return ['netns', 'exec', this.netns, ...argv];
  }

  /** Runs argv to completion inside the host; never rejects for a non-zero exit. */
  run(argv: string[], opts: { timeoutMs?: number } = {}): Promise<RunResult> {
    return new Promise((resolve) => {
      execFile('ip', this.#argv(argv), { timeout: opts.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
        const code = error && typeof error.code === 'number' ? error.code : error ? 1 : 0;
        resolve({ stdout, stderr, exitCode: code });
      });
    });
  }

  /** Starts a long-running process in the host; close() of the lab stops it. */
  spawn(argv: string[]): LabProcess {
    const process = new LabProcess(spawn('ip', this.#argv(argv), { stdio: ['ignore', 'pipe', 'pipe'] }));
    this.processes.push(process);
    return process;
  }

  /** Loads an nftables ruleset (nft -f syntax) into the host's own nftables. */
  async nft(ruleset: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const child = execFile('ip', this.#argv(['nft', '-f', '-']), (error, _stdout, stderr) =>
        error ? reject(new Error(`nft -f in ${this.name} failed: ${stderr || error.message}\n${ruleset}`)) : resolve(),
      );
      child.stdin?.end(ruleset);
    });
  }

  /** Files seen as /etc/<name> by processes of this host (e.g. resolv.conf, hosts). */
  async etc(files: Record<string, string>): Promise<void> {
    const dir = join(ETC_NETNS, this.netns);
    await mkdir(dir, { recursive: true });
    for (const [name, contents] of Object.entries(files)) await writeFile(join(dir, name), contents);
  }
}

export class Lab {
  readonly #hub: string;
  readonly #hosts: Map<string, LabHost>;

  constructor(hub: string, hosts: LabHost[]) {
    this.#hub = hub;
    this.#hosts = new Map(hosts.map((h) => [h.name, h]));
  }

  host(name: string): LabHost {
    const host = this.#hosts.get(name);
    if (!host) throw new Error(`the lab has no host ${name} (it has ${[...this.#hosts.keys()].join(', ')})`);
    return host;
  }

  async close(): Promise<void> {
    const hosts = [...this.#hosts.values()];
    await Promise.all(hosts.flatMap((h) => h.processes.map((p) => p.stop())));
    await removeNamespaces([this.#hub, ...hosts.map((h) => h.netns)]);
  }
}

/** Kills what still runs in the namespaces (a process outlives `ip netns del`), then removes them. */
async function removeNamespaces(names: string[]): Promise<void> {
  for (const name of names) {
    const pids = await execFileAsync('ip', ['netns', 'pids', name]).then((r) => r.stdout.split('\n').filter(Boolean), () => []);
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await ip('netns', 'del', name).catch(() => undefined);
    await rm(join(ETC_NETNS, name), { recursive: true, force: true });
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the namespaces of labs whose test process is gone (killed before its close()). */
async function sweepStaleLabs(): Promise<void> {
  const { stdout } = await execFileAsync('ip', ['netns', 'list']);
  const stale = stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => {
      const pid = new RegExp(`^${PREFIX}-(\\d+)-`).exec(name)?.[1];
      return pid !== undefined && Number(pid) !== process.pid && !pidAlive(Number(pid));
    });
  await removeNamespaces(stale);
}

/**
 * Creates one namespace per host, each with eth0 at 192.0.2.<octet>/24 and 2001:db8::<octet>/64
 * and loopback up, all on one bridge. Needs root. On any failure what was created is removed
 * before the error is thrown.
 */
export async function createLab(hosts: Record<string, number>): Promise<Lab> {
  await sweepStaleLabs();
  const base = `${PREFIX}-${process.pid}`;
  const hub = `${base}-hub`;
  const created = Object.entries(hosts).map(([name, octet]) => new LabHost(name, `${base}-${name}`, `${SUBNET}.${octet}`, `${SUBNET6}:${octet}`));
  const lab = new Lab(hub, created);
  try {
    await ip('netns', 'add', hub);
    await ip('-n', hub, 'link', 'add', 'br0', 'type', 'bridge');
    await ip('-n', hub, 'link', 'set', 'br0', 'up');
    for (const [index, host] of created.entries()) {
      const port = `p${index}`;
      await ip('netns', 'add', host.netns);
      await ip('link', 'add', 'eth0', 'netns', host.netns, 'type', 'veth', 'peer', 'name', port, 'netns', hub);
      await ip('-n', hub, 'link', 'set', port, 'master', 'br0', 'up');
      await ip('-n', host.netns, 'addr', 'add', `${host.address}/24`, 'dev', 'eth0');
      // nodad: usable at once, without the second of duplicate address detection.
      await ip('-n', host.netns, 'addr', 'add', `${host.address6}/64`, 'dev', 'eth0', 'nodad');
      await ip('-n', host.netns, 'link', 'set', 'eth0', 'up');
      await ip('-n', host.netns, 'link', 'set', 'lo', 'up');
    }
  } catch (error) {
    await lab.close();
    throw error;
  }
  return lab;
}

/** Polls until `ready` holds (or throws with `what` after timeoutMs). */
export async function waitUntil(what: string, ready: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
