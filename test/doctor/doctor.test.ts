import { describe, expect, jest, test } from '@jest/globals';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { HostPrereq } from '../../clusters/host-prereq.ts';
import {
  collectPrereqs,
  dockerRunner,
  doctorExitCode,
  hostPaths,
  renderDoctorReport,
  runDoctor,
  type CheckResult,
  type DoctorInput,
  type DoctorProbes,
} from '../../harness/doctor/index.ts';
import { createKind } from '../../harness/kind/index.ts';
import { newRecorder, RECORDER_BIN } from '../kind/recorder.ts';

// Every check spawns real processes (the fake kind is a Node script); a busy machine makes that slow.
jest.setTimeout(30_000);

const RELEASE = '6.8.0-45-generic';
const GIB_KB = 1024 * 1024;

interface FakeHost {
  loaded?: string[];
  builtin?: string[];
  installed?: string[];
  sysctls?: Record<string, string>;
  memAvailableKb?: number;
  docker?: { exitCode: number; stdout: string; stderr?: string } | 'absent';
  kindVersion?: string | 'absent';
  kernelRelease?: string;
  cpus?: number;
  /** Kconfig lines, as /proc/config.gz holds them. */
  kernelConfig?: string;
}

/** A fake /proc and /lib/modules tree, a fake docker on a private PATH, and the recording kind. */
function fakeHost(host: FakeHost): DoctorProbes {
  const root = mkdtempSync(path.join(tmpdir(), 'cnimatrix-doctor-'));
  const release = host.kernelRelease ?? RELEASE;
  const paths = hostPaths(release, root);
  mkdirSync(path.dirname(paths.procModules), { recursive: true });
  mkdirSync(path.dirname(paths.modulesBuiltin), { recursive: true });
  if (host.loaded !== undefined) writeFileSync(paths.procModules, host.loaded.map((m) => `${m} 180224 0 - Live 0x0000000000000000\n`).join(''));
  if (host.builtin !== undefined) writeFileSync(paths.modulesBuiltin, host.builtin.map((m) => `kernel/net/${m}.ko\n`).join(''));
  if (host.installed !== undefined) writeFileSync(paths.modulesDep, host.installed.map((m) => `kernel/net/netfilter/${m}.ko.zst: kernel/net/netfilter/nf_conntrack.ko.zst\n`).join(''));
  for (const [key, value] of Object.entries(host.sysctls ?? {})) {
    const file = path.join(paths.procSys, ...key.split('.'));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${value}\n`);
  }
  if (host.memAvailableKb !== undefined) writeFileSync(paths.meminfo, `MemTotal: 32000000 kB\nMemFree: 1000 kB\nMemAvailable: ${host.memAvailableKb} kB\n`);
  const binDir = path.join(root, 'bin');
  mkdirSync(binDir);
  const docker = host.docker ?? { exitCode: 0, stdout: '27.5.1' };
  if (docker !== 'absent') {
    const script = path.join(binDir, 'docker');
    writeFileSync(script, `#!/bin/sh\necho '${docker.stdout}'\necho '${docker.stderr ?? ''}' >&2\nexit ${docker.exitCode}\n`);
    chmodSync(script, 0o755);
  }
  const recorder = newRecorder(host.kindVersion === undefined || host.kindVersion === 'absent' ? {} : { KIND_RECORDER_VERSION: host.kindVersion });
  return {
    paths,
    kernelRelease: release,
    cpus: host.cpus ?? 4,
    readFile: (file) => readFile(file, 'utf8').catch(() => undefined),
    kernelConfig: async () => host.kernelConfig,
    docker: dockerRunner({ PATH: binDir }),
    kind: createKind({ bin: host.kindVersion === 'absent' ? path.join(root, 'no-kind') : RECORDER_BIN, env: recorder.env, retries: 0 }),
  };
}

const healthy: FakeHost = {
  loaded: ['ip_vs', 'nf_conntrack', 'br_netfilter'],
  builtin: ['sched/sch_fq', 'netfilter/xt_recent'],
  sysctls: { 'fs.inotify.max_user_watches': '524288', 'fs.inotify.max_user_instances': '512' },
  memAvailableKb: 20 * GIB_KB,
};

const inotify: HostPrereq[] = [
  { kind: 'sysctl', key: 'fs.inotify.max_user_watches', min: 524288, why: 'kind nodes watch many files' },
  { kind: 'sysctl', key: 'fs.inotify.max_user_instances', min: 512, why: 'parallel clusters' },
];
const module = (name: string): HostPrereq => ({ kind: 'kernelModule', module: name, why: `${name} is needed` });

function input(cells: DoctorInput['cells'], overrides: Partial<DoctorInput> = {}): DoctorInput {
  return { cells, nodesPerCluster: 3, parallel: 1, kindMinVersion: '0.33.0', ...overrides };
}

const byName = (checks: CheckResult[], name: string): CheckResult | undefined => checks.find((check) => check.name === name);

describe('doctor', () => {
  test('a healthy host passes every check', async () => {
    const cells = [
      { id: 'kindnet-iptables', hostPrereqs: [...inotify, module('xt_recent')] },
      { id: 'calico-ipvs', hostPrereqs: [...inotify, module('ip_vs'), module('nf-conntrack')] },
    ];
    const report = await runDoctor(input(cells), fakeHost(healthy));
    expect(report.checks.map((check) => [check.name, check.status])).toEqual([
      ['docker', 'ok'],
      ['kind', 'ok'],
      ['fs.inotify.max_user_watches', 'ok'],
      ['fs.inotify.max_user_instances', 'ok'],
      ['kernel module xt_recent', 'ok'],
      ['kernel module ip_vs', 'ok'],
      ['kernel module nf-conntrack', 'ok'],
      ['memory', 'ok'],
    ]);
    expect(byName(report.checks, 'docker')?.detail).toBe('Docker 27.5.1 is reachable');
    expect(byName(report.checks, 'kind')?.detail).toBe(`kind 0.33.0 (${RECORDER_BIN})`);
    expect(byName(report.checks, 'kernel module xt_recent')?.detail).toBe('built into the kernel');
    expect(doctorExitCode(report)).toBe(0);
    expect(renderDoctorReport(report)).toMatch(/\nready\n$/);
  });

  test('no docker CLI and no kind are both missing, with how to get them', async () => {
    const report = await runDoctor(input([]), fakeHost({ ...healthy, docker: 'absent', kindVersion: 'absent' }));
    const docker = byName(report.checks, 'docker');
    expect(docker).toMatchObject({ status: 'missing', detail: 'the docker CLI is not on PATH' });
    expect(docker?.fix).toContain('apt-get install docker.io');
    const kind = byName(report.checks, 'kind');
    expect(kind?.status).toBe('missing');
    expect(kind?.detail).toContain('kind executable not found');
    expect(kind?.fix).toContain('KIND_BIN');
    expect(doctorExitCode(report)).toBe(3);
    const text = renderDoctorReport(report);
    expect(text).toMatch(/^MISSING +docker +the docker CLI is not on PATH$/m);
    expect(text).toMatch(/^ +fix: install kind v0\.33\.0 or newer/m);
    expect(text).toContain('2 required items missing');
  });

  test('a stopped Docker daemon is missing and says how to start it', async () => {
    const probes = fakeHost({
      ...healthy,
      docker: { exitCode: 1, stdout: '', stderr: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' },
    });
    const docker = byName((await runDoctor(input([]), probes)).checks, 'docker');
    expect(docker?.status).toBe('missing');
    expect(docker?.detail).toContain('Cannot connect to the Docker daemon');
    expect(docker?.fix).toContain('systemctl start docker');
  });

  test('kind older than the minimum is missing', async () => {
    const report = await runDoctor(input([]), fakeHost({ ...healthy, kindVersion: 'kind v0.31.0 go1.24 linux/amd64' }));
    expect(byName(report.checks, 'kind')).toMatchObject({ status: 'missing' });
    expect(byName(report.checks, 'kind')?.detail).toContain('kind 0.31.0');
    expect(byName(report.checks, 'kind')?.detail).toContain('older than the required 0.33.0');
  });

  test('a module that is installed but not loaded is a warning to modprobe it', async () => {
    const report = await runDoctor(input([{ id: 'calico-ipvs', hostPrereqs: [module('ip_vs_rr')] }]), fakeHost({ ...healthy, installed: ['ip_vs_rr'] }));
    const check = byName(report.checks, 'kernel module ip_vs_rr');
    expect(check).toMatchObject({ status: 'warn', fix: 'sudo modprobe ip_vs_rr' });
    expect(check?.detail).toContain('needed by calico-ipvs');
    expect(doctorExitCode(report)).toBe(0);
  });

  test('a module the kernel lacks is missing, naming the cells that need it', async () => {
    const cells = ['kindnet', 'calico', 'flannel', 'cilium', 'weave'].map((cni) => ({ id: `${cni}-ipvs`, hostPrereqs: [module('ip_vs')] }));
    const report = await runDoctor(input(cells), fakeHost({ ...healthy, loaded: [], installed: [] }));
    const check = byName(report.checks, 'kernel module ip_vs');
    expect(check?.status).toBe('missing');
    expect(check?.detail).toContain(`kernel ${RELEASE} has no ip_vs module; needed by kindnet-ipvs, calico-ipvs, flannel-ipvs, cilium-ipvs and 1 more`);
    expect(check?.fix).toContain('--proxy-mode');
    expect(doctorExitCode(report)).toBe(3);
  });

  test('without modules.builtin a module that is not loaded cannot be judged', async () => {
    const report = await runDoctor(input([{ id: 'flannel-iptables', hostPrereqs: [module('br_netfilter')] }]), fakeHost({ ...healthy, loaded: [], builtin: undefined }));
    expect(byName(report.checks, 'kernel module br_netfilter')?.status).toBe('warn');
  });

  describe('a kernel whose module lists cannot be read (no loadable modules), judged by its build configuration', () => {
    // As on the project's VM: no /proc/modules, no /lib/modules, /proc/config.gz present.
    const noModuleLists: FakeHost = { ...healthy, loaded: undefined, builtin: undefined, kernelConfig: '# CONFIG_NFT_QUEUE is not set\nCONFIG_NETFILTER_NETLINK_QUEUE=y\nCONFIG_IP_VS=m\n' };
    const kindnet = [{ id: 'kindnet-iptables', hostPrereqs: [module('nft_queue'), module('nfnetlink_queue')] }];

    test('a symbol that is not set is missing, naming it', async () => {
      const report = await runDoctor(input(kindnet), fakeHost(noModuleLists));
      const check = byName(report.checks, 'kernel module nft_queue');
      expect(check?.status).toBe('missing');
      expect(check?.detail).toContain(`kernel ${RELEASE} is built without it (# CONFIG_NFT_QUEUE is not set); needed by kindnet-iptables`);
      expect(check?.fix).toContain('CONFIG_NFT_QUEUE');
      expect(doctorExitCode(report)).toBe(3);
    });

    test('a symbol built in (=y) is there', async () => {
      const report = await runDoctor(input(kindnet), fakeHost(noModuleLists));
      expect(byName(report.checks, 'kernel module nfnetlink_queue')).toMatchObject({ status: 'ok', detail: 'built into the kernel (CONFIG_NETFILTER_NETLINK_QUEUE=y)' });
    });

    test('a module the configuration does not mention stays a warning: cannot tell', async () => {
      const report = await runDoctor(input([{ id: 'kindnet-iptables', hostPrereqs: [module('sctp')] }]), fakeHost(noModuleLists));
      expect(byName(report.checks, 'kernel module sctp')?.status).toBe('warn');
    });
  });

  test('a loadable module (=m) that is not loaded is a warning to modprobe it', async () => {
    const report = await runDoctor(input([{ id: 'calico-ipvs', hostPrereqs: [module('ip_vs')] }]), fakeHost({ ...healthy, loaded: [], builtin: [], kernelConfig: 'CONFIG_IP_VS=m\n' }));
    expect(byName(report.checks, 'kernel module ip_vs')).toMatchObject({ status: 'warn', fix: 'sudo modprobe ip_vs' });
  });

  test('low inotify limits are warnings with the sysctl to run', async () => {
    const probes = fakeHost({ ...healthy, sysctls: { 'fs.inotify.max_user_watches': '8192' } });
    const report = await runDoctor(input([{ id: 'kindnet-iptables', hostPrereqs: inotify }]), probes);
    expect(byName(report.checks, 'fs.inotify.max_user_watches')).toMatchObject({
      status: 'warn',
      detail: '8192 is below 524288: kind nodes watch many files',
      fix: 'sudo sysctl -w fs.inotify.max_user_watches=524288 (persist it in /etc/sysctl.d/99-kind.conf)',
    });
    expect(byName(report.checks, 'fs.inotify.max_user_instances')?.detail).toContain('cannot read');
  });

  test('an old kernel is missing for the cells that need a newer one', async () => {
    const prereq: HostPrereq = { kind: 'kernelVersion', min: '5.13', why: 'nftables features' };
    const report = await runDoctor(input([{ id: 'calico-nftables', hostPrereqs: [prereq] }]), fakeHost({ ...healthy, kernelRelease: '5.4.0-150-generic' }));
    expect(byName(report.checks, 'kernel >= 5.13')).toMatchObject({ status: 'missing' });
    const recent = await runDoctor(input([{ id: 'calico-nftables', hostPrereqs: [prereq] }]), fakeHost({ ...healthy, kernelRelease: '5.15.0-1-amd64' }));
    expect(byName(recent.checks, 'kernel >= 5.13')?.status).toBe('ok');
  });

  test('memory: 2 GiB per node for every cluster alive at once', async () => {
    const cells = Array.from({ length: 6 }, (_, i) => ({ id: `cell-${i}`, hostPrereqs: [] }));
    const tight = fakeHost({ ...healthy, memAvailableKb: 13 * GIB_KB, cpus: 16 });
    const memory = byName((await runDoctor(input(cells, { parallel: 4 }), tight)).checks, 'memory');
    expect(memory?.status).toBe('warn');
    expect(memory?.detail).toBe('13.0 GiB available but about 24.0 GiB needed (4 clusters x 3 nodes x 2.0 GiB); nodes may be OOM-killed');
    expect(memory?.fix).toBe('run fewer clusters at once: --parallel 2');
    const auto = byName((await runDoctor(input(cells, { parallel: 'auto' }), fakeHost({ ...healthy, cpus: 2 }))).checks, 'memory');
    expect(auto?.detail).toContain('about 6.0 GiB needed (1 cluster x');
  });
});

test('collectPrereqs merges the same requirement across cells', () => {
  const merged = collectPrereqs([
    { id: 'a-ipvs', hostPrereqs: [module('ip_vs'), ...inotify] },
    { id: 'b-ipvs', hostPrereqs: [module('ip_vs'), ...inotify] },
  ]);
  expect(merged.map((entry) => [entry.prereq.kind, entry.cells])).toEqual([
    ['kernelModule', ['a-ipvs', 'b-ipvs']],
    ['sysctl', ['a-ipvs', 'b-ipvs']],
    ['sysctl', ['a-ipvs', 'b-ipvs']],
  ]);
});
