// Whole `cnimatrix run`s against simulated kind clusters: the matrix of several cells × every
// suite, and the failure modes a user meets — kind create failing (transient, permanent), the API
// server dying mid-suite, interrupts in every phase — after which no cluster and no cluster
// process may be left, finished cells' reports must be intact and exit codes must match the
// documented table.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { readCellJUnit } from '../../harness/report/junit-read.ts';
import type { Matrix } from '../../harness/report/matrix.ts';
import { faultEnvName } from '../sim/kind/state.ts';
import { createSimWorld, type SimWorld } from './run-harness.ts';
import type { StartedNetwork } from 'testcontainers';
import { externalEnv as externalEnvFor, externalNetwork } from './external-setting.ts';

const MINUTES = 60_000;

let world: SimWorld;
let network: StartedNetwork | undefined;
let externalEnv: Record<string, string>;

beforeAll(async () => {
  world = createSimWorld();
  network = await externalNetwork();
  externalEnv = externalEnvFor(network?.getName());
});

afterEach(async () => {
  // A test that leaked a cluster has failed already; the next one starts clean.
  await world.deleteAllClusters();
}, 60_000);

afterAll(async () => {
  await world.dispose();
  await network?.stop();
});

async function expectNothingLeft(): Promise<void> {
  expect(await world.clusters()).toEqual([]);
  expect(world.livePids()).toEqual([]);
}

const readMatrix = (runDir: string) => JSON.parse(readFileSync(join(runDir, 'matrix.json'), 'utf8')) as Matrix;

describe('a matrix of 3 cells × every suite', () => {
  const runId = 'matrix';
  let result: Awaited<ReturnType<SimWorld['cnimatrix']>>;
  const runDir = () => join(world.reportsDir, runId);

  beforeAll(async () => {
    result = await world.cnimatrix(
      ['run', '--config', world.configFile, '--cni', 'kindnet,cilium', '--proxy-mode', 'iptables,none', '--run-id', runId, '--parallel', '3'],
      externalEnv,
    );
  }, 15 * MINUTES);

  test('passes on faithful cells and exits 0', () => {
    if (result.exitCode !== 0) {
      const md = existsSync(join(runDir(), 'matrix.md')) ? readFileSync(join(runDir(), 'matrix.md'), 'utf8') : '(no matrix.md)';
      throw new Error(`cnimatrix run exited ${result.exitCode}\n${result.all}\n${md}`);
    }
  });

  test('lists the unsupported combination with its reason, in the output and the matrix', () => {
    expect(result.all).toMatch(/unsupported: kindnet-none: .*kube-proxy/);
    expect(readMatrix(runDir()).run.notRun?.map((c) => c.id)).toEqual(['kindnet-none']);
    expect(readFileSync(join(runDir(), 'matrix.md'), 'utf8')).toMatch(/Not run \(unsupported combinations\):\n\n- kindnet-none: .*kube-proxy/);
  });

  test('writes JUnit per cell, the combined JUnit, matrix files and conformance summaries', () => {
    const cells = ['kindnet-iptables', 'cilium-iptables', 'cilium-none'];
    expect(readdirSync(join(runDir(), 'junit')).sort()).toEqual(cells.map((c) => `${c}.xml`).sort());
    for (const cell of cells) {
      const junit = readCellJUnit(readFileSync(join(runDir(), 'junit', `${cell}.xml`), 'utf8'));
      expect(junit.cell.id).toBe(cell);
      expect(new Set(junit.tests.map((t) => t.suite))).toEqual(new Set(['pod-network', 'network-policy', 'dns', 'ingress', 'services']));
      expect(junit.phases.map((p) => p.phase)).toEqual(['create-cluster', 'install-cni', 'wait-ready', 'install-ingress', 'verify-proxy-mode', 'probe-capabilities', 'upgrade-cni', 'run-suites', 'collect', 'delete-cluster']);
      const summary = parseYaml(readFileSync(join(runDir(), 'conformance', `${cell}.yaml`), 'utf8')) as { kind: string; implementation: { cni: string } };
      expect(summary.kind).toBe('ConformanceReport');
      expect(summary.implementation.cni).toBe(cell.split('-')[0]);
    }
    for (const file of ['junit.xml', 'matrix.json', 'matrix.md', 'matrix.html', 'run.json']) expect(existsSync(join(runDir(), file))).toBe(true);
  });

  test('the matrix has every cell, its phase timings, and a result for every test in every cell', () => {
    const matrix = readMatrix(runDir());
    expect(matrix.cells.map((c) => c.id).sort()).toEqual(['cilium-iptables', 'cilium-none', 'kindnet-iptables']);
    for (const cell of matrix.cells) {
      expect(cell.phases.find((p) => p.phase === 'create-cluster')?.status).toBe('ok');
      expect(cell.phases.find((p) => p.phase === 'run-suites')?.durationMs).toBeGreaterThan(0);
    }
    expect(matrix.tests.length).toBeGreaterThan(50);
    for (const t of matrix.tests) expect(Object.keys(t.results).length).toBe(3);
  });

  test('capabilities decide what is unsupported: SCTP only where the profile declares it', () => {
    const matrix = readMatrix(runDir());
    const sctp = matrix.tests.filter((t) => t.suite === 'pod-network' && /SCTP/.test(t.name));
    expect(sctp.length).toBeGreaterThan(0);
    for (const t of sctp) {
      expect(t.results['kindnet-iptables']?.status).toBe('pass');
      expect(t.results['cilium-none']?.status).toBe('unsupported');
      expect(t.results['cilium-none']?.detail).toMatch(/needs sctp/);
    }
    // The JUnit skip message says "unsupported" once.
    const junit = readFileSync(join(runDir(), 'junit', 'cilium-none.xml'), 'utf8');
    expect(junit).toMatch(/<skipped message="unsupported: needs sctp/);
    expect(junit).not.toMatch(/unsupported: unsupported/);
  });

  test('without kube-proxy, Services work through the CNI (cilium-none) and kube-proxy is absent', () => {
    const matrix = readMatrix(runDir());
    const services = matrix.tests.filter((t) => t.suite === 'services' && !/outside/.test(t.name));
    expect(services.length).toBeGreaterThan(3);
    for (const t of services) expect(t.results['cilium-none']?.status).toBe('pass');
  });

  test('Cilium cells never run at the same time on one host; the others run alongside', () => {
    expect(result.all).toMatch(/the 2 cilium cells run one at a time: Cilium clusters share the host kernel/);
    const matrix = readMatrix(runDir());
    const window = (id: string) => {
      const phases = matrix.cells.find((c) => c.id === id)?.phases ?? [];
      const start = Math.min(...phases.map((p) => Date.parse(p.startedAt)));
      const end = Math.max(...phases.map((p) => Date.parse(p.startedAt) + p.durationMs));
      return { start, end };
    };
    const [a, b] = [window('cilium-iptables'), window('cilium-none')].sort((x, y) => x.start - y.start);
    expect(a!.end).toBeLessThanOrEqual(b!.start);
    const kindnet = window('kindnet-iptables');
    expect(kindnet.start).toBeLessThan(b!.start);
  });

  test('deletes every cluster and stops every cluster process', async () => {
    await expectNothingLeft();
  });
});

describe('kind create failures', () => {
  test('a transient failure is retried and the cell then passes', async () => {
    const runId = 'transient';
    const result = await world.cnimatrix(
      ['run', '--config', world.configFile, '--cni', 'kindnet', '--proxy-mode', 'iptables', '--suites', 'pod-network', '--run-id', runId],
      { [faultEnvName(`cnimatrix-${runId}-kindnet-iptables`)]: 'create-transient:1' },
    );
    expect(result.exitCode).toBe(0);
    expect(result.all).toMatch(/kind create cluster: attempt 1 failed \(failed to create cluster: failed to pull image .*\); retrying, 2 left/);
    expect(readMatrix(join(world.reportsDir, runId)).cells[0]?.error).toBeUndefined();
    // The suite phase reports as it goes: a line per finished check group with its counts.
    expect(result.all).toMatch(/kindnet-iptables +pod-network › cross node: [1-9]\d* passed, 0 failed/);
    await expectNothingLeft();
  }, 5 * MINUTES);

  test('a permanent failure makes that cell an error column, the others still run, exit 4', async () => {
    const runId = 'permanent';
    const result = await world.cnimatrix(
      ['run', '--config', world.configFile, '--cni', 'kindnet,calico', '--proxy-mode', 'iptables', '--suites', 'pod-network', '--run-id', runId, '--parallel', '2'],
      { [faultEnvName(`cnimatrix-${runId}-calico-iptables`)]: 'create-permanent' },
    );
    expect(result.exitCode).toBe(4);
    const matrix = readMatrix(join(world.reportsDir, runId));
    const calico = matrix.cells.find((c) => c.id === 'calico-iptables');
    expect(calico?.error?.phase).toBe('create-cluster');
    expect(calico?.error?.message).toMatch(/failed to create cluster/);
    expect(result.all).not.toMatch(/attempt 1 failed/);
    // The end of a red run says what broke, without opening matrix.md.
    expect(result.all).toMatch(/failed checks:\n +calico-iptables: could not run its suites \(create-cluster\)\n +! \(create-cluster\): .*failed to create cluster/);
    expect(matrix.summary['kindnet-iptables']?.pass).toBeGreaterThan(0);
    expect(matrix.summary['kindnet-iptables']?.fail).toBe(0);
    await expectNothingLeft();
  }, 5 * MINUTES);
});

describe('in GitHub Actions', () => {
  test('a group per cell, an ::error:: per failed check, and matrix.md in the job summary', async () => {
    const runId = 'gha';
    const summary = join(world.dir, 'step-summary.md');
    const result = await world.cnimatrix(
      ['run', '--config', world.configFile, '--cni', 'calico', '--proxy-mode', 'iptables', '--suites', 'pod-network', '--run-id', runId],
      { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, [faultEnvName(`cnimatrix-${runId}-calico-iptables`)]: 'create-permanent' },
    );
    expect(result.exitCode).toBe(4);
    expect(result.all).toMatch(/::group::calico-iptables\n(.*\n)*.*create-cluster failed(.*\n)*::endgroup::/);
    expect(result.stdout).toMatch(/^::error title=calico-iptables%3A \(create-cluster\)::.*failed to create cluster/m);
    expect(readFileSync(summary, 'utf8')).toBe(`${readFileSync(join(world.reportsDir, runId, 'matrix.md'), 'utf8')}\n`);
    await expectNothingLeft();
  }, 5 * MINUTES);
});

/** Starts a run and calls `onLine` for every line it prints until the run ends. */
function watchRun(args: string[], onLine: (line: string, run: ReturnType<SimWorld['cnimatrix']>) => void, env: Record<string, string> = {}) {
  const run = world.cnimatrix(args, env);
  let buffer = '';
  run.all?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) onLine(line, run);
  });
  return run;
}

describe('the API server dies mid-suite', () => {
  test('the cell fails with the reason, its cluster is still deleted, exit 1', async () => {
    const runId = 'apidies';
    let killed = false;
    const result = await watchRun(
      ['run', '--config', world.configFile, '--cni', 'kindnet', '--proxy-mode', 'iptables', '--suites', 'network-policy', '--run-id', runId],
      (line) => {
        if (!killed && line.includes('run-suites …')) {
          killed = true;
          // Give the suite time to reach the API, then take the API server away.
          setTimeout(() => {
            for (const pid of world.livePids()) process.kill(pid, 'SIGKILL');
          }, 1500);
        }
      },
    );
    expect(killed).toBe(true);
    expect(result.exitCode).toBe(1);
    const junit = readCellJUnit(readFileSync(join(world.reportsDir, runId, 'junit', 'kindnet-iptables.xml'), 'utf8'));
    const broken = junit.tests.filter((t) => t.status === 'fail' || t.status === 'error');
    expect(broken.length).toBeGreaterThan(0);
    expect(broken.map((t) => t.message ?? '').join('\n')).toMatch(/ECONNREFUSED|connect|socket|closed/i);
    await expectNothingLeft();
  }, 5 * MINUTES);
});

describe('interrupts', () => {
  const phases = ['create-cluster', 'install-cni', 'wait-ready', 'install-ingress', 'verify-proxy-mode', 'run-suites'] as const;

  test.each(phases)('SIGINT during %s: cleanup, exit 130, nothing left, resumable', async (phase) => {
    const runId = `int-${phase}`.slice(0, 20);
    let sent = false;
    const result = await watchRun(
      ['run', '--config', world.configFile, '--cni', 'calico', '--proxy-mode', 'iptables', '--suites', 'ingress', '--run-id', runId],
      (line, run) => {
        if (!sent && line.includes(`${phase} …`)) {
          sent = true;
          run.kill('SIGINT');
        }
      },
      externalEnv,
    );
    expect(sent).toBe(true);
    expect(result.exitCode).toBe(130);
    expect(result.all).toMatch(/SIGINT: stopping/);
    expect(result.all).toMatch(/cnimatrix run --resume/);
    // An interrupted cell keeps no JUnit, so --resume runs it again.
    expect(existsSync(join(world.reportsDir, runId, 'junit', 'calico-iptables.xml'))).toBe(false);
    expect(existsSync(join(world.reportsDir, runId, 'run.json'))).toBe(true);
    await expectNothingLeft();
  }, 5 * MINUTES);

  test('finished cells keep their reports; --resume runs only the missing cell', async () => {
    const runId = 'resume';
    let sent = false;
    const first = await watchRun(
      ['run', '--config', world.configFile, '--cni', 'kindnet,calico', '--proxy-mode', 'iptables', '--suites', 'pod-network', '--run-id', runId, '--parallel', '1'],
      (line, run) => {
        if (!sent && /calico-iptables +run-suites …/.test(line)) {
          sent = true;
          run.kill('SIGINT');
        }
      },
    );
    expect(first.exitCode).toBe(130);
    const runDir = join(world.reportsDir, runId);
    const kindnetJUnit = readFileSync(join(runDir, 'junit', 'kindnet-iptables.xml'), 'utf8');
    // Passed, but for the IPv6 checks: a kind cell's pod network is IPv4-only.
    expect(readCellJUnit(kindnetJUnit).tests.every((t) => t.status === 'pass' || (t.status === 'unsupported' && t.name.startsWith('IPv6 › ')))).toBe(true);
    expect(existsSync(join(runDir, 'junit', 'calico-iptables.xml'))).toBe(false);

    const resumed = await world.cnimatrix(['run', '--resume', runDir]);
    expect(resumed.exitCode).toBe(0);
    expect(resumed.all).toMatch(/1 cell already done \(kindnet-iptables\)/);
    expect(resumed.all).not.toMatch(/kindnet-iptables +create-cluster/);
    expect(readFileSync(join(runDir, 'junit', 'kindnet-iptables.xml'), 'utf8')).toBe(kindnetJUnit);
    expect(readMatrix(runDir).cells.map((c) => c.id)).toEqual(['kindnet-iptables', 'calico-iptables']);
    await expectNothingLeft();
  }, 5 * MINUTES);

  test('on a machine without a registry, --resume of a --preload run loads the images again (the real lane found it did not)', async () => {
    const runId = 'resume-offline';
    const offline = { [faultEnvName(`cnimatrix-${runId}-flannel-iptables`)]: 'registry-unreachable' };
    let sent = false;
    const first = await watchRun(
      ['run', '--config', world.configFile, '--cni', 'flannel', '--proxy-mode', 'iptables', '--suites', 'dns', '--run-id', runId, '--preload'],
      (line, run) => {
        if (!sent && /flannel-iptables +run-suites …/.test(line)) {
          sent = true;
          run.kill('SIGINT');
        }
      },
      offline,
    );
    expect(first.exitCode).toBe(130);
    const resumed = await world.cnimatrix(['run', '--resume', join(world.reportsDir, runId)], offline);
    expect({ exitCode: resumed.exitCode, all: resumed.all }).toMatchObject({ exitCode: 0 });
    expect(resumed.all).toMatch(/flannel-iptables +kind load docker-image: \d+ images/);
    await expectNothingLeft();
  }, 5 * MINUTES);

  test('on a machine without a registry, a run without --preload names the image its CNI pods cannot pull', async () => {
    const runId = 'offline-no-preload';
    const result = await world.cnimatrix(
      ['run', '--config', world.configFile, '--cni', 'flannel', '--proxy-mode', 'iptables', '--suites', 'dns', '--run-id', runId, '--timeout', 'cniReady=20s'],
      { [faultEnvName(`cnimatrix-${runId}-flannel-iptables`)]: 'registry-unreachable' },
    );
    expect(result.exitCode).not.toBe(0);
    expect(result.all).toMatch(/ImagePullBackOff/);
    expect(result.all).toMatch(/Back-off pulling image \\?"ghcr\.io\/flannel-io\/flannel:v0\.27\.4\\?"/);
    await expectNothingLeft();
  }, 5 * MINUTES);

  test('a second SIGINT forces: clusters are deleted at once, exit 130', async () => {
    const runId = 'force';
    let sent = false;
    const result = await watchRun(
      ['run', '--config', world.configFile, '--cni', 'kindnet', '--proxy-mode', 'iptables', '--suites', 'network-policy', '--run-id', runId],
      (line, run) => {
        if (!sent && line.includes('run-suites …')) {
          sent = true;
          run.kill('SIGINT');
          setTimeout(() => run.kill('SIGINT'), 100);
        }
      },
    );
    expect(result.exitCode).toBe(130);
    expect(result.all).toMatch(/forcing; deleting clusters now/);
    await expectNothingLeft();
  }, 5 * MINUTES);
});
