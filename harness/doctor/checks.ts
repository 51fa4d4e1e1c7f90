// The doctor's checks, each small and named: Docker, kind, the host prerequisites of the planned
// cells (kernel modules, kernel version, sysctls) and memory.

import type { HostPrereq } from '../../clusters/host-prereq.ts';
import { MEMORY_PER_NODE_BYTES } from '../config/index.ts';
import { KindError } from '../kind/index.ts';
import { configuredModule } from './kernel-config.ts';
import type { DoctorProbes } from './probes.ts';
import type { CheckResult } from './types.ts';
import { counted } from '../model/count.ts';

const GIB = 1024 ** 3;
const gib = (bytes: number): string => `${(bytes / GIB).toFixed(1)} GiB`;

export async function checkDocker(probes: DoctorProbes): Promise<CheckResult> {
  const name = 'docker';
  const result = await probes.docker(['info', '--format', '{{.ServerVersion}}']);
  if (!result.found) {
    return {
      name,
      status: 'missing',
      detail: 'the docker CLI is not on PATH',
      fix: 'install Docker Engine (Debian/Ubuntu: `sudo apt-get install docker.io`; elsewhere https://docs.docker.com/engine/install/)',
    };
  }
  if (result.exitCode !== 0) {
    const reason = result.stderr.split('\n').find((line) => line.trim() !== '') ?? `exit code ${result.exitCode}`;
    const permission = /permission denied/i.test(result.stderr);
    return {
      name,
      status: 'missing',
      detail: `the Docker daemon is not reachable: ${reason.trim()}`,
      fix: permission
        ? 'add your user to the "docker" group and log in again (or run as root)'
        : 'start the daemon (`sudo systemctl start docker`, or `sudo dockerd &`) and check `docker info`',
    };
  }
  return { name, status: 'ok', detail: `Docker ${result.stdout.trim()} is reachable` };
}

/** Compares dotted versions numerically; pre-release suffixes are ignored. */
export function compareVersions(a: string, b: string): number {
  const parts = (version: string) => version.replace(/^v/, '').split(/[-+]/)[0]!.split('.').map(Number);
  const [left, right] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
}

export async function checkKind(probes: DoctorProbes, minVersion: string): Promise<CheckResult> {
  const name = 'kind';
  const install = `install kind v${minVersion} or newer (https://kind.sigs.k8s.io/docs/user/quick-start/#installation) on PATH, or set KIND_BIN to its path`;
  try {
    const { version } = await probes.kind.version();
    if (compareVersions(version, minVersion) < 0) {
      return { name, status: 'missing', detail: `kind ${version} (${probes.kind.bin}) is older than the required ${minVersion}`, fix: install };
    }
    return { name, status: 'ok', detail: `kind ${version} (${probes.kind.bin})` };
  } catch (error) {
    if (!(error instanceof KindError)) throw error;
    return { name, status: 'missing', detail: error.message, fix: install };
  }
}

/** A host prerequisite with the cells that need it. */
export interface CellPrereq {
  prereq: HostPrereq;
  cells: string[];
}

/** Merges the prerequisites of all planned cells, keeping who needs each. */
export function collectPrereqs(cells: ReadonlyArray<{ id: string; hostPrereqs: readonly HostPrereq[] }>): CellPrereq[] {
  const byKey = new Map<string, CellPrereq>();
  for (const cell of cells) {
    for (const prereq of cell.hostPrereqs) {
      const key = prereq.kind === 'kernelModule' ? `module:${prereq.module}` : prereq.kind === 'sysctl' ? `sysctl:${prereq.key}` : `kernel:${prereq.min}`;
      const entry = byKey.get(key) ?? { prereq, cells: [] };
      entry.cells.push(cell.id);
      byKey.set(key, entry);
    }
  }
  return [...byKey.values()];
}

function neededBy(cells: string[]): string {
  return cells.length <= 4 ? cells.join(', ') : `${cells.slice(0, 4).join(', ')} and ${cells.length - 4} more`;
}

const normalizeModule = (name: string): string => name.replaceAll('-', '_');

/** Module names from modules.builtin or modules.dep lines ("kernel/net/x/ip_vs.ko.zst: deps"). */
function moduleNamesInPaths(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const file = line.split(':')[0]?.trim().split('/').at(-1);
    const match = file === undefined ? null : /^(.+?)\.ko(?:\.\w+)?$/.exec(file);
    if (match?.[1] !== undefined) names.add(normalizeModule(match[1]));
  }
  return names;
}

export async function checkKernelModule(probes: DoctorProbes, module: string, cells: string[], why: string): Promise<CheckResult> {
  const name = `kernel module ${module}`;
  const wanted = normalizeModule(module);
  const loaded = await probes.readFile(probes.paths.procModules);
  if (loaded?.split('\n').some((line) => normalizeModule(line.split(' ')[0] ?? '') === wanted)) {
    return { name, status: 'ok', detail: 'loaded' };
  }
  const builtin = await probes.readFile(probes.paths.modulesBuiltin);
  if (builtin !== undefined && moduleNamesInPaths(builtin).has(wanted)) return { name, status: 'ok', detail: 'built into the kernel' };
  const installed = await probes.readFile(probes.paths.modulesDep);
  const context = `needed by ${neededBy(cells)}: ${why}`;
  if (installed !== undefined && moduleNamesInPaths(installed).has(wanted)) {
    return { name, status: 'warn', detail: `installed but not loaded; ${context}`, fix: `sudo modprobe ${module}` };
  }
  const configured = configuredModule((await probes.kernelConfig()) ?? '', module);
  if (configured?.value === 'y') return { name, status: 'ok', detail: `built into the kernel (${configured.symbol}=y)` };
  if (configured?.value === 'unset') {
    return {
      name,
      status: 'missing',
      detail: `kernel ${probes.kernelRelease} is built without it (# ${configured.symbol} is not set); ${context}`,
      fix: `run on a kernel built with ${configured.symbol}, or leave those cells out with --cni/--proxy-mode/--suites`,
    };
  }
  if (configured?.value === 'm' && loaded !== undefined) {
    return { name, status: 'warn', detail: `a module of this kernel (${configured.symbol}=m) that is not loaded; ${context}`, fix: `sudo modprobe ${module}` };
  }
  if (loaded === undefined || builtin === undefined) {
    return {
      name,
      status: 'warn',
      detail: `cannot tell whether the kernel has it (${loaded === undefined ? probes.paths.procModules : probes.paths.modulesBuiltin} unreadable); ${context}`,
      fix: `check with \`lsmod | grep ${module}\` and \`sudo modprobe ${module}\``,
    };
  }
  return {
    name,
    status: 'missing',
    detail: `kernel ${probes.kernelRelease} has no ${module} module; ${context}`,
    fix: `install your distribution's extra kernel modules (e.g. linux-modules-extra-${probes.kernelRelease}) and \`sudo modprobe ${module}\`, or leave those cells out with --cni/--proxy-mode`,
  };
}

export function checkKernelVersion(probes: DoctorProbes, min: string, cells: string[], why: string): CheckResult {
  const name = `kernel >= ${min}`;
  const running = /^\d+\.\d+(\.\d+)?/.exec(probes.kernelRelease)?.[0];
  if (running === undefined) {
    return { name, status: 'warn', detail: `cannot read a version from kernel release "${probes.kernelRelease}"`, fix: 'check `uname -r`' };
  }
  if (compareVersions(running, min) >= 0) return { name, status: 'ok', detail: `kernel ${probes.kernelRelease}` };
  return {
    name,
    status: 'missing',
    detail: `kernel ${probes.kernelRelease} is older than ${min}; needed by ${neededBy(cells)}: ${why}`,
    fix: `upgrade the host kernel to ${min} or newer, or leave those cells out with --cni/--proxy-mode`,
  };
}

export async function checkSysctl(probes: DoctorProbes, key: string, min: number, why: string): Promise<CheckResult> {
  const name = key;
  const path = `${probes.paths.procSys}/${key.replaceAll('.', '/')}`;
  const text = await probes.readFile(path);
  const value = text === undefined ? Number.NaN : Number(text.trim());
  const fix = `sudo sysctl -w ${key}=${min} (persist it in /etc/sysctl.d/99-kind.conf)`;
  if (Number.isNaN(value)) return { name, status: 'warn', detail: `cannot read ${path}; ${why}`, fix };
  if (value >= min) return { name, status: 'ok', detail: `${value} (>= ${min})` };
  return { name, status: 'warn', detail: `${value} is below ${min}: ${why}`, fix };
}

export function checkHostPrereq(probes: DoctorProbes, { prereq, cells }: CellPrereq): Promise<CheckResult> | CheckResult {
  switch (prereq.kind) {
    case 'kernelModule':
      return checkKernelModule(probes, prereq.module, cells, prereq.why);
    case 'kernelVersion':
      return checkKernelVersion(probes, prereq.min, cells, prereq.why);
    case 'sysctl':
      return checkSysctl(probes, prereq.key, prereq.min, prereq.why);
  }
}

/** Available memory from /proc/meminfo (MemAvailable counts reclaimable cache, unlike MemFree). */
export async function availableMemoryBytes(probes: DoctorProbes): Promise<number | undefined> {
  const meminfo = await probes.readFile(probes.paths.meminfo);
  const kib = meminfo === undefined ? undefined : /^MemAvailable:\s+(\d+) kB/m.exec(meminfo)?.[1];
  return kib === undefined ? undefined : Number(kib) * 1024;
}

export interface MemoryDemand {
  nodesPerCluster: number;
  /** Clusters alive at once. */
  parallel: number;
}

export async function checkMemory(probes: DoctorProbes, demand: MemoryDemand): Promise<CheckResult> {
  const name = 'memory';
  const available = await availableMemoryBytes(probes);
  const perCluster = MEMORY_PER_NODE_BYTES * demand.nodesPerCluster;
  const needed = perCluster * demand.parallel;
  const sizing = `${counted(demand.parallel, 'cluster')} x ${demand.nodesPerCluster} nodes x ${gib(MEMORY_PER_NODE_BYTES)}`;
  if (available === undefined) return { name, status: 'warn', detail: `cannot read ${probes.paths.meminfo}; the run needs about ${gib(needed)} (${sizing})` };
  if (available >= needed) return { name, status: 'ok', detail: `${gib(available)} available, about ${gib(needed)} needed (${sizing})` };
  const fits = Math.floor(available / perCluster);
  return {
    name,
    status: 'warn',
    detail: `${gib(available)} available but about ${gib(needed)} needed (${sizing}); nodes may be OOM-killed`,
    fix: fits >= 1 ? `run fewer clusters at once: --parallel ${fits}` : 'free memory, or use fewer workers (--workers)',
  };
}
