// probe-capabilities asks the live cluster whether its nodes have SCTP and give pods IPv6, and an
// existing cluster whether it enforces NetworkPolicy, instead of trusting the profile: on a
// simulated cell that lacks one the capability is dropped with the evidence, on a faithful one it
// stays, and the probes' namespaces never outlive the phase.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createKube } from '../../harness/kube/index.ts';
import type { Kube } from '../../harness/kube/types.ts';
import { probeCapabilities } from '../../harness/run/actions/probe-capabilities.ts';
import { CAPABILITY_PROBE_NAMESPACE, sctpSupport } from '../../harness/run/capability-probe.ts';
import { POLICY_PROBE_NAMESPACE } from '../../harness/run/policy-probe.ts';
import { SETTLE_WINDOW_ENV } from '../../harness/probe/index.ts';
import { cellInfo, type CellContext } from '../../harness/run/context.ts';
import type { Capability, SuiteName } from '../../harness/model/cell.ts';
import { startSimCell, type SimCell } from '../sim/harness.ts';

function context(
  kube: Kube | undefined,
  logs: string[],
  capabilities: Capability[] = ['networkPolicy', 'sctp', 'sessionAffinity'],
  suites: SuiteName[] = ['pod-network'],
  kubeconfig?: string,
): CellContext {
  return {
    cell: { id: 'kindnet-iptables', cni: 'kindnet', cniVersion: 'v1', proxyMode: 'iptables', capabilities, clusterName: 'sim' },
    config: { runId: 'caps', strict: false, suites, kubeconfig },
    kube,
    probedAbsent: {},
    log: (line: string) => logs.push(line),
  } as unknown as CellContext;
}

describe('sctpSupport reads one SCTP attempt to a closed port', () => {
  test.each([
    ['a refusal (ABORT): the kernel has SCTP', 1, 'OTHER: connection refused', { sctp: true }],
    ['a timeout: the socket was created, so the kernel has SCTP', 1, 'TIMEOUT', { sctp: true }],
    ['the socket call failing: no SCTP', 1, 'OTHER: protocol not supported', { sctp: false }],
  ])('%s', (_what, exitCode, output, expected) => {
    expect(sctpSupport(exitCode, output)).toEqual(expected);
  });

  test('anything else says nothing about SCTP and is reported as it was', () => {
    expect(sctpSupport(126, 'sh: /agnhost: Permission denied')).toEqual({ unknown: 'error (sh: /agnhost: Permission denied)' });
    expect(sctpSupport(1, 'OTHER: dial sctp 127.0.0.1:9: network is unreachable')).toEqual({ unknown: 'error (OTHER: dial sctp 127.0.0.1:9: network is unreachable)' });
  });
});

describe.each([
  { kernel: 'with SCTP', faults: [] as string[] },
  { kernel: 'without SCTP', faults: ['kernel-no-sctp'] },
])('on a simulated cell whose kernel is $kernel', ({ faults }) => {
  let sim: SimCell;
  let kube: Kube;
  let ctx: CellContext;
  const logs: string[] = [];

  beforeAll(async () => {
    sim = await startSimCell({ cni: 'kindnet', proxyMode: 'iptables', faults });
    kube = createKube({ kubeconfigPath: sim.kubeconfigPath });
    ctx = context(kube, logs);
    await probeCapabilities.run(ctx);
  });
  afterAll(async () => {
    await sim?.stop();
  });

  test('the suites are told what the cluster can do', () => {
    if (faults.length === 0) {
      expect(ctx.probedAbsent).toEqual({});
      expect(cellInfo(ctx).capabilities).toContain('sctp');
      expect(logs).toEqual(['sctp: works on all 3 nodes']);
    } else {
      expect(ctx.probedAbsent.sctp).toMatch(/^the kernel of every node \(\S+-control-plane, \S+-worker, \S+-worker2\) has no SCTP \(a pod's SCTP socket fails: "OTHER: protocol not supported"\)$/);
      expect(cellInfo(ctx).capabilities).toEqual(['networkPolicy', 'sessionAffinity']);
      expect(cellInfo(ctx).probedAbsent).toEqual({ sctp: ctx.probedAbsent.sctp });
      expect(logs).toEqual(['sctp: absent on 3 of 3 nodes (kernel without SCTP): SCTP checks will be unsupported']);
    }
  });

  test('the probe namespace is gone afterwards', async () => {
    await kube.waitFor({ kind: 'deleted', ref: { apiVersion: 'v1', kind: 'Namespace', name: CAPABILITY_PROBE_NAMESPACE } }, 10_000);
  });
});

describe.each([
  { stack: 'IPv4-only', ipFamily: 'ipv4' as const },
  { stack: 'dual-stack', ipFamily: 'dual' as const },
])('on a simulated $stack cell that claims ipv6', ({ ipFamily }) => {
  let sim: SimCell;
  let ctx: CellContext;
  const logs: string[] = [];

  beforeAll(async () => {
    sim = await startSimCell({ cni: 'kindnet', proxyMode: 'iptables', ipFamily });
    ctx = context(createKube({ kubeconfigPath: sim.kubeconfigPath }), logs, ['networkPolicy', 'ipv6']);
    await probeCapabilities.run(ctx);
  });
  afterAll(async () => {
    await sim?.stop();
  });

  test("the probe pods' addresses decide, and an absence carries the addresses seen", () => {
    if (ipFamily === 'dual') {
      expect(ctx.probedAbsent).toEqual({});
      expect(logs).toEqual(['ipv6: pods get an IPv6 address on all 3 nodes']);
    } else {
      expect(ctx.probedAbsent.ipv6).toMatch(
        /^pods get no IPv6 address on any node: the pod network is IPv4-only \(probe pods: 10\.244\.\d+\.\d+ on \S+-control-plane; 10\.244\.\d+\.\d+ on \S+-worker; 10\.244\.\d+\.\d+ on \S+-worker2\)$/,
      );
      expect(cellInfo(ctx).capabilities).toEqual(['networkPolicy']);
      expect(logs).toEqual(['ipv6: absent on 3 of 3 nodes: IPv6 checks will be unsupported']);
    }
  });
});

describe('the phase is skipped with a reason when it would ask nothing', () => {
  test('a cell that claims neither SCTP nor IPv6', () => {
    expect(probeCapabilities.skip?.(context(undefined, [], ['networkPolicy']))).toBe('the cell claims no capability that depends on the cluster (sctp, ipv6)');
  });

  test('a run whose suites send no SCTP and check no IPv6', () => {
    expect(probeCapabilities.skip?.(context(undefined, [], ['sctp', 'ipv6'], ['dns', 'services']))).toBe('no suite of this run needs sctp or ipv6');
    expect(probeCapabilities.skip?.(context(undefined, [], undefined, ['dns', 'network-policy']))).toBeUndefined();
    expect(probeCapabilities.skip?.(context(undefined, [], ['ipv6'], ['pod-network']))).toBeUndefined();
    expect(probeCapabilities.skip?.(context(undefined, [], ['ipv6'], ['network-policy']))).toBe('no suite of this run needs ipv6');
  });

  test('NetworkPolicy enforcement is asked of an existing cluster only, when the policy suite runs and the profile claims it', () => {
    const none = 'the cell claims no capability that depends on the cluster (sctp, ipv6)';
    expect(probeCapabilities.skip?.(context(undefined, [], ['networkPolicy'], ['network-policy'], '/k'))).toBeUndefined();
    expect(probeCapabilities.skip?.(context(undefined, [], ['networkPolicy'], ['network-policy']))).toBe(none);
    expect(probeCapabilities.skip?.(context(undefined, [], ['networkPolicy'], ['dns'], '/k'))).toBe(none);
    expect(probeCapabilities.skip?.(context(undefined, [], [], ['network-policy'], '/k'))).toBe(none);
  });
});

describe.each([
  { cluster: 'that enforces NetworkPolicy', faults: [] as string[] },
  { cluster: 'whose CNI runs with its policy engine off', faults: ['policy-unenforced'] },
])('an existing cluster $cluster', ({ faults }) => {
  let sim: SimCell;
  let kube: Kube;
  let ctx: CellContext;
  const logs: string[] = [];

  beforeAll(async () => {
    process.env[SETTLE_WINDOW_ENV] = '2';
    sim = await startSimCell({ cni: 'calico', proxyMode: 'iptables', faults });
    kube = createKube({ kubeconfigPath: sim.kubeconfigPath });
    ctx = context(kube, logs, ['networkPolicy', 'sessionAffinity'], ['network-policy'], sim.kubeconfigPath);
    await probeCapabilities.run(ctx);
  }, 60_000);
  afterAll(async () => {
    delete process.env[SETTLE_WINDOW_ENV];
    await sim?.stop();
  });

  test('a deny-all ingress policy on a probe pod decides whether the policy checks can run', () => {
    if (faults.length === 0) {
      expect(ctx.probedAbsent).toEqual({});
      expect(logs).toEqual([expect.stringMatching(/^networkPolicy: enforced \(a deny-all ingress policy blocked the probe pod within \d+\.\d s\)$/)]);
    } else {
      expect(ctx.probedAbsent.networkPolicy).toMatch(
        /^this cluster does not enforce NetworkPolicy as it is configured \(a deny-all ingress NetworkPolicy left the client pod connected to the server pod \(\d+\.\d+\.\d+\.\d+:80\) for \d+\.\d s \(\d+ looks\)\)$/,
      );
      expect(cellInfo(ctx).capabilities).toEqual(['sessionAffinity']);
      expect(logs).toEqual([expect.stringMatching(/^networkPolicy: not enforced \(.*\): NetworkPolicy checks will be unsupported$/)]);
    }
  });

  test('the probe namespace is gone afterwards', async () => {
    await kube.waitFor({ kind: 'deleted', ref: { apiVersion: 'v1', kind: 'Namespace', name: POLICY_PROBE_NAMESPACE } }, 10_000);
  });
});
