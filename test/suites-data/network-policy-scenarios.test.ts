// The policy scenario catalogue checked without a cluster: every probe step's expected tables
// are computable by the engine, every policy passes the engine's API validation, and the
// scenarios really expect what their descriptions say.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { parseScenario, type TruthTables } from '../../harness/netpol/index.ts';
import { CELL_ENV, type CellInfo } from '../../harness/model/cell.ts';
import {
  clusterStateOf,
  coveringCidr,
  initialModelState,
  MODEL_POD_KEYS,
  MODEL_POD_NAMES,
  modelPodObject,
  modelProbes,
  networkOf,
  type ModelPodKey,
} from '../../suites/network-policy/model.ts';
import { checkpoints } from '../../suites/network-policy/plan.ts';
import { scenarios } from '../../suites/network-policy/scenarios.ts';
import { stepsOf } from '../../suites/network-policy/scenario.ts';

const cell: CellInfo = {
  id: 'calico-iptables',
  cni: 'calico',
  cniVersion: 'v3.32.2',
  proxyMode: 'iptables',
  capabilities: ['networkPolicy', 'sctp'],
  runId: 'r1',
  strict: false,
  dockerNetwork: 'kind',
  clusterName: 'c',
};

// Two nodes' pod ranges, as the scheduler might spread the model.
const ips = Object.fromEntries(MODEL_POD_KEYS.map((key, i) => [key, i % 2 === 0 ? `10.244.1.${10 + i}` : `10.244.2.${10 + i}`])) as Record<ModelPodKey, string>;

beforeAll(() => {
  process.env[CELL_ENV] = JSON.stringify(cell);
});

const base = () => initialModelState(ips);
const byName = (name: string) => {
  const scenario = scenarios.find((s) => s.name === name);
  if (!scenario) throw new Error(`no scenario "${name}"`);
  return scenario;
};
const tablesOf = (name: string) => checkpoints(byName(name), base()).map((c) => c.expected);
const cellOf = (tables: TruthTables, table: string, from: string, to: string) => tables[table]?.[from]?.[to];

interface ModelContainer {
  name: string;
  args: string[];
  env?: { name: string; value: string }[];
  ports: { containerPort: number; protocol: string }[];
}

/** "port/PROTOCOL" a container really serves: agnhost netexec from its flags, porter from its SERVE_PORT_<n> variables. */
function servedBy(container: ModelContainer): string[] {
  const flag = (name: string) => container.args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
  if (container.args[0] === 'netexec') {
    const udp = flag('--udp-port') ?? '8081';
    const sctp = flag('--sctp-port');
    return [`${flag('--http-port') ?? 8080}/TCP`, ...(udp === '-1' ? [] : [`${udp}/UDP`]), ...(sctp ? [`${sctp}/SCTP`] : [])];
  }
  if (container.args[0] === 'porter') return (container.env ?? []).filter((e) => e.name.startsWith('SERVE_PORT_')).map((e) => `${e.name.slice('SERVE_PORT_'.length)}/TCP`);
  return [];
}

describe('the catalogue', () => {
  test('names are unique and every scenario is described and needs networkPolicy', () => {
    const names = scenarios.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const scenario of scenarios) {
      expect(scenario.description.length).toBeGreaterThan(20);
      expect(scenario.needs).toContain('networkPolicy');
    }
  });

  test('every port a scenario probes is served by every model pod, by the container declaring it', () => {
    for (const name of MODEL_POD_NAMES) {
      const containers = (modelPodObject('x', name).spec as { containers: ModelContainer[] }).containers;
      for (const container of containers) {
        const declared = container.ports.map((p) => `${p.containerPort}/${p.protocol}`);
        expect({ container: container.name, unserved: declared.filter((p) => !servedBy(container).includes(p)) }).toEqual({ container: container.name, unserved: [] });
      }
    }
    const served = new Set(modelProbes().map((p) => `${p.port}/${p.protocol}`));
    for (const scenario of scenarios) {
      const probed = checkpoints(scenario, base()).flatMap((point) => point.probes.map((p) => `${p.port}/${p.protocol}`));
      expect({ scenario: scenario.name, unserved: probed.filter((p) => !served.has(p)) }).toEqual({ scenario: scenario.name, unserved: [] });
    }
  });

  test('SCTP is probed exactly by the scenarios that need sctp', () => {
    for (const scenario of scenarios) {
      const probesSctp = stepsOf(scenario, base()).some((step) => 'probe' in step && step.probe.some((p) => p.protocol === 'SCTP'));
      expect([scenario.name, probesSctp]).toEqual([scenario.name, scenario.needs.includes('sctp')]);
    }
  });

  test.each(scenarios.map((s) => [s.name, s] as const))('%s: every probe step is computable and its policies are valid', (_name, scenario) => {
    const points = checkpoints(scenario, base());
    expect(points.length).toBeGreaterThan(0);
    for (const point of points) {
      const state = clusterStateOf(point.model);
      expect(() => parseScenario({ ...state, policies: point.policies, probes: point.probes })).not.toThrow();
      for (const probe of point.probes) {
        const table = point.expected[`${probe.port}/${probe.protocol}`]!;
        expect(Object.keys(table)).toHaveLength(MODEL_POD_KEYS.length);
      }
    }
    // A scenario that denies nothing could not catch a CNI that enforces nothing.
    const deniesSomething = points.some((point) => Object.values(point.expected).some((table) => Object.values(table).some((row) => Object.values(row).includes(false))));
    expect(deniesSomething).toBe(true);
  });
});

describe('scenarios expect what they describe', () => {
  test('default deny ingress / egress', () => {
    const [ingress] = tablesOf('default deny ingress');
    expect(cellOf(ingress!, '80/TCP', 'y/a', 'x/b')).toBe(false);
    expect(cellOf(ingress!, '80/UDP', 'x/a', 'x/b')).toBe(false);
    expect(cellOf(ingress!, '80/TCP', 'x/a', 'y/b')).toBe(true);
    const [egress] = tablesOf('default deny egress');
    expect(cellOf(egress!, '80/TCP', 'x/a', 'y/b')).toBe(false);
    expect(cellOf(egress!, '80/TCP', 'y/a', 'x/b')).toBe(true);
  });

  test('AND peers need both selectors; OR peers need either', () => {
    const [and] = tablesOf('peers AND: namespaceSelector with podSelector in one peer');
    expect([cellOf(and!, '80/TCP', 'y/b', 'x/a'), cellOf(and!, '80/TCP', 'y/a', 'x/a'), cellOf(and!, '80/TCP', 'x/b', 'x/a')]).toEqual([true, false, false]);
    const [or] = tablesOf('peers OR: namespaceSelector and podSelector as two peers');
    expect([cellOf(or!, '80/TCP', 'y/a', 'x/a'), cellOf(or!, '80/TCP', 'x/b', 'x/a'), cellOf(or!, '80/TCP', 'z/b', 'x/a')]).toEqual([true, true, false]);
  });

  test('named ports and endPort', () => {
    const [named] = tablesOf('named port ingress');
    expect([cellOf(named!, '81/TCP', 'y/b', 'x/a'), cellOf(named!, '80/TCP', 'y/b', 'x/a'), cellOf(named!, '81/UDP', 'y/b', 'x/a')]).toEqual([true, false, false]);
    const [egress] = tablesOf('named port egress');
    expect([cellOf(egress!, '80/UDP', 'y/a', 'x/a'), cellOf(egress!, '81/UDP', 'y/a', 'x/a'), cellOf(egress!, '80/TCP', 'y/a', 'x/a')]).toEqual([true, false, false]);
  });

  test('a range admits exactly its ports and protocol, on ingress and on egress', () => {
    const boundaries = [80, 81, 85, 90, 91];
    const [ingress] = tablesOf('endPort range');
    expect(boundaries.map((port) => cellOf(ingress!, `${port}/TCP`, 'z/c', 'x/a'))).toEqual([false, true, true, true, false]);
    expect([cellOf(ingress!, '81/UDP', 'z/c', 'x/a'), cellOf(ingress!, '91/TCP', 'z/c', 'x/b')]).toEqual([false, true]);
    const [egress] = tablesOf('endPort range egress');
    expect(boundaries.map((port) => cellOf(egress!, `${port}/TCP`, 'z/a', 'x/b'))).toEqual([false, true, true, true, false]);
    expect([cellOf(egress!, '81/UDP', 'z/a', 'x/b'), cellOf(egress!, '91/TCP', 'x/a', 'x/b')]).toEqual([false, true]);
  });

  test('the per-pod named port opens each destination\'s own number only', () => {
    // From y/b to the pods of x, by destination and port: resolving the name on the source (9002) or
    // on the first pod the policy selects (x/a, 9001) would fill a column instead of the diagonal.
    const own = [
      [true, false, false],
      [false, true, false],
      [false, false, true],
    ];
    const fromYb = (tables: TruthTables) => ['x/a', 'x/b', 'x/c'].map((to) => [9001, 9002, 9003].map((port) => cellOf(tables, `${port}/TCP`, 'y/b', to)));
    const [ingress] = tablesOf('named port resolved on each destination pod');
    expect(fromYb(ingress!)).toEqual(own);
    // Only x's ingress is restricted: y/a admits x/a on a port that is not its own.
    expect(cellOf(ingress!, '9002/TCP', 'x/a', 'y/a')).toBe(true);
    const [egress] = tablesOf('named port resolved on each destination pod, egress');
    expect(fromYb(egress!)).toEqual(own);
    // Only y's egress is restricted: x/b still reaches y/b on a port that is not its own.
    expect(cellOf(egress!, '9001/TCP', 'x/b', 'y/b')).toBe(true);
  });

  test('ipBlock except removes exactly the excepted pod', () => {
    const [ingress] = tablesOf('ipBlock ingress with except');
    expect([cellOf(ingress!, '80/TCP', 'y/b', 'x/a'), cellOf(ingress!, '80/TCP', 'y/a', 'x/a'), cellOf(ingress!, '80/TCP', 'z/c', 'x/a')]).toEqual([false, true, true]);
    const [egress] = tablesOf('ipBlock egress with except');
    expect([cellOf(egress!, '80/TCP', 'z/a', 'x/c'), cellOf(egress!, '80/TCP', 'z/a', 'x/b')]).toEqual([false, true]);
  });

  test('allow-all opens what the default deny closed', () => {
    expect(tablesOf('allow all ingress over default deny').map((t) => cellOf(t, '80/TCP', 'y/a', 'x/b'))).toEqual([false, true]);
    expect(tablesOf('allow all egress over default deny').map((t) => cellOf(t, '80/TCP', 'x/a', 'y/b'))).toEqual([false, true]);
  });

  test('updates, deletes and label changes change the expectation between probe steps', () => {
    const update = tablesOf('policy update and delete').map((t) => [cellOf(t, '80/TCP', 'x/b', 'x/a'), cellOf(t, '80/TCP', 'x/c', 'x/a')]);
    expect(update).toEqual([[true, false], [false, true], [true, true]]);
    const podLabel = tablesOf('pod label change').map((t) => cellOf(t, '80/TCP', 'y/c', 'x/a'));
    expect(podLabel).toEqual([false, true, false]);
    const nsLabel = tablesOf('namespace label change').map((t) => cellOf(t, '80/TCP', 'z/b', 'x/a'));
    expect(nsLabel).toEqual([false, true, false]);
  });

  test('the guide policies keep their rules on the mapped model', () => {
    const [frontend] = tablesOf('guide: allow-from-frontend');
    expect([cellOf(frontend!, '8080/TCP', 'x/c', 'y/a'), cellOf(frontend!, '8080/TCP', 'z/c', 'y/a'), cellOf(frontend!, '80/TCP', 'x/c', 'y/a'), cellOf(frontend!, '80/TCP', 'z/c', 'y/b')]).toEqual([true, false, false, true]);
    const [egress] = tablesOf('guide: restrict-egress');
    expect([cellOf(egress!, '5432/TCP', 'x/a', 'x/b'), cellOf(egress!, '5432/TCP', 'x/a', 'y/b'), cellOf(egress!, '80/TCP', 'x/a', 'x/b'), cellOf(egress!, '80/TCP', 'x/c', 'x/b')]).toEqual([true, false, false, true]);
    const [complex] = tablesOf('guide: complex-policy');
    // x/b: frontend namespace and role; y/a shares y/c's /24 (10.244.2.0/24), y/b does not; y/c is the except.
    const complexCells = ['x/b', 'x/c', 'y/a', 'y/b', 'y/c'].map((from) => cellOf(complex!, '5432/TCP', from, 'z/a'));
    expect(complexCells).toEqual([true, false, true, false, false]);
    expect(cellOf(complex!, '80/TCP', 'x/b', 'z/a')).toBe(false);
  });
});

describe('model helpers', () => {
  test('coveringCidr and networkOf are canonical', () => {
    expect(coveringCidr(['10.244.1.5', '10.244.2.7'])).toBe('10.244.0.0/22');
    expect(coveringCidr(['10.244.1.5'])).toBe('10.244.1.5/32');
    expect(coveringCidr(['192.168.0.1', '10.0.0.1'])).toBe('0.0.0.0/0');
    expect(networkOf('10.244.1.77', 24)).toBe('10.244.1.0/24');
    expect(() => coveringCidr(['fd00::1'])).toThrow(/IPv4/);
  });

  test('the engine sees the labels the cluster adds', () => {
    const state = clusterStateOf(base());
    expect(state.namespaces.x).toEqual({ ns: 'x', 'cnimatrix.io/run': 'r1', 'kubernetes.io/metadata.name': 'netpol-x-r1' });
    expect(state.pods[0]).toMatchObject({ namespace: 'x', name: 'a', labels: { pod: 'a', 'cnimatrix.io/run': 'r1' }, ip: ips['x/a'] });
    expect(state.pods[0]?.containerPorts.map((p) => p.name)).toEqual([
      'serve-80-tcp', 'serve-80-udp', 'serve-80-sctp', 'serve-81-tcp', 'serve-81-udp', 'serve-81-sctp', 'serve-5432-tcp', 'serve-8080-tcp',
      'serve-85-tcp', 'serve-90-tcp', 'serve-91-tcp', 'api', 'serve-9002-tcp', 'serve-9003-tcp',
    ]);
    // The named port api is each pod's own number.
    const apiOf = (pod: number) => state.pods[pod]?.containerPorts.find((p) => p.name === 'api')?.containerPort;
    expect([apiOf(0), apiOf(1), apiOf(2)]).toEqual([9001, 9002, 9003]);
  });
});
