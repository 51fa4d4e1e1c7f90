// The dns, ingress and services suites against simulated cells: every check passes on a faithful
// cell, and each fault makes exactly the checks it breaks fail, with a message naming the defect.
// With a container engine, each cell gets its own Docker network and the sim's node front puts the
// nodes' addresses on it, so the suites' external-client checks run for real from a container.
// Without one they are switched off with a printed reason (failing instead when CI=true).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { execa } from 'execa';
import { Network } from 'testcontainers';
import { createKube } from '../../harness/kube/index.ts';
import type { KubeObject } from '../../harness/kube/types.ts';
import { CELL_ENV, type CellInfo, type CniName, type ProxyMode } from '../../harness/model/cell.ts';
import { startSimCell } from '../sim/harness.ts';
import { ingressControllerObjects } from '../sim/ingress-controller.ts';
import { externalChecksAvailable, externalEnv } from './external-setting.ts';

const external = await externalChecksAvailable();

const SUITE_FILES = { dns: 'suites/dns.suite.ts', ingress: 'suites/ingress.suite.ts', services: 'suites/services.suite.ts' } as const;
type Suite = keyof typeof SUITE_FILES;


async function installIngressController(kubeconfigPath: string): Promise<void> {
  const kube = createKube({ kubeconfigPath });
  await kube.apply(ingressControllerObjects());
  await kube.waitFor({ kind: 'podsReady', namespace: 'ingress-nginx', labelSelector: 'app.kubernetes.io/component=controller', minCount: 1 }, 30_000);
}

interface TestOutcome {
  name: string;
  status: string;
  message: string;
}

interface SuiteRun {
  tests: TestOutcome[];
  stdout: string;
}

/** Runs suite files in a child jest against a sim cell and returns every test's outcome. */
async function runSuites(cell: { cni: CniName; proxyMode: ProxyMode; faults?: string[] }, suites: Suite[]): Promise<SuiteRun> {
  const network = external ? await new Network().start() : undefined;
  try {
    return await runSuitesOn(cell, suites, network?.getName());
  } finally {
    await network?.stop();
  }
}

async function runSuitesOn(cell: { cni: CniName; proxyMode: ProxyMode; faults?: string[] }, suites: Suite[], dockerNetwork: string | undefined): Promise<SuiteRun> {
  const sim = await startSimCell({ ...cell, ...(dockerNetwork ? { dockerNetwork } : {}) });
  try {
    if (dockerNetwork && !sim.front.active) throw new Error(`the sim's node front did not come up on ${dockerNetwork}: ${sim.front.reason}`);
    const info = JSON.parse(sim.env[CELL_ENV] ?? '{}') as CellInfo;
    if (suites.includes('ingress')) {
      await installIngressController(sim.kubeconfigPath);
      info.capabilities = [...info.capabilities, 'ingress'];
    }
    const dir = mkdtempSync(join(tmpdir(), 'cnimatrix-suites-'));
    const outputFile = join(dir, 'result.json');
    const child = await execa(
      process.execPath,
      [
        '--disable-warning=ExperimentalWarning',
        '--experimental-vm-modules',
        'node_modules/jest/bin/jest.js',
        ...suites.map((s) => SUITE_FILES[s]),
        '--selectProjects',
        'suites',
        '--json',
        '--outputFile',
        outputFile,
      ],
      {
        reject: false,
        env: {
          ...sim.env,
          [CELL_ENV]: JSON.stringify(info),
          ...externalEnv(dockerNetwork),
          CNIMATRIX_SETTLE_SECONDS: '2',
          CNIMATRIX_ANNOTATIONS: join(dir, 'annotations.jsonl'),
        },
        all: true,
      },
    );
    let report: { testResults: { assertionResults: { ancestorTitles: string[]; title: string; status: string; failureMessages: string[] }[]; message: string }[] };
    try {
      report = JSON.parse(readFileSync(outputFile, 'utf8'));
    } catch {
      throw new Error(`the suites' jest run wrote no report (exit ${child.exitCode}):\n${child.all}`);
    }
    const suiteErrors = report.testResults.filter((r) => r.assertionResults.length === 0 && r.message).map((r) => r.message);
    if (suiteErrors.length > 0) throw new Error(`a suite file failed to run:\n${suiteErrors.join('\n')}`);
    const tests = report.testResults.flatMap((r) =>
      r.assertionResults.map((a) => ({
        name: [...a.ancestorTitles, a.title].join(' › '),
        status: a.status,
        message: a.failureMessages.join('\n'),
      })),
    );
    return { tests, stdout: child.all ?? '' };
  } finally {
    await sim.stop();
  }
}

const failed = (run: SuiteRun) => run.tests.filter((t) => t.status === 'failed');
const names = (tests: TestOutcome[]) => tests.map((t) => t.name).sort();

interface ExpectedFailure {
  name: RegExp;
  message: RegExp;
}

/**
 * Every expected failure happened with its message; any other failure is one of `consequences`
 * (checks that legitimately depend on what the fault breaks); everything else passed, or (only
 * without a container engine) was an external check skipped with its printed reason.
 */
function expectOnlyThese(run: SuiteRun, expected: ExpectedFailure[], consequences: ExpectedFailure[] = []): void {
  for (const e of expected) {
    const hit = failed(run).filter((t) => e.name.test(t.name));
    expect({ check: e.name.source, failed: hit.length > 0 }).toEqual({ check: e.name.source, failed: true });
    for (const t of hit) expect(t.message).toMatch(e.message);
  }
  for (const t of failed(run)) {
    const consequence = consequences.find((c) => c.name.test(t.name));
    if (consequence) expect(t.message).toMatch(consequence.message);
  }
  const unexpected = failed(run).filter((t) => ![...expected, ...consequences].some((e) => e.name.test(t.name)));
  expect(unexpected.map((t) => `${t.name}: ${t.message.split('\n')[0]}`)).toEqual([]);
  const skipped = run.tests.filter((t) => t.status === 'pending');
  if (external) {
    expect(skipped.map((t) => t.name)).toEqual([]);
    return;
  }
  for (const t of skipped) expect(t.name).toMatch(/from outside the cluster/);
  if (skipped.some((t) => /from outside the cluster/.test(t.name))) {
    expect(run.stdout).toMatch(/from outside the cluster › .*: skipped: disabled by CNIMATRIX_EXTERNAL_CLIENT=off/);
  }
}

/**
 * An ingress check's expected failure from each vantage that runs: "from a pod", and "from outside
 * the cluster" when external checks run (the external client reaches the same controller).
 */
function fromEachVantage(check: string, message: RegExp): ExpectedFailure[] {
  const vantages = external ? ['from a pod', 'from outside the cluster'] : ['from a pod'];
  return vantages.map((v) => ({ name: new RegExp(`${v} › ${check}`), message }));
}

/** Expected failures of checks probed from outside the cluster: none when external checks are off. */
function fromOutside(expected: ExpectedFailure[]): ExpectedFailure[] {
  return external ? expected : [];
}

const E2E_TIMEOUT_MS = 600_000;

describe('suites on faithful sim cells', () => {
  test(
    'calico-iptables: every dns, ingress and services check passes',
    async () => {
      const run = await runSuites({ cni: 'calico', proxyMode: 'iptables' }, ['dns', 'ingress', 'services']);
      expect(names(failed(run))).toEqual([]);
      expect(run.tests.filter((t) => t.status === 'passed').length).toBeGreaterThan(30);
      expectOnlyThese(run, []);
      const outside = run.tests.filter((t) => /from outside the cluster/.test(t.name));
      if (external) {
        // Ingress cases plus cookie affinity, and the four NodePort checks, all from the container.
        expect(outside.length).toBeGreaterThan(10);
        expect(outside.filter((t) => t.status !== 'passed').map((t) => t.name)).toEqual([]);
      }
      process.stdout.write(`[e2e] external checks: ${outside.map((t) => `${t.status} ${t.name}`).join('\n  ')}\n`);
    },
    E2E_TIMEOUT_MS,
  );

  test(
    'cilium-none: no kube-proxy, and Services work through the kube-proxy replacement',
    async () => {
      const run = await runSuites({ cni: 'cilium', proxyMode: 'none' }, ['services']);
      expect(names(failed(run))).toEqual([]);
      const passed = names(run.tests.filter((t) => t.status === 'passed'));
      expect(passed).toContain("services › kube-proxy › kube-proxy runs in the cell's proxy mode");
      expect(passed.some((n) => n.includes('ClusterIP › spreads'))).toBe(true);
    },
    E2E_TIMEOUT_MS,
  );

  test(
    'calico-nftables: the nftables evidence is recognised',
    async () => {
      const run = await runSuites({ cni: 'calico', proxyMode: 'nftables' }, ['services']);
      expect(names(failed(run))).toEqual([]);
      expect(names(run.tests.filter((t) => t.status === 'passed'))).toContain("services › kube-proxy › the node's Service rules are those of the cell's proxy mode");
    },
    E2E_TIMEOUT_MS,
  );
});

interface FaultCase {
  fault: string;
  cell: { cni: CniName; proxyMode: ProxyMode };
  suites: Suite[];
  expected: ExpectedFailure[];
  consequences?: ExpectedFailure[];
}

const FAULTS: FaultCase[] = [
  {
    fault: 'dns-no-search-path',
    cell: { cni: 'calico', proxyMode: 'iptables' },
    suites: ['dns'],
    expected: [
      { name: /resolver configuration › a ClusterFirst pod searches/, message: /search list does not start with/ },
      // The fault drops every pod's search list, the dnsConfig one included.
      { name: /resolver configuration › dnsPolicy None/, message: /did not get its dnsConfig: search is ""/ },
      { name: /records › Service A record by (its bare name|name\.namespace)/, message: /search list \(empty\) lacks the cluster domains/ },
    ],
  },
  {
    fault: 'dns-headless-empty',
    cell: { cni: 'calico', proxyMode: 'iptables' },
    suites: ['dns'],
    expected: [
      { name: /records › headless Service A records are exactly/, message: /headless Service does not resolve to exactly the IPs of its Ready pods[\s\S]*got: +\(no answer\)/ },
      { name: /records › SRV records for a named port of a headless Service/, message: /one SRV record per Ready pod/ },
      { name: /records › headless Service A records leave out a pod that is not Ready/, message: /answered none of its Ready pods' IPs[\s\S]*got: +\(no answer\)/ },
    ],
  },
  {
    fault: 'dns-no-srv',
    cell: { cni: 'calico', proxyMode: 'iptables' },
    suites: ['dns'],
    expected: [
      { name: /records › SRV record for a named port of a ClusterIP Service/, message: /no SRV record for a Service’s named port/ },
      { name: /records › SRV records for a named port of a headless Service/, message: /one SRV record per Ready pod/ },
    ],
  },
  {
    fault: 'ingress-prefix-as-exact',
    cell: { cni: 'calico', proxyMode: 'iptables' },
    suites: ['ingress'],
    expected: [
      // No rule matches any more, so the Ingress defaultBackend answers instead.
      ...fromEachVantage('pathType Prefix "/" matches every sub-path', /Prefix does not match sub-paths[\s\S]*answered by "backend-default" instead of backend-c/),
      ...fromEachVantage('pathType Prefix matches whole path elements', /not matched by whole path elements[\s\S]*answered by "backend-default" instead of backend-a/),
    ],
  },
  {
    fault: 'ingress-ignore-host',
    cell: { cni: 'calico', proxyMode: 'iptables' },
    suites: ['ingress'],
    expected: [
      ...fromEachVantage('host routing: a\\.example\\.test', /not routed by their Host header[\s\S]*instead of backend-a/),
      ...fromEachVantage('host routing: b\\.example\\.test', /not routed by their Host header[\s\S]*instead of backend-b/),
    ],
    // With hosts ignored, every Ingress's /hostname rule lands in one server, so every case that
    // relies on its own host's rule (default backend, paths, TLS, body limit, CORS) breaks too.
    consequences: [
      { name: /from a pod › (?!host routing)/, message: /\(from a pod to the controller\)/ },
      { name: /from outside the cluster › (?!host routing)/, message: /\(from the external client to hostPort on node [^)]+\)/ },
    ],
  },
  {
    fault: 'proxy-mode-iptables-only',
    cell: { cni: 'calico', proxyMode: 'nftables' },
    suites: ['services'],
    expected: [
      { name: /kube-proxy runs in the cell's proxy mode/, message: /kube-proxy runs in iptables mode, but the cell asked for nftables/ },
      { name: /the node's Service rules are those of the cell's proxy mode/, message: /does not program Services in nftables mode/ },
    ],
  },
  {
    fault: 'service-single-endpoint',
    cell: { cni: 'calico', proxyMode: 'iptables' },
    suites: ['services'],
    expected: [{ name: /ClusterIP › spreads 30 (UDP )?requests/, message: /not spread over all ready endpoints: never reached web-\d, web-\d/ }],
  },
  {
    fault: 'affinity-ignored',
    cell: { cni: 'calico', proxyMode: 'iptables' },
    suites: ['services', 'ingress'],
    expected: [
      { name: /sessionAffinity ClientIP keeps one client on one endpoint/, message: /sessionAffinity: ClientIP is not honoured/ },
      ...fromEachVantage('cookie affinity', /Cookie affinity is not applied[\s\S]*sets no INGRESSCOOKIE cookie/),
    ],
  },
  {
    fault: 'affinity-udp-ignored',
    cell: { cni: 'calico', proxyMode: 'iptables' },
    suites: ['services'],
    expected: [{ name: /sessionAffinity ClientIP keeps one client on one endpoint over UDP/, message: /ClientIP is not honoured over UDP: the first request went to web-\d/ }],
  },
  {
    fault: 'service-udp-not-forwarded',
    cell: { cni: 'calico', proxyMode: 'iptables' },
    suites: ['services'],
    expected: [
      { name: /ClusterIP › spreads 30 UDP requests/, message: /UDP Service traffic is not spread[\s\S]*30 of 30 requests got no answer in 3 attempts[\s\S]*i\/o timeout/ },
      { name: /sessionAffinity ClientIP keeps one client on one endpoint over UDP/, message: /cannot be judged over UDP: the first request[\s\S]*i\/o timeout/ },
      { name: /from a hostNetwork pod › UDP NodePort answers on every other node/, message: /UDP NodePort \d+ does not reach the Service from node \S+ on 2 of 2 other nodes/ },
    ],
  },
  {
    fault: 'endpoints-include-unready',
    cell: { cni: 'calico', proxyMode: 'iptables' },
    suites: ['services', 'dns'],
    expected: [
      { name: /ClusterIP › spreads 30 (UDP )?requests/, message: /not spread over all ready endpoints: \d+ requests reached web-unready, which is not Ready/ },
      { name: /ClusterIP › a pod that is not Ready gets no Service traffic/, message: /Service traffic reaches a pod that is not Ready: \d+ of 30 requests were answered by web-unready[\s\S]*ready=false/ },
      { name: /records › headless Service A records are exactly the IPs of its Ready pods/, message: /does not resolve to exactly the IPs of its Ready pods/ },
      { name: /records › SRV records for a named port of a headless Service/, message: /one SRV record per Ready pod/ },
      { name: /records › headless Service A records leave out a pod that is not Ready/, message: /publishes a pod that is not Ready: [\s\S]*web-unready[\s\S]*ready=false/ },
    ],
    // NodePorts balance over the unready backend as well; whichever request lands on it fails.
    consequences: [{ name: /NodePort answers on every|externalTrafficPolicy Cluster forwards/, message: /answered by web-unready/ }],
  },
  {
    fault: 'nodeport-local-forwards',
    cell: { cni: 'calico', proxyMode: 'iptables' },
    suites: ['services'],
    expected: fromOutside([
      { name: /externalTrafficPolicy Local does not answer on a node without endpoints/, message: /Local answers on a node without a local endpoint: [\s\S]*answered by local-0/ },
    ]),
  },
  {
    fault: 'nodeport-no-remote-forwarding',
    cell: { cni: 'calico', proxyMode: 'iptables' },
    suites: ['services'],
    expected: [
      // The hostNetwork pod's node runs web backends; of the other two, the control plane runs none.
      { name: /from a hostNetwork pod › UDP NodePort answers on every other node/, message: /on 1 of 2 other nodes:\n +\S+-control-plane [^\n]*i\/o timeout/ },
      ...fromOutside([
        { name: /NodePort answers on every node/, message: /on 1 of 3 nodes:\n +\S+-control-plane [^\n]*timeout/ },
        { name: /externalTrafficPolicy Cluster forwards from a node without endpoints/, message: /Cluster does not forward to a ready endpoint on another node: [\s\S]*gave timeout/ },
      ]),
    ],
  },
];

describe('suites on faulty sim cells', () => {
  for (const f of FAULTS) {
    test(
      `${f.fault} (${f.cell.cni}-${f.cell.proxyMode}): only the checks it breaks fail, naming the defect`,
      async () => {
        const run = await runSuites({ ...f.cell, faults: [f.fault] }, f.suites);
        expectOnlyThese(run, f.expected, f.consequences);
      },
      E2E_TIMEOUT_MS,
    );
  }
});
