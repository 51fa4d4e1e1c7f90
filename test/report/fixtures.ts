// Synthetic cell results for the report tests.
import type { CniName, ProxyMode } from '../../harness/model/cell.ts';
import type { CellResult, TestResult } from '../../harness/model/results.ts';
import type { RunInfo } from '../../harness/report/matrix.ts';

export const RUN: RunInfo = {
  id: 'run-20240501-1200',
  startedAt: '2024-05-01T12:00:00.000Z',
  finishedAt: '2024-05-01T12:30:00.000Z',
  host: 'ci-runner-1',
  cnimatrixVersion: '0.1.0',
};

/** Names that break naive XML, HTML and Markdown writers. */
export const NASTY_NAMES = [
  'a < b && c > d',
  'pipe | in | name',
  `quotes "double" and 'single'`,
  'line one\nline two',
  'backticks `code` and ``` fences',
  'unicode › ünïcødé 日本語 🚀',
  'closes </script><script>alert(1)</script>',
  'comment <!-- x --> and ]]> cdata end',
  'markdown *bold* _it_ [link](x) ~strike~ $math$ \\ backslash',
];

export function cell(cni: CniName, proxyMode: ProxyMode, tests: TestResult[], extra: Partial<CellResult> = {}): CellResult {
  const id = `${cni}-${proxyMode}`;
  return {
    runId: RUN.id,
    cell: {
      id,
      cni,
      cniVersion: cni === 'calico' ? 'v3.28.0' : 'v1.0.0',
      proxyMode,
      capabilities: cni === 'kindnet' ? [] : ['networkPolicy', 'sctp'],
      kindVersion: 'v0.23.0',
      kubernetesVersion: 'v1.30.0',
      nodeImage: 'kindest/node:v1.30.0@sha256:047357ac0cfea04663786a612ba1eaba9702bef25227a794b52890dd8bcd692e',
      clusterName: `cnimatrix-${id}`,
      host: RUN.host,
    },
    startedAt: '2024-05-01T12:00:05.000Z',
    finishedAt: '2024-05-01T12:10:00.000Z',
    phases: [
      { phase: 'create-cluster', status: 'ok', startedAt: '2024-05-01T12:00:05.000Z', durationMs: 41000 },
      { phase: 'install-cni', status: 'ok', startedAt: '2024-05-01T12:00:46.000Z', durationMs: 12000 },
      { phase: 'run-suites', status: 'ok', startedAt: '2024-05-01T12:01:00.000Z', durationMs: 300000 },
    ],
    tests,
    ...extra,
  };
}

/** What probe-capabilities records on a cell whose nodes' kernel has no SCTP. */
export const NO_SCTP_EVIDENCE = 'the kernel of every node (n-control-plane, n-worker) has no SCTP (a pod\'s SCTP socket fails: "OTHER: protocol not supported")';

/** The cell as run on a cluster probed not to have some of its declared capabilities. */
export function probedAbsent(result: CellResult, absent: NonNullable<CellResult['cell']['probedAbsent']>): CellResult {
  return { ...result, cell: { ...result.cell, probedAbsent: absent } };
}

export const pass = (suite: TestResult['suite'], name: string, durationMs = 120): TestResult => ({ suite, name, status: 'pass', durationMs });
export const fail = (suite: TestResult['suite'], name: string, message: string): TestResult => ({ suite, name, status: 'fail', durationMs: 2500, message });
export const flaky = (suite: TestResult['suite'], name: string, detail: string): TestResult => ({ suite, name, status: 'flaky', durationMs: 900, detail });
export const unsupported = (suite: TestResult['suite'], name: string, detail: string): TestResult => ({ suite, name, status: 'unsupported', durationMs: 0, detail });
export const errored = (suite: TestResult['suite'], name: string, message: string): TestResult => ({ suite, name, status: 'error', durationMs: 10, message });

export const TRUTH_TABLE_DIFF = [
  'policy deny-all-ingress: 2 of 6 probes differ',
  'source → target   expected   observed',
  'client-a → srv:80  timeout    connected  ✗',
  'client-b → srv:80  timeout    connected  ✗',
].join('\n');

/** A representative cell: every status, a nasty name, a multi-line failure. */
export function mixedCell(cni: CniName = 'calico', proxyMode: ProxyMode = 'iptables'): CellResult {
  return cell(cni, proxyMode, [
    pass('pod-network', 'same node › TCP'),
    pass('pod-network', 'cross node › TCP'),
    fail('network-policy', 'deny all ingress', TRUTH_TABLE_DIFF),
    flaky('network-policy', 'allow from namespace', 'client-a → srv:80 was timeout, then connected after 2 re-probes'),
    unsupported('pod-network', 'SCTP', 'needs capability sctp'),
    errored('dns', 'search path', 'exec into dnsutils failed: pod not ready'),
    pass('services', 'ClusterIP › TCP'),
  ]);
}

/** N cells × M tests with a sprinkling of every status, for size and browser tests. */
export function bigRun(cellCount: number, testCount: number): CellResult[] {
  const combos: [CniName, ProxyMode][] = [];
  for (const cni of ['kindnet', 'calico', 'flannel', 'cilium', 'weave'] as const) {
    for (const mode of ['iptables', 'ipvs', 'nftables', 'none'] as const) combos.push([cni, mode]);
  }
  const suites = ['pod-network', 'network-policy', 'dns', 'ingress', 'services'] as const;
  return combos.slice(0, cellCount).map(([cni, mode], c) => {
    const tests: TestResult[] = [];
    for (let t = 0; t < testCount; t++) {
      const suite = suites[t % suites.length] ?? 'dns';
      const name = `case ${String(t).padStart(3, '0')} › ${suite} scenario`;
      // Two tests in three pass everywhere; the rest get every status across the cells.
      const k = t % 3 === 0 ? (t * 7 + c * 3) % 23 : -1;
      if (k === 0) tests.push(fail(suite, name, `${TRUTH_TABLE_DIFF}\n(cell ${cni}-${mode}, test ${t})`));
      else if (k === 1) tests.push(flaky(suite, name, 'flipped once'));
      else if (k === 2 || k === 3) tests.push(unsupported(suite, name, 'needs capability networkPolicy'));
      else if (k === 4) tests.push(errored(suite, name, 'harness error'));
      else tests.push(pass(suite, name, 100 + t));
    }
    return cell(cni, mode, tests);
  });
}
