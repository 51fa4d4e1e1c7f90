// Where the doctor looks. Each probe can be replaced, so tests run against fake /proc trees and
// fake docker and kind executables.

import { readFile } from 'node:fs/promises';
import { cpus, release } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { execa } from 'execa';
import { createKind, type Kind } from '../kind/index.ts';

export type CommandResult = { found: false } | { found: true; exitCode: number; stdout: string; stderr: string };

export interface HostPaths {
  /** Loaded modules, one per line: "ip_vs 180224 0 - Live 0x0". */
  procModules: string;
  /** Modules compiled into the kernel: "kernel/net/netfilter/nf_conntrack.ko". */
  modulesBuiltin: string;
  /** Modules installed and loadable with modprobe. */
  modulesDep: string;
  /** Root of the sysctl tree; fs.inotify.max_user_watches lives at <procSys>/fs/inotify/max_user_watches. */
  procSys: string;
  meminfo: string;
  /** The running kernel's configuration, gzipped (CONFIG_IKCONFIG_PROC). */
  procConfigGz: string;
  /** The distribution's copy of it. */
  bootConfig: string;
}

export interface DoctorProbes {
  paths: HostPaths;
  kernelRelease: string;
  cpus: number;
  /** Contents of a file, or undefined when it cannot be read. */
  readFile(path: string): Promise<string | undefined>;
  /** The kernel's build configuration (Kconfig lines), or undefined when the kernel does not expose it. */
  kernelConfig(): Promise<string | undefined>;
  docker(args: string[]): Promise<CommandResult>;
  kind: Pick<Kind, 'version' | 'bin'>;
}

export function hostPaths(kernelRelease: string, root = ''): HostPaths {
  return {
    procModules: `${root}/proc/modules`,
    modulesBuiltin: `${root}/lib/modules/${kernelRelease}/modules.builtin`,
    modulesDep: `${root}/lib/modules/${kernelRelease}/modules.dep`,
    procSys: `${root}/proc/sys`,
    meminfo: `${root}/proc/meminfo`,
    procConfigGz: `${root}/proc/config.gz`,
    bootConfig: `${root}/boot/config-${kernelRelease}`,
  };
}

/** /proc/config.gz when the kernel has it, else /boot/config-<release>. */
export async function readKernelConfig(paths: HostPaths): Promise<string | undefined> {
  try {
    return gunzipSync(await readFile(paths.procConfigGz)).toString('utf8');
  } catch {
    return readIfPresent(paths.bootConfig);
  }
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Runs `docker` from PATH (in `env`, when given). */
export function dockerRunner(env?: Record<string, string | undefined>) {
  return async (args: string[]): Promise<CommandResult> => {
    const result = await execa('docker', args, { reject: false, timeout: 15_000, ...(env === undefined ? {} : { env }) });
    if (result.code === 'ENOENT' || result.code === 'EACCES') return { found: false };
    return { found: true, exitCode: result.exitCode ?? 1, stdout: result.stdout, stderr: result.stderr };
  };
}

/** The probes of the machine cnimatrix runs on. */
export function systemProbes(options: { env?: Record<string, string | undefined> } = {}): DoctorProbes {
  const kernelRelease = release();
  const paths = hostPaths(kernelRelease);
  // One read (and gunzip) for all of a run's module checks.
  let config: Promise<string | undefined> | undefined;
  return {
    paths,
    kernelRelease,
    cpus: cpus().length,
    readFile: readIfPresent,
    kernelConfig: () => (config ??= readKernelConfig(paths)),
    docker: dockerRunner(options.env),
    kind: createKind({ ...(options.env === undefined ? {} : { env: options.env }), retries: 0 }),
  };
}
