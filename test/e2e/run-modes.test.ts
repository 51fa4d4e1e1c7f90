// The ways to run besides create-and-delete: an existing cluster (--kubeconfig), clusters kept
// between runs (--reuse), kept clusters and their cleanup (--keep all, cnimatrix clean), and the
// air-gapped path (cnimatrix images, --preload).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { createKube } from '../../harness/kube/index.ts';
import type { ConformanceReport } from '../../harness/report/conformance.ts';
import { readCellJUnit } from '../../harness/report/junit-read.ts';
import type { Matrix } from '../../harness/report/matrix.ts';
import { RUN_STATE_FILE } from '../../harness/run/run-state.ts';
import { SIM_KIND_BIN, startSimCell } from '../sim/harness.ts';
import { faultEnvName } from '../sim/kind/state.ts';
import { EXTERNAL_CLIENT_IMAGE_ENV } from '../../harness/external/image.ts';
import { createSimWorld, type SimWorld } from './run-harness.ts';
import { EXTERNAL_TEST_IMAGE, externalNetwork } from './external-setting.ts';

const MINUTES = 60_000;
let world: SimWorld;

beforeAll(() => {
  world = createSimWorld();
});

afterEach(async () => {
  await world.deleteAllClusters();
});

afterAll(async () => {
  await world.dispose();
});

const loadedImages = (cluster: string) =>
  JSON.parse(readFileSync(join(world.env.CNIMATRIX_SIM_HOME ?? '', 'clusters', cluster, 'images.json'), 'utf8')) as string[];

test('cnimatrix images lists every image the planned cells need', async () => {
  const result = await world.cnimatrix(['images', '--config', world.configFile, '--cni', 'calico', '--proxy-mode', 'iptables']);
  expect(result.exitCode).toBe(0);
  const images = result.stdout.split('\n');
  expect(images).toEqual([...images].sort());
  expect(images.some((i) => i.startsWith('kindest/node:'))).toBe(true);
  expect(images.some((i) => i.includes('/e2e-test-images/agnhost:'))).toBe(true);
  expect(images.some((i) => i.includes('/e2e-test-images/jessie-dnsutils:'))).toBe(true);
  expect(images.some((i) => i.includes('calico'))).toBe(true);
  expect(images.some((i) => i.includes('ingress-nginx/controller'))).toBe(true);
}, 60_000);

describe('--preload with --keep all, then cnimatrix clean', () => {
  test('the images are loaded before anything is installed, the cluster is kept, clean removes it', async () => {
    const runId = 'preload';
    const cluster = `cnimatrix-${runId}-kindnet-iptables`;
    const images = await world.cnimatrix(['images', '--config', world.configFile, '--cni', 'kindnet', '--proxy-mode', 'iptables', '--suites', 'pod-network']);
    const run = await world.cnimatrix(['run', '--config', world.configFile, '--cni', 'kindnet', '--proxy-mode', 'iptables', '--suites', 'pod-network', '--run-id', runId, '--preload', '--keep', 'all']);
    expect(run.exitCode).toBe(0);
    expect(run.all).toMatch(/kind load docker-image: \d+ images/);
    expect(run.all).toMatch(/delete-cluster skipped .*kept \(--keep all\)/);
    expect(await world.clusters()).toEqual([cluster]);
    const expected = images.stdout.split('\n').filter((i) => !i.startsWith('kindest/node:'));
    expect(loadedImages(cluster).sort()).toEqual(expected.sort());

    const clean = await world.cnimatrix(['clean', '--run', runId]);
    expect(clean.exitCode).toBe(0);
    expect(clean.all).toContain(cluster);
    expect(await world.clusters()).toEqual([]);

    // The same run id again would mix two runs' results: refused, nothing created.
    const again = await world.cnimatrix(['run', '--config', world.configFile, '--cni', 'kindnet', '--proxy-mode', 'iptables', '--suites', 'pod-network', '--run-id', runId]);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toMatch(/already holds run preload/);
    expect(again.stderr).toMatch(/cnimatrix run --resume/);
    expect(await world.clusters()).toEqual([]);
  }, 5 * MINUTES);
});

describe('--reuse', () => {
  test('the first run creates and keeps the cluster; the next one reuses it without reinstalling', async () => {
    const args = ['run', '--config', world.configFile, '--cni', 'calico', '--proxy-mode', 'iptables', '--suites', 'pod-network', '--reuse'];
    const first = await world.cnimatrix([...args, '--run-id', 'reuse1']);
    expect(first.exitCode).toBe(0);
    expect(first.all).toMatch(/calico-iptables +install-cni ok/);
    expect(await world.clusters()).toEqual(['cnimatrix-reuse-calico-iptables']);

    const second = await world.cnimatrix([...args, '--run-id', 'reuse2']);
    expect(second.exitCode).toBe(0);
    expect(second.all).toMatch(/reusing cluster cnimatrix-reuse-calico-iptables/);
    expect(second.all).toMatch(/install-cni skipped .*the reused cluster has it already/);
    expect(second.all).not.toMatch(/left by earlier runs/);
    expect(await world.clusters()).toEqual(['cnimatrix-reuse-calico-iptables']);
  }, 5 * MINUTES);
});

describe('--kubeconfig: an existing cluster', () => {
  test('the CNI and proxy mode are detected, what its nodes lack is probed and reported with the evidence, the suites run, and the cluster is left alone', async () => {
    const kubeconfig = join(world.dir, 'existing.kubeconfig');
    const config = [
      'kind: Cluster',
      'apiVersion: kind.x-k8s.io/v1alpha4',
      'networking:',
      '  kubeProxyMode: nftables',
      'nodes:',
      '- role: control-plane',
      '- role: worker',
      '- role: worker',
    ].join('\n');
    // Its nodes' kernel has no SCTP, which the kindnet profile declares.
    const env = { ...world.env, [faultEnvName('someone-elses')]: 'kernel-no-sctp' };
    await execa(SIM_KIND_BIN, ['create', 'cluster', '--name', 'someone-elses', '--config', '-', '--kubeconfig', kubeconfig], { env, input: config });

    const run = await world.cnimatrix(['run', '--kubeconfig', kubeconfig, '--suites', 'pod-network', '--run-id', 'existing']);
    expect(run.exitCode).toBe(0);
    expect(run.all).toMatch(/detected CNI kindnet \(from its DaemonSet\), proxy mode nftables/);
    expect(run.all).toMatch(/kindnet-nftables +create-cluster skipped/);
    expect(run.all).toMatch(/kindnet-nftables +delete-cluster skipped/);
    expect(await world.clusters()).toEqual(['someone-elses']);

    // The cell keeps the profile's claim and says, with the probe's evidence, that the cluster lacks it.
    const runDir = join(world.reportsDir, 'existing');
    const xml = readFileSync(join(runDir, 'junit', 'kindnet-nftables.xml'), 'utf8');
    expect(xml).toContain('<property name="capability.sctp.probedAbsent" value="the kernel of every node (someone-elses-control-plane, someone-elses-worker, someone-elses-worker2) has no SCTP');
    const junit = readCellJUnit(xml);
    const evidence = junit.cell.probedAbsent?.sctp ?? '';
    expect(evidence).toMatch(/^the kernel of every node \(someone-elses-control-plane, someone-elses-worker, someone-elses-worker2\) has no SCTP \(.*protocol not supported.*\)$/);
    expect(junit.cell.capabilities).toContain('sctp');
    // An IPv4-only pod network: the probe pods' addresses say so, and the IPv6 checks cost nothing else.
    const ipv6 = junit.cell.probedAbsent?.ipv6 ?? '';
    expect(ipv6).toMatch(/^pods get no IPv6 address on any node: the pod network is IPv4-only \(probe pods: 10\.244\.\d+\.\d+ on someone-elses-\S+; .*\)$/);
    expect(junit.tests.filter((t) => t.status === 'unsupported').map((t) => [t.name, t.detail])).toEqual([
      ['same node › SCTP', `needs sctp: ${evidence}`],
      ['cross node › SCTP', `needs sctp: ${evidence}`],
      ['IPv6 › same node TCP', `needs ipv6: ${ipv6}`],
      ['IPv6 › cross node TCP', `needs ipv6: ${ipv6}`],
      ['IPv6 › cross node UDP', `needs ipv6: ${ipv6}`],
      ['IPv6 › cross node TCP keeps the source pod IPv6 address', `needs ipv6: ${ipv6}`],
    ]);
    const matrix = JSON.parse(readFileSync(join(runDir, 'matrix.json'), 'utf8')) as Matrix;
    expect(matrix.cells[0]).toMatchObject({ id: 'kindnet-nftables', capabilities: junit.cell.capabilities, probedAbsent: { sctp: evidence } });
    const conformance = parseYaml(readFileSync(join(runDir, 'conformance', 'kindnet-nftables.yaml'), 'utf8')) as ConformanceReport;
    expect(conformance.unsupportedFeatures).toContain('sctp');
    expect(conformance.capabilities).not.toContain('sctp');
  }, 5 * MINUTES);

  test('a dual-stack cluster: the probe finds IPv6 pod addresses on every node and the IPv6 checks run and pass', async () => {
    const kubeconfig = join(world.dir, 'dual.kubeconfig');
    const config = ['kind: Cluster', 'apiVersion: kind.x-k8s.io/v1alpha4', 'networking:', '  ipFamily: dual', 'nodes:', '- role: control-plane', '- role: worker', '- role: worker'].join('\n');
    await execa(SIM_KIND_BIN, ['create', 'cluster', '--name', 'dual-stack', '--config', '-', '--kubeconfig', kubeconfig], { env: world.env, input: config });
    try {
      const run = await world.cnimatrix(['run', '--kubeconfig', kubeconfig, '--suites', 'pod-network', '--run-id', 'dual']);
      expect(run.all).toMatch(/ipv6: pods get an IPv6 address on all 3 nodes/);
      expect(run.exitCode).toBe(0);
      const junit = readCellJUnit(readFileSync(join(world.reportsDir, 'dual', 'junit', 'kindnet-iptables.xml'), 'utf8'));
      expect(junit.cell.probedAbsent?.ipv6).toBeUndefined();
      const ipv6 = junit.tests.filter((t) => t.name.startsWith('IPv6 › '));
      expect(ipv6.map((t) => [t.name, t.status])).toEqual([
        ['IPv6 › same node TCP', 'pass'],
        ['IPv6 › cross node TCP', 'pass'],
        ['IPv6 › cross node UDP', 'pass'],
        ['IPv6 › cross node TCP keeps the source pod IPv6 address', 'pass'],
      ]);
    } finally {
      await execa(SIM_KIND_BIN, ['delete', 'cluster', '--name', 'dual-stack', '--kubeconfig', kubeconfig], { env: world.env, reject: false });
    }
  }, 5 * MINUTES);

  test('a 1-node cluster running kube-proxy as static pods: readiness is what it has, the mode is asked of the node, cross-node checks are unsupported', async () => {
    const kubeconfig = join(world.dir, 'single.kubeconfig');
    const config = ['kind: Cluster', 'apiVersion: kind.x-k8s.io/v1alpha4', 'nodes:', '- role: control-plane'].join('\n');
    await execa(SIM_KIND_BIN, ['create', 'cluster', '--name', 'kubeadm-style', '--config', '-', '--kubeconfig', kubeconfig], { env: world.env, input: config });
    // kubeadm-style: no kube-proxy DaemonSet or ConfigMap, a static pod per node configured by flags.
    const kube = createKube({ kubeconfigPath: kubeconfig });
    await kube.delete({ apiVersion: 'apps/v1', kind: 'DaemonSet', namespace: 'kube-system', name: 'kube-proxy' }, { wait: true, timeoutMs: 5000 });
    await kube.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'kube-system', name: 'kube-proxy' });
    const [node] = (await kube.list('v1', 'Node')).map((n) => n.metadata.name);
    await kube.apply([{
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `kube-proxy-${node}`, namespace: 'kube-system', labels: { 'k8s-app': 'kube-proxy' } },
      spec: { nodeName: node, hostNetwork: true, containers: [{ name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.34.4', command: ['kube-proxy', '--proxy-mode=nftables'] }] },
    }]);

    const runId = 'kubeadm';
    const run = await world.cnimatrix(['run', '--kubeconfig', kubeconfig, '--suites', 'pod-network', '--run-id', runId, '--config', world.configFile]);
    expect(run.exitCode).toBe(0);
    expect(run.all).toMatch(/detected CNI kindnet \(from its DaemonSet\), proxy mode nftables \(kube-proxy's \/proxyMode on the only node\)/);
    expect(run.all).toMatch(/every node Ready/);
    expect(run.all).not.toMatch(/kube-proxy DaemonSet rolled out/);
    const junit = readCellJUnit(readFileSync(join(world.reportsDir, runId, 'junit', 'kindnet-nftables.xml'), 'utf8'));
    const reasons = junit.tests.filter((t) => t.status === 'unsupported').map((t) => t.detail ?? '');
    // The three cross-node IPv6 checks among them; the same-node one needs IPv6, which this cluster lacks.
    expect(reasons.filter((r) => r === 'needs 2 schedulable nodes; the cluster has 1')).toHaveLength(10);
    expect(reasons.filter((r) => r !== 'needs 2 schedulable nodes; the cluster has 1')).toEqual([
      'needs ipv6: pods get no IPv6 address on any node: the pod network is IPv4-only (probe pods: 10.244.0.5 on kubeadm-style-control-plane)',
    ]);
    expect(junit.tests.filter((t) => t.status === 'pass')).toHaveLength(8);
    // --resume runs what was detected, not what the flags left open.
    const state = JSON.parse(readFileSync(join(world.reportsDir, runId, 'run.json'), 'utf8')) as { cnis: string[]; proxyModes: string[] };
    expect([state.cnis, state.proxyModes]).toEqual([['kindnet'], ['nftables']]);
  }, 5 * MINUTES);

  test('checks from outside the cluster find the Docker network that holds its nodes, without being told which', async () => {
    const network = await externalNetwork();
    if (!network) return;
    try {
      const kubeconfig = join(world.dir, 'on-a-network.kubeconfig');
      // Created elsewhere on that network; the run below is not told which network it is.
      const config = ['kind: Cluster', 'apiVersion: kind.x-k8s.io/v1alpha4', 'nodes:', '- role: control-plane', '- role: worker', '- role: worker'].join('\n');
      await execa(SIM_KIND_BIN, ['create', 'cluster', '--name', 'on-a-network', '--config', '-', '--kubeconfig', kubeconfig], {
        env: { ...world.env, KIND_EXPERIMENTAL_DOCKER_NETWORK: network.getName() },
        input: config,
      });
      const run = await world.cnimatrix(['run', '--kubeconfig', kubeconfig, '--suites', 'services', '--run-id', 'onnet', '--config', world.configFile], {
        [EXTERNAL_CLIENT_IMAGE_ENV]: EXTERNAL_TEST_IMAGE,
      });
      expect(run.all).toMatch(new RegExp(`external client: Docker network "${network.getName()}" holds the nodes' addresses \\(`));
      const junit = readCellJUnit(readFileSync(join(world.reportsDir, 'onnet', 'junit', 'kindnet-iptables.xml'), 'utf8'));
      const outside = junit.tests.filter((t) => t.name.startsWith('from outside the cluster'));
      expect(outside.length).toBeGreaterThan(2);
      expect(outside.map((t) => [t.name, t.status])).toEqual(outside.map((t) => [t.name, 'pass']));
      expect(run.exitCode).toBe(0);
    } finally {
      await world.deleteAllClusters();
      await network.stop();
    }
  }, 5 * MINUTES);

  test('a cluster whose CNI runs with its policy engine off: the policy checks are unsupported with the evidence, not red', async () => {
    const sim = await startSimCell({ cni: 'calico', proxyMode: 'iptables', faults: ['policy-unenforced'] });
    try {
      const run = await world.cnimatrix(['run', '--kubeconfig', sim.kubeconfigPath, '--suites', 'network-policy', '--run-id', 'nopolicy', '--config', world.configFile]);
      expect(run.all).toMatch(/networkPolicy: not enforced \(a deny-all ingress NetworkPolicy left the client pod connected/);
      const junit = readCellJUnit(readFileSync(join(world.reportsDir, 'nopolicy', 'junit', 'calico-iptables.xml'), 'utf8'));
      expect(junit.tests.length).toBeGreaterThan(20);
      const reasons = new Set(junit.tests.map((t) => `${t.status}: ${(t.detail ?? '').replace(/\(a deny-all.*$/, '')}`));
      expect([...reasons]).toEqual(['unsupported: needs networkPolicy: this cluster does not enforce NetworkPolicy as it is configured ']);
      expect(run.exitCode).toBe(0);
    } finally {
      await sim.stop();
    }
  }, 5 * MINUTES);

  test('a cluster whose CNI cannot be recognised is bad input unless --cni names it', async () => {
    const kubeconfig = join(world.dir, 'bare.kubeconfig');
    const config = ['kind: Cluster', 'apiVersion: kind.x-k8s.io/v1alpha4', 'networking:', '  disableDefaultCNI: true'].join('\n');
    await execa(SIM_KIND_BIN, ['create', 'cluster', '--name', 'bare', '--config', '-', '--kubeconfig', kubeconfig], { env: world.env, input: config });
    const run = await world.cnimatrix(['run', '--kubeconfig', kubeconfig, '--suites', 'dns', '--run-id', 'bare']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/cannot tell which CNI the cluster at .* runs/);
    expect(run.stderr).toMatch(/hint: name it with --cni/);
  }, 5 * MINUTES);
});

describe('--kubeconfig with a --cni the cluster does not run', () => {
  test('wait-ready says at once that the CNI\'s objects are not there, instead of waiting them out', async () => {
    const kubeconfig = join(world.dir, 'wrong-cni.kubeconfig');
    await execa(SIM_KIND_BIN, ['create', 'cluster', '--name', 'runs-kindnet', '--kubeconfig', kubeconfig], { env: world.env });
    const run = await world.cnimatrix(['run', '--kubeconfig', kubeconfig, '--cni', 'flannel', '--suites', 'dns', '--run-id', 'wrongcni', '--config', world.configFile]);
    expect(run.exitCode).toBe(4);
    expect(run.all).toMatch(/wait-ready failed .*DaemonSet kube-flannel\/kube-flannel-ds does not exist in this cluster, so flannel's readiness cannot be checked; if the cluster runs another CNI .* pass --cni/);
    expect(run.all).not.toMatch(/timed out/);
    // The version the cluster runs, although wait-ready never got to read it.
    const [node] = await createKube({ kubeconfigPath: kubeconfig }).list('v1', 'Node');
    const kubelet = (node?.status as { nodeInfo: { kubeletVersion: string } }).nodeInfo.kubeletVersion;
    expect(readCellJUnit(readFileSync(join(world.reportsDir, 'wrongcni', 'junit', 'flannel-iptables.xml'), 'utf8')).cell.kubernetesVersion).toBe(kubelet);
  }, 5 * MINUTES);
});

describe('a single-node cell (--workers 0)', () => {
  test('the cross-node checks are unsupported with the reason, the others run, exit 0', async () => {
    const runId = 'single';
    const run = await world.cnimatrix(['run', '--cni', 'kindnet', '--proxy-mode', 'iptables', '--suites', 'pod-network', '--workers', '0', '--run-id', runId, '--config', world.configFile]);
    expect(run.exitCode).toBe(0);
    expect(run.all).toMatch(/kindnet-iptables +only 1 schedulable node: cross-node checks will be unsupported/);
    const junit = readCellJUnit(readFileSync(join(world.reportsDir, runId, 'junit', 'kindnet-iptables.xml'), 'utf8'));
    const unsupported = junit.tests.filter((t) => t.status === 'unsupported');
    expect(unsupported.map((t) => t.name)).toContain('cross node › TCP');
    // Three of the IPv6 group among the cross-node ones; its same-node check needs an IPv6 pod network.
    expect(unsupported).toHaveLength(11);
    expect(new Set(unsupported.map((t) => t.detail?.replace(/ \(probe pods: .*\)$/, '')))).toEqual(
      new Set(['needs 2 schedulable nodes; the cluster has 1', 'needs ipv6: pods get no IPv6 address on any node: the pod network is IPv4-only']),
    );
    expect(junit.tests.filter((t) => t.status === 'pass')).toHaveLength(8);
  }, 5 * MINUTES);
});

describe('runs that cannot test anything say so, with the documented exit code', () => {
  const writeKubeconfig = (name: string, text: string) => {
    const file = join(world.dir, name);
    writeFileSync(file, text);
    return file;
  };

  test('an unreachable API server is the environment (exit 3), naming server, context and kubeconfig', async () => {
    const kubeconfig = writeKubeconfig(
      'unreachable.kubeconfig',
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: gone, cluster: {server: "https://127.0.0.1:1"}}]',
        'users: [{name: me, user: {token: t}}]',
        'contexts: [{name: gone-ctx, context: {cluster: gone, user: me}}]',
        'current-context: gone-ctx',
      ].join('\n'),
    );
    const run = await world.cnimatrix(['run', '--kubeconfig', kubeconfig, '--suites', 'dns', '--run-id', 'unreachable']);
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toMatch(/cannot reach the API server https:\/\/127\.0\.0\.1:1 \(context "gone-ctx" of kubeconfig .*unreachable\.kubeconfig\)/);
    expect(run.stderr).not.toMatch(/unexpected failure|report it as a bug/);
  }, 2 * MINUTES);

  test('a kubeconfig without contexts is bad input that says so (not context "undefined")', async () => {
    const kubeconfig = writeKubeconfig('empty.kubeconfig', 'apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\n');
    const run = await world.cnimatrix(['run', '--kubeconfig', kubeconfig, '--suites', 'dns', '--run-id', 'noctx']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/kubeconfig .*empty\.kubeconfig has no contexts/);
    expect(run.stderr).not.toMatch(/undefined/);
  }, 2 * MINUTES);

  test('a request whose every combination is unsupported exits 2 and creates nothing', async () => {
    const run = await world.cnimatrix(['run', '--config', world.configFile, '--cni', 'kindnet', '--proxy-mode', 'none', '--run-id', 'nothing']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/nothing to run: none of the requested combinations can run \(kindnet-none\)/);
    expect(await world.clusters()).toEqual([]);
    // A run that tested nothing still leaves a red report saying why.
    const report = join(world.reportsDir, 'nothing');
    expect(run.stderr).toContain(`the report says the same: ${join(report, 'matrix.md')}`);
    const matrix = JSON.parse(readFileSync(join(report, 'matrix.json'), 'utf8')) as Matrix;
    expect(matrix.run.ended).toMatchObject({ exitCode: 2, message: expect.stringMatching(/^nothing to run/) });
    expect(readFileSync(join(report, 'matrix.html'), 'utf8')).toMatch(/Result: failed — the run ended before any cell ran \(exit 2\): nothing to run/);
    expect(existsSync(join(report, 'junit.xml'))).toBe(false);
  }, 2 * MINUTES);

  test('a run id that already holds a run is refused without touching its report', async () => {
    const first = await world.cnimatrix(['run', '--config', world.configFile, '--cni', 'kindnet', '--proxy-mode', 'none', '--run-id', 'kept']);
    expect(first.exitCode).toBe(2);
    const report = join(world.reportsDir, 'kept');
    // A run that got as far as its cells holds a run state; a second try must leave its matrix alone.
    writeFileSync(join(report, RUN_STATE_FILE), '{}');
    const before = readFileSync(join(report, 'matrix.json'), 'utf8');
    const second = await world.cnimatrix(['run', '--config', world.configFile, '--cni', 'kindnet', '--proxy-mode', 'iptables', '--run-id', 'kept']);
    expect(second.exitCode).toBe(2);
    expect(second.stderr).toMatch(/already holds run kept/);
    expect(readFileSync(join(report, 'matrix.json'), 'utf8')).toBe(before);
  }, 2 * MINUTES);
});
