// The boundary rule of the policy scenarios: every probe step while a port range is in force
// probes below it, both ends, its middle and above it, and those probes tell the range apart from
// the ranges a CNI gets wrong by one port (or by reading it as its first port or its two ends).
import { describe, expect, test } from '@jest/globals';
import { evaluate, type NetworkPolicy, type NetworkPolicyPort, type PortProbe } from '../../harness/netpol/index.ts';
import { CELL_ENV, type CellInfo } from '../../harness/model/cell.ts';
import { rangeBoundaryPorts, rangeBoundaryProbes, withRangeBoundaries } from '../../suites/network-policy/boundaries.ts';
import { clusterStateOf, initialModelState, MODEL_POD_KEYS, type ModelPodKey } from '../../suites/network-policy/model.ts';
import { checkpoints } from '../../suites/network-policy/plan.ts';
import { scenarios } from '../../suites/network-policy/scenarios.ts';
import type { Step } from '../../suites/network-policy/scenario.ts';

const cell: CellInfo = {
  id: 'calico-iptables',
  cni: 'calico',
  cniVersion: 'v3.32.2',
  proxyMode: 'iptables',
  capabilities: ['networkPolicy', 'ipBlockMatchesPodIPs', 'sctp'],
  runId: 'r1',
  strict: false,
  dockerNetwork: 'kind',
  clusterName: 'c',
};

const ips = Object.fromEntries(MODEL_POD_KEYS.map((key, i) => [key, `10.244.${1 + (i % 2)}.${10 + i}`])) as Record<ModelPodKey, string>;
const base = () => initialModelState(ips);

// Set before describe blocks run: the catalogue is filtered while tests are collected.
process.env[CELL_ENV] = JSON.stringify(cell);

const rangePolicy = (name: string, ports: NetworkPolicyPort[]): NetworkPolicy => ({
  metadata: { name, namespace: 'x' },
  spec: { podSelector: {}, ingress: [{ ports }] },
});

const rangesOf = (policies: NetworkPolicy[]) =>
  policies.flatMap((p) => [...(p.spec.ingress ?? []), ...(p.spec.egress ?? [])]).flatMap((r) => r.ports ?? []).filter((e) => e.endPort !== undefined);

describe('rangeBoundaryPorts', () => {
  test.each([
    [81, 90, [80, 81, 85, 90, 91]],
    [81, 82, [80, 81, 82, 83]],
    [81, 81, [80, 81, 82]],
    [1, 3, [1, 2, 3, 4]],
    [65530, 65535, [65529, 65530, 65532, 65535]],
  ])('%i..%i → %j', (first, last, ports) => {
    expect(rangeBoundaryPorts(first, last)).toEqual(ports);
  });
});

describe('withRangeBoundaries', () => {
  const range = rangePolicy('range', [{ protocol: 'UDP', port: 81, endPort: 90 }]);

  test('adds the boundaries of the ranges in force to each probe step, after its own probes and without repeats', () => {
    const steps: Step[] = [
      { probe: [{ port: 80, protocol: 'UDP' }] },
      { apply: [range] },
      { probe: [{ port: 80, protocol: 'UDP' }, { port: 80, protocol: 'TCP' }] },
      { delete: ['x/range'] },
      { probe: [{ port: 80, protocol: 'UDP' }] },
    ];
    const probed = withRangeBoundaries(steps).flatMap((step) => ('probe' in step ? [step.probe.map((p) => `${p.port}/${p.protocol}`)] : []));
    expect(probed).toEqual([['80/UDP'], ['80/UDP', '80/TCP', '81/UDP', '85/UDP', '90/UDP', '91/UDP'], ['80/UDP']]);
  });

  test('ranges of egress rules count too, with TCP when the entry names no protocol', () => {
    const egress: NetworkPolicy = { metadata: { name: 'e', namespace: 'y' }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 8000, endPort: 8002 }] }] } };
    expect(rangeBoundaryProbes([egress])).toEqual([7999, 8000, 8001, 8002, 8003].map((port) => ({ port, protocol: 'TCP' })));
  });
});

describe('the catalogue', () => {
  const rangeScenarios = scenarios.filter((s) => checkpoints(s, base()).some((point) => rangesOf(point.policies).length > 0));

  test('has range scenarios for ingress and egress', () => {
    expect(rangeScenarios.map((s) => s.name)).toEqual(['endPort range', 'endPort range egress']);
  });

  test('every probe step with a range in force probes all its boundaries', () => {
    for (const scenario of rangeScenarios) {
      for (const point of checkpoints(scenario, base())) {
        const probed = new Set(point.probes.map((p) => `${p.port}/${p.protocol}`));
        for (const entry of rangesOf(point.policies)) {
          const boundaries = rangeBoundaryPorts(entry.port as number, entry.endPort!).map((port) => `${port}/${entry.protocol ?? 'TCP'}`);
          expect({ scenario: scenario.name, missing: boundaries.filter((b) => !probed.has(b)) }).toEqual({ scenario: scenario.name, missing: [] });
        }
      }
    }
  });

  // What a CNI that misreads the range enforces instead of port..endPort.
  const misreadings: [string, (entry: NetworkPolicyPort) => NetworkPolicyPort[]][] = [
    ['only its first port', (e) => [{ protocol: e.protocol, port: e.port }]],
    ['an exclusive end', (e) => [{ ...e, endPort: e.endPort! - 1 }]],
    ['one port past the end', (e) => [{ ...e, endPort: e.endPort! + 1 }]],
    ['a start one port late', (e) => [{ ...e, port: (e.port as number) + 1 }]],
    ['a start one port early', (e) => [{ ...e, port: (e.port as number) - 1 }]],
    ['its two ends only', (e) => [{ protocol: e.protocol, port: e.port }, { protocol: e.protocol, port: e.endPort! }]],
  ];

  const misread = (policies: NetworkPolicy[], rewrite: (entry: NetworkPolicyPort) => NetworkPolicyPort[]): NetworkPolicy[] =>
    policies.map((policy) => {
      const copy = structuredClone(policy);
      for (const rule of [...(copy.spec.ingress ?? []), ...(copy.spec.egress ?? [])]) {
        if (rule.ports) rule.ports = rule.ports.flatMap((entry) => (entry.endPort === undefined ? [entry] : rewrite(entry)));
      }
      return copy;
    });

  test.each(misreadings)('the probed tables tell the range from %s', (_what, rewrite) => {
    for (const scenario of rangeScenarios) {
      const points = checkpoints(scenario, base()).filter((point) => rangesOf(point.policies).length > 0);
      expect(points.length).toBeGreaterThan(0);
      for (const point of points) {
        const wrong = evaluate(clusterStateOf(point.model), misread(point.policies, rewrite), point.probes as PortProbe[]);
        expect({ scenario: scenario.name, step: point.step, same: JSON.stringify(wrong) === JSON.stringify(point.expected) }).toEqual({ scenario: scenario.name, step: point.step, same: false });
      }
    }
  });
});
