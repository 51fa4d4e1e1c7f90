// The pod-network and network-policy suites run against simulated cells: green on a faithful
// cell, and on a cell with one dataplane fault exactly the checks that cover the fault fail,
// each with a message that names the defect.
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { execa } from 'execa';
import { ANNOTATIONS_ENV, CELL_ENV, type CellInfo } from '../../harness/model/cell.ts';
import type { Annotation } from '../../harness/model/results.ts';
import { SETTLE_WINDOW_ENV } from '../../harness/probe/index.ts';
import { simCapabilities, startSimCell, type SimCellOptions } from '../sim/harness.ts';

interface JestAssertion {
  fullName: string;
  ancestorTitles: string[];
  title: string;
  status: 'passed' | 'failed' | 'pending' | 'skipped' | 'todo';
  failureMessages: string[];
}

interface SuiteRun {
  byName: Map<string, JestAssertion>;
  annotations: Annotation[];
  output: string;
}

const SUITE_FILES = { 'pod-network': 'suites/pod-network.suite.ts', 'network-policy': 'suites/network-policy.suite.ts' } as const;

/** Name of a check as reports show it: groups and title without the suite. */
const checkName = (a: JestAssertion) => [...a.ancestorTitles.slice(1), a.title].join(' › ');

async function runSuite(suite: keyof typeof SUITE_FILES, cell: SimCellOptions, strict = false, told: Partial<CellInfo> = {}, only?: string): Promise<SuiteRun> {
  const dir = mkdtempSync(join(tmpdir(), 'cnimatrix-suite-'));
  const sim = await startSimCell(cell);
  try {
    const outputFile = join(dir, 'jest.json');
    const annotationsFile = join(dir, 'annotations.jsonl');
    const cellInfo: CellInfo = { ...sim.cell, strict, ...told };
    const child = await execa(
      'node',
      [
        '--disable-warning=ExperimentalWarning',
        '--experimental-vm-modules',
        'node_modules/jest/bin/jest.js',
        '--selectProjects',
        'suites',
        '--json',
        '--outputFile',
        outputFile,
        '--testPathPatterns',
        SUITE_FILES[suite],
        ...(only ? ['--testNamePattern', only] : []),
      ],
      {
        reject: false,
        all: true,
        // A fault never heals in the sim, so a short settle window only shortens failing checks.
        env: { ...sim.env, [CELL_ENV]: JSON.stringify(cellInfo), [ANNOTATIONS_ENV]: annotationsFile, [SETTLE_WINDOW_ENV]: '1' },
      },
    );
    if (!existsSync(outputFile)) throw new Error(`jest wrote no results:\n${child.all}`);
    const report = JSON.parse(readFileSync(outputFile, 'utf8')) as { testResults: { assertionResults: JestAssertion[]; message: string }[] };
    const assertions = report.testResults.flatMap((r) => r.assertionResults);
    if (assertions.length === 0) throw new Error(`no checks ran:\n${report.testResults.map((r) => r.message).join('\n')}\n${child.all}`);
    const annotations = existsSync(annotationsFile)
      ? readFileSync(annotationsFile, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Annotation)
      : [];
    return { byName: new Map(assertions.map((a) => [checkName(a), a])), annotations, output: child.all ?? '' };
  } finally {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const failed = (run: SuiteRun) => [...run.byName.values()].filter((a) => a.status === 'failed').map(checkName).sort();
const messageOf = (run: SuiteRun, name: string) => run.byName.get(name)?.failureMessages.join('\n') ?? '';

const faithful: SimCellOptions = { cni: 'calico', proxyMode: 'iptables' };
/** pod-network's IPv6 group, sorted; they run on a dual-stack cell only. */
const IPV6_CHECKS = ['IPv6 › cross node TCP', 'IPv6 › cross node TCP keeps the source pod IPv6 address', 'IPv6 › cross node UDP', 'IPv6 › same node TCP'];

describe('on a faithful cell', () => {
  test('pod-network passes every check; on an IPv4-only cell the IPv6 ones are unsupported with the reason', async () => {
    const run = await runSuite('pod-network', faithful);
    expect(failed(run)).toEqual([]);
    expect(run.byName.size).toBe(19);
    const notPassed = [...run.byName.values()].filter((a) => a.status !== 'passed');
    expect(notPassed.map(checkName).sort()).toEqual(IPV6_CHECKS);
    expect(notPassed.every((a) => a.status === 'pending')).toBe(true);
    expect(run.annotations.filter((a) => a.kind === 'unsupported').map((a) => a.detail)).toEqual(IPV6_CHECKS.map(() => 'needs ipv6; the calico profile does not declare it'));
    expect(run.annotations.filter((a) => a.kind === 'flaky')).toEqual([]);
  }, 180_000);

  test('pod-network on a dual-stack cell passes the IPv6 checks too, between the pods\' IPv6 addresses', async () => {
    const run = await runSuite('pod-network', { ...faithful, ipFamily: 'dual' });
    expect(failed(run)).toEqual([]);
    expect([...run.byName.values()].filter((a) => a.status !== 'passed').map(checkName)).toEqual([]);
    expect(run.byName.size).toBe(19);
  }, 180_000);

  test('network-policy passes every scenario', async () => {
    const run = await runSuite('network-policy', faithful);
    expect(failed(run)).toEqual([]);
    expect([...run.byName.values()].every((a) => a.status === 'passed')).toBe(true);
    expect(run.byName.size).toBeGreaterThan(25);
    expect(run.annotations.filter((a) => a.kind === 'flaky')).toEqual([]);
  }, 300_000);
});

describe('pod-network faults', () => {
  test('ipv6-no-cross-node on a dual-stack cell: only the cross-node IPv6 checks fail, naming the IPv6 addresses', async () => {
    const run = await runSuite('pod-network', { ...faithful, ipFamily: 'dual', faults: ['ipv6-no-cross-node'] });
    expect(failed(run)).toEqual(['IPv6 › cross node TCP', 'IPv6 › cross node TCP keeps the source pod IPv6 address', 'IPv6 › cross node UDP']);
    expect(messageOf(run, 'IPv6 › cross node TCP')).toMatch(/IPv6 cross node TCP: client on \S+ \(fd00:[0-9a-f:]+\) could not reach other-node on \S+ \(fd00:[0-9a-f:]+\) on 80\/TCP — timeout/);
  }, 180_000);

  test('snat-cross-node on a dual-stack cell: the IPv6 source-address check fails too, naming what the destination saw', async () => {
    const run = await runSuite('pod-network', { ...faithful, ipFamily: 'dual', faults: ['snat-cross-node'] });
    expect(failed(run)).toContain('IPv6 › cross node TCP keeps the source pod IPv6 address');
    expect(messageOf(run, 'IPv6 › cross node TCP keeps the source pod IPv6 address')).toMatch(/destination saw \S+ instead of the source pod IP fd00:[0-9a-f:]+ .* traffic is SNATed between nodes/);
  }, 180_000);

  test('snat-cross-node: the cross-node and Service source-IP checks fail naming the SNAT', async () => {
    const run = await runSuite('pod-network', { ...faithful, faults: ['snat-cross-node'] });
    expect(failed(run)).toEqual(['cross node › TCP keeps the source pod IP', 'cross node › UDP keeps the source pod IP', 'pod → ClusterIP → pod keeps the source pod IP']);
    expect(messageOf(run, 'cross node › TCP keeps the source pod IP')).toMatch(/cross node TCP: destination saw \S+ instead of the source pod IP \S+ .* traffic is SNATed between nodes/);
    expect(messageOf(run, 'pod → ClusterIP → pod keeps the source pod IP')).toMatch(/traffic is SNATed on the way through the Service/);
  }, 180_000);

  test('no-cross-node: every check that crosses nodes fails, same-node checks pass', async () => {
    const run = await runSuite('pod-network', { ...faithful, faults: ['no-cross-node'] });
    expect(failed(run)).toEqual([
      'cross node › SCTP',
      'cross node › TCP',
      'cross node › TCP keeps the source pod IP',
      'cross node › UDP',
      'cross node › UDP keeps the source pod IP',
      'cross node: a 64 KiB HTTP body arrives intact',
      'from the node › hostNetwork pod → pod over UDP',
      'from the node › node → pod on another node',
      'pod → ClusterIP → pod keeps the source pod IP',
    ]);
    expect(messageOf(run, 'cross node › TCP')).toMatch(/could not reach other-node .* pod-to-pod TCP between nodes is broken/);
  }, 180_000);
});

describe('network-policy faults', () => {
  const namedPerPod = ['named port resolved on each destination pod', 'named port resolved on each destination pod, egress'];
  const ranges = ['endPort range', 'endPort range egress'];
  const cases: [string, string[], RegExp][] = [
    [
      'policy-ignore-egress',
      ['default deny egress', 'allow all egress over default deny', 'named port egress', 'named port resolved on each destination pod, egress', 'endPort range egress', 'ipBlock egress with except', 'egress allows only DNS', 'several policies at once', 'guide: restrict-egress'],
      /isolated for egress/,
    ],
    ['policy-peers-or-instead-of-and', ['peers AND: namespaceSelector with podSelector in one peer', 'matchExpressions In and NotIn', 'matchExpressions Exists and DoesNotExist', 'pod label change', 'guide: complex-policy'], /expected denied, observed allowed/],
    ['policy-ignore-except', ['ipBlock ingress with except', 'ipBlock egress with except', 'guide: complex-policy'], /expected denied, observed allowed/],
    ['policy-ignore-named-ports', ['named port ingress', 'named port egress', ...namedPerPod], /differ/],
    // Only the named port whose number differs per pod shows a resolution against the wrong pod.
    ['policy-named-port-first-pod', namedPerPod, /- 9002\/TCP \S+ → [xyz]\/b: observed /],
    // Only a probe inside the range sees it shrink to its first port; only one at its end sees an exclusive end.
    ['policy-endport-first-port-only', ranges, /- 85\/TCP \S+ → \S+: observed /],
    ['policy-endport-exclusive', ranges, /- 90\/TCP \S+ → \S+: observed /],
    // Every scenario whose probes expect some UDP cell denied.
    ['policy-udp-unenforced', ['default deny ingress', 'default deny egress', 'pod selector', 'named port ingress', 'named port egress', ...ranges, 'UDP is enforced', 'guide: deny-all-ingress', 'several policies at once', 'egress allows only DNS'], /\/UDP/],
  ];

  test.each(cases)('%s: exactly the scenarios exercising it fail, with tables and reasons', async (fault, expectedFailures, reason) => {
    const run = await runSuite('network-policy', { ...faithful, faults: [fault] });
    expect(failed(run)).toEqual(expectedFailures.map((name) => `scenarios › ${name}`).sort());
    for (const name of expectedFailures) {
      const message = messageOf(run, `scenarios › ${name}`);
      expect(message).toMatch(/expected:\n[\s\S]*observed:\n[\s\S]*diff:\n/);
      expect(message).toMatch(/engine: (denied|allowed): /);
      expect(message).toMatch(reason);
    }
  }, 300_000);
});

describe('a deleted policy whose rules stay behind (policy-deletion-ignored)', () => {
  // tcp-80-only leaves 80/TCP open, so only a restore that looks at the ports the scenario closed
  // (80/UDP, 81/UDP) sees the stale rules; otherwise the next scenario would take the blame.
  test('fails the scenario that left it, naming the ports still closed', async () => {
    const run = await runSuite('network-policy', { ...faithful, faults: ['policy-deletion-ignored'] }, false, {}, 'UDP is enforced');
    expect(failed(run)).toEqual(['scenarios › UDP is enforced']);
    const message = messageOf(run, 'scenarios › UDP is enforced');
    expect(message).toMatch(/restoring the model failed: after deleting its policies the model is still not as open as with no policy on 80\/TCP, 80\/UDP, 81\/UDP/);
    expect(message).toMatch(/- 80\/UDP \S+ → x\/a: observed /);
  }, 300_000);
});

describe('on a single-node cell', () => {
  test('pod-network reports the cross-node checks unsupported with the reason and passes the rest', async () => {
    const run = await runSuite('pod-network', { ...faithful, workers: 0 });
    expect(failed(run)).toEqual([]);
    const skipped = [...run.byName.values()].filter((a) => a.status === 'pending').map(checkName).sort();
    expect(skipped).toEqual([
      ...IPV6_CHECKS,
      'cross node › SCTP',
      'cross node › TCP',
      'cross node › TCP keeps the source pod IP',
      'cross node › UDP',
      'cross node › UDP keeps the source pod IP',
      'cross node: a 64 KiB HTTP body arrives intact',
      'from the node › node → pod on another node',
    ]);
    expect(new Set(run.annotations.filter((a) => a.kind === 'unsupported').map((a) => a.detail))).toEqual(
      new Set(['needs 2 schedulable nodes; the cluster has 1', 'needs ipv6; the calico profile does not declare it']),
    );
    expect([...run.byName.values()].filter((a) => a.status === 'passed')).toHaveLength(8);
  }, 180_000);
});

describe('on nodes whose kernel has no SCTP', () => {
  const noSctp: SimCellOptions = { ...faithful, faults: ['kernel-no-sctp'] };
  const evidence = 'the kernel of every node has no SCTP (a pod\'s SCTP socket fails: "OTHER: protocol not supported")';
  // What probe-capabilities tells the suites on such a cell.
  const probed = (capabilities: CellInfo['capabilities']): Partial<CellInfo> => ({ capabilities: capabilities.filter((c) => c !== 'sctp'), probedAbsent: { sctp: evidence } });

  test("told the probe's verdict, pod-network reports its SCTP checks unsupported with the evidence and passes the rest", async () => {
    const run = await runSuite('pod-network', noSctp, false, probed(simCapabilities(noSctp.cni, noSctp.proxyMode)));
    expect(failed(run)).toEqual([]);
    const skipped = [...run.byName.values()].filter((a) => a.status === 'pending').map(checkName).sort();
    expect(skipped.filter((name) => !IPV6_CHECKS.includes(name))).toEqual(['cross node › SCTP', 'same node › SCTP']);
    const reasons = run.annotations.filter((a) => a.kind === 'unsupported').map((a) => a.detail);
    expect(reasons.filter((r) => r.startsWith('needs sctp'))).toEqual([`needs sctp: ${evidence}`, `needs sctp: ${evidence}`]);
  }, 180_000);

  test('--strict does not run what the kernel cannot do: network-policy skips only its SCTP scenario', async () => {
    const run = await runSuite('network-policy', noSctp, true, probed(simCapabilities(noSctp.cni, noSctp.proxyMode)));
    expect(failed(run)).toEqual([]);
    expect([...run.byName.values()].filter((a) => a.status === 'pending').map(checkName)).toEqual(['scenarios › SCTP default deny and allow']);
  }, 300_000);
});

describe('on a Cilium cell, whose ipBlocks never match pod IPs', () => {
  const cilium: SimCellOptions = { cni: 'cilium', proxyMode: 'iptables' };
  const ipBlockOfPods = ['scenarios › guide: complex-policy', 'scenarios › ipBlock egress with except', 'scenarios › ipBlock ingress with except'];

  test('the ipBlock scenarios built from pod IPs are unsupported with the reason, not red; the rest pass', async () => {
    const run = await runSuite('network-policy', cilium);
    expect(failed(run)).toEqual([]);
    const skipped = [...run.byName.values()].filter((a) => a.status === 'pending').map(checkName).sort();
    expect(skipped).toEqual([...ipBlockOfPods, 'scenarios › SCTP default deny and allow'].sort());
    const reasons = run.annotations.filter((a) => a.kind === 'unsupported' && ipBlockOfPods.includes(a.name)).map((a) => a.detail);
    expect(reasons).toEqual(ipBlockOfPods.map(() => 'needs ipBlockMatchesPodIPs; the cilium profile does not declare it'));
  }, 300_000);

  test('with --strict they run and fail, because the cell really does not match pod IPs', async () => {
    const run = await runSuite('network-policy', cilium, true);
    // SCTP runs too under --strict, and Cilium (without enable-sctp) carries none.
    expect(failed(run)).toEqual([...ipBlockOfPods, 'scenarios › SCTP default deny and allow'].sort());
    expect(messageOf(run, 'scenarios › ipBlock ingress with except')).toMatch(/expected allowed, observed denied/);
  }, 300_000);
});

describe('on a cell without NetworkPolicy (flannel)', () => {
  test('policy checks are unsupported (skipped with an annotation)', async () => {
    const run = await runSuite('network-policy', { cni: 'flannel', proxyMode: 'iptables' });
    const statuses = new Set([...run.byName.values()].map((a) => a.status));
    expect(statuses).toEqual(new Set(['pending']));
    const unsupported = run.annotations.filter((a) => a.kind === 'unsupported');
    expect(unsupported).toHaveLength(run.byName.size);
    expect(unsupported[0]?.detail).toMatch(/needs networkPolicy; the flannel profile does not declare it/);
  }, 180_000);

  test('with strict they run and fail because nothing is enforced', async () => {
    const run = await runSuite('network-policy', { cni: 'flannel', proxyMode: 'iptables' }, true);
    expect(run.byName.get('baseline: without policies every model pod reaches every other')?.status).toBe('passed');
    expect(messageOf(run, 'scenarios › default deny ingress')).toMatch(/expected denied, observed allowed/);
    expect(failed(run).length).toBeGreaterThan(15);
  }, 300_000);
});
