// The disruption monitor in the sim (docs/probe-protocol.md, "Disruption monitor"): the harness's
// own script run over real time against a CNI agent rolled out node by node, faithfully (every
// connection and probe survives, as Flannel's restart does) and with each upgrade fault.
import { afterEach, describe, expect, test } from '@jest/globals';
import { buildMonitorScript, MONITOR_STOP_FILE, parseMonitorOutput, type MonitorEvent, type MonitorSpec } from '../../harness/upgrade/monitor-script.ts';
import type { KubeObject } from './apiserver/index.ts';
import { parseMonitorScript } from './dataplane/monitor-script.ts';
import { POLICY_LEAK_MIN_MS } from './faults/upgrade-policy-leak.ts';
import { execHarness, IPS, NODES, seededStore } from './testing/fixture.ts';
import { monitorUpgrade, startUpgradeCell, type UpgradeCell } from './testing/upgrade-cell.ts';

const TICK_MS = 100;
const connect = (target: string, protocol = 'tcp') => ['/agnhost', 'connect', target, '--timeout=1s', `--protocol=${protocol}`];
const dig = ['dig', '+short', '+time=1', '+tries=1', 'svc.x.svc.cluster.local.', 'A'];

/** c (on the worker) holds a connection to a (same node) and b (worker2), and probes both, the Service and DNS. */
const CONNECTIVITY: MonitorSpec = {
  holds: [{ id: 'hold.same', host: IPS.a, port: 80 }, { id: 'hold.cross', host: IPS.b, port: 80 }],
  probes: [
    { id: 'tcp.same', command: connect(`${IPS.a}:80`) },
    { id: 'tcp.cross', command: connect(`${IPS.b}:80`) },
    { id: 'udp.cross', command: connect(`${IPS.b}:80`, 'udp') },
    { id: 'tcp.service', command: connect(`${IPS.svc}:80`) },
    { id: 'dns', command: dig },
  ],
  tickMs: TICK_MS,
  maxSeconds: 30,
};

const [CP, W1, W2] = [NODES.cp[0], NODES.w1[0], NODES.w2[0]];

type HoldEvent = Extract<MonitorEvent, { type: 'hold' }>;
type ProbeEvent = Extract<MonitorEvent, { type: 'probe' }>;
const holdEvents = (events: MonitorEvent[], id: string): HoldEvent[] => events.filter((e): e is HoldEvent => e.type === 'hold' && e.id === id);
const probes = (events: MonitorEvent[], id: string): ProbeEvent[] => events.filter((e): e is ProbeEvent => e.type === 'probe' && e.id === id);
/** A window [from, to) around the instants of a fault; `slack` for the few ms a tick takes. */
const within = (at: number, windows: Array<[number, number]>, slack = 20) => windows.some(([from, to]) => at >= from - slack && at < to + slack);

let cell: UpgradeCell | undefined;
afterEach(() => {
  cell?.stop();
  cell = undefined;
});

describe('the monitor script as the sim reads it', () => {
  test('its limit, tick, stop file, holds and probes', () => {
    const plan = parseMonitorScript(buildMonitorScript({ ...CONNECTIVITY, tickMs: 250, maxSeconds: 12.5 }));
    expect(plan).toMatchObject({ maxSeconds: 13, tickMs: 250, stopFile: MONITOR_STOP_FILE });
    expect(plan.holds).toEqual([{ id: 'hold.same', host: IPS.a, port: 80 }, { id: 'hold.cross', host: IPS.b, port: 80 }]);
    expect(plan.probes.map((p) => p.id)).toEqual(['tcp.same', 'tcp.cross', 'udp.cross', 'tcp.service', 'dns']);
    expect(plan.probes[4]!.argv).toEqual(dig);
  });

  test('without a rollout: holds answer every tick, a refused hold is broken at open, the stop file ends it all', async () => {
    const h = execHarness(seededStore());
    const spec: MonitorSpec = { ...CONNECTIVITY, holds: [...CONNECTIVITY.holds, { id: 'hold.none', host: IPS.b, port: 81 }] };
    expect(await h.run('y/c', ['rm', '-f', MONITOR_STOP_FILE])).toMatchObject({ exitCode: 0 });
    const running = h.run('y/c', ['/bin/bash', '-c', buildMonitorScript(spec)]);
    await new Promise((r) => setTimeout(r, 5 * TICK_MS));
    expect(await h.run('y/c', ['touch', MONITOR_STOP_FILE])).toMatchObject({ exitCode: 0 });
    const reply = await running;
    expect(reply.exitCode).toBe(0);
    const events = parseMonitorOutput(reply.stdout);
    expect(events.filter((e) => e.type === 'started')).toHaveLength(1);
    expect(events.at(-1)?.type).toBe('stopped');
    expect(holdEvents(events, 'hold.none').map((e) => `${e.event} ${e.detail ?? ''}`.trim())).toEqual(['broken open']);
    const same = holdEvents(events, 'hold.same').map((e) => `${e.event} ${e.detail ?? ''}`.trim());
    expect(same[0]).toBe('open');
    expect(same.at(-1)).toBe('closed');
    expect(same.slice(1, -1)).toEqual(same.slice(1, -1).map((_, i) => `reply ${i + 1}`));
    expect(same.length).toBeGreaterThanOrEqual(5);
    expect(probes(events, 'tcp.same').every((p) => p.exitCode === 0)).toBe(true);
    // A second stop file touch is harmless; rm -f clears it, rm without -f of a missing file complains.
    expect(await h.run('y/c', ['rm', '-f', MONITOR_STOP_FILE])).toMatchObject({ exitCode: 0 });
    expect(await h.run('y/c', ['rm', MONITOR_STOP_FILE])).toEqual({ stdout: '', stderr: `rm: can't remove '${MONITOR_STOP_FILE}': No such file or directory\n`, exitCode: 1 });
  });

  test('ends by itself once its time limit passes', async () => {
    const h = execHarness(seededStore());
    const started = Date.now();
    const reply = await h.run('y/c', ['/bin/bash', '-c', buildMonitorScript({ ...CONNECTIVITY, maxSeconds: 1 })]);
    expect(Date.now() - started).toBeLessThanOrEqual(2000 + TICK_MS);
    expect(parseMonitorOutput(reply.stdout).at(-1)?.type).toBe('stopped');
  });
});

describe('a Flannel upgrade under the monitor', () => {
  test('faithful: every held connection stays intact and answers, every probe passes through the rollout', async () => {
    cell = await startUpgradeCell('kube-flannel-ds');
    const run = await monitorUpgrade(cell, 'kube-flannel-ds', CONNECTIVITY);
    expect(run.exitCode).toBe(0);
    expect(run.replacedAt.size).toBe(3);
    for (const id of ['hold.same', 'hold.cross']) {
      const events = holdEvents(run.events, id);
      expect(events[0]!.event).toBe('open');
      expect(events.at(-1)!.event).toBe('closed');
      expect(events.filter((e) => e.event !== 'reply' && e.event !== 'open' && e.event !== 'closed')).toEqual([]);
      expect(events.filter((e) => e.event === 'reply' && e.at >= run.upgradedAt && e.at <= run.rolledOutAt).length).toBeGreaterThanOrEqual(5);
    }
    const all = run.events.filter((e): e is ProbeEvent => e.type === 'probe');
    expect(all.filter((p) => p.exitCode !== 0)).toEqual([]);
    expect(all.filter((p) => p.at >= run.upgradedAt && p.at <= run.rolledOutAt).length).toBeGreaterThanOrEqual(5 * CONNECTIVITY.probes.length);
  });

  test('upgrade-resets-connections: both held connections of the worker break as its agent is replaced', async () => {
    cell = await startUpgradeCell('kube-flannel-ds', ['upgrade-resets-connections']);
    const run = await monitorUpgrade(cell, 'kube-flannel-ds', CONNECTIVITY);
    // c runs on the worker: its agent's replacement resets both (the other end's node comes later or never matters).
    const replaced = run.replacedAt.get(W1)!;
    for (const id of ['hold.same', 'hold.cross']) {
      const events = holdEvents(run.events, id);
      const broken = events.filter((e) => e.event === 'broken');
      expect(broken).toHaveLength(1);
      expect(broken[0]!.detail).toBe('eof');
      expect(broken[0]!.at).toBeGreaterThanOrEqual(replaced);
      expect(broken[0]!.at).toBeLessThan(replaced + 2 * TICK_MS + 50);
      expect(events.at(-1)).toBe(broken[0]);
      expect(events.some((e) => e.event === 'closed')).toBe(false);
    }
    expect(run.events.filter((e): e is ProbeEvent => e.type === 'probe' && e.exitCode !== 0)).toEqual([]);
  });

  test('upgrade-gap:1500: traffic of each replaced node is dropped for 1.5 s, then recovers; held connections stall, then answer', async () => {
    const GAP_MS = 1500;
    cell = await startUpgradeCell('kube-flannel-ds', [`upgrade-gap:${GAP_MS}`]);
    const run = await monitorUpgrade(cell, 'kube-flannel-ds', CONNECTIVITY, { settleMs: GAP_MS + 500 });
    const gap = (node: string): [number, number] => [run.replacedAt.get(node)!, run.replacedAt.get(node)! + GAP_MS];
    const expected: Record<string, Array<[number, number]>> = {
      'tcp.same': [gap(W1)],
      'tcp.cross': [gap(W1), gap(W2)],
      'udp.cross': [gap(W1), gap(W2)],
      // Service endpoints a (worker) and b (worker2), round-robin: a failure only in either gap.
      'tcp.service': [gap(W1), gap(W2)],
      // CoreDNS runs on the control plane.
      dns: [gap(CP), gap(W1)],
    };
    for (const [id, windows] of Object.entries(expected)) {
      const results = probes(run.events, id);
      const failed = results.filter((p) => p.exitCode !== 0);
      expect(failed.filter((p) => !within(p.at, windows))).toEqual([]);
      expect(results.at(-1)!.exitCode).toBe(0);
      if (id === 'tcp.service') continue;
      // Inside a gap (away from its edges) every probe fails as the tool does on a lost packet.
      const deep = results.filter((p) => windows.some(([from, to]) => p.at > from + 50 && p.at < to - 50));
      expect(deep.length).toBeGreaterThan(windows.length * 5);
      for (const p of deep) {
        expect(p.exitCode).toBe(id === 'dns' ? 9 : 1);
        expect(p.output).toMatch(id === 'dns' ? /^;; connection timed out; no servers could be reached$/ : /^TIMEOUT/);
      }
    }
    for (const id of ['hold.same', 'hold.cross']) {
      const events = holdEvents(run.events, id);
      const stalls = events.filter((e) => e.event === 'stall');
      expect(stalls.length).toBeGreaterThanOrEqual(1);
      expect(stalls.every((e) => within(e.at, [gap(W1), gap(W2)]))).toBe(true);
      expect(events.some((e) => e.event === 'broken')).toBe(false);
      const lastStall = stalls.at(-1)!;
      expect(events.find((e) => e.at > lastStall.at)?.event).toBe('reply');
      expect(events.at(-1)!.event).toBe('closed');
    }
  });
});

describe('a Calico upgrade under the monitor, with a policy isolating x', () => {
  const denyIngress: KubeObject = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'x' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } };
  const LEAKS: MonitorSpec = {
    holds: [],
    probes: [{ id: 'leak.same', command: connect(`${IPS.a}:80`) }, { id: 'leak.cross', command: connect(`${IPS.b}:80`) }],
    tickMs: TICK_MS,
    maxSeconds: 30,
  };
  const leaks = (events: MonitorEvent[], id: string) => probes(events, id).filter((p) => p.exitCode === 0);

  test('faithful: the policy holds through the rollout', async () => {
    cell = await startUpgradeCell('calico-node');
    cell.store.put(denyIngress);
    const run = await monitorUpgrade(cell, 'calico-node', LEAKS);
    expect(probes(run.events, 'leak.same').length).toBeGreaterThan(10);
    expect(leaks(run.events, 'leak.same')).toEqual([]);
    expect(leaks(run.events, 'leak.cross')).toEqual([]);
  });

  test('upgrade-policy-leak: a denied connection succeeds while the node of its isolated end gets its new agent', async () => {
    cell = await startUpgradeCell('calico-node', ['upgrade-policy-leak']);
    cell.store.put(denyIngress);
    const run = await monitorUpgrade(cell, 'calico-node', LEAKS, { settleMs: POLICY_LEAK_MIN_MS });
    const window = (node: string): [number, number] => [run.replacedAt.get(node)!, run.replacedAt.get(node)! + POLICY_LEAK_MIN_MS];
    // The ingress policy isolates a (worker) and b (worker2): each leaks while its own node's agent is new;
    // c's egress (worker) is not what denies b, so the worker's window does not open leak.cross.
    const same = leaks(run.events, 'leak.same');
    const cross = leaks(run.events, 'leak.cross');
    expect(same.length).toBeGreaterThanOrEqual(5);
    expect(cross.length).toBeGreaterThanOrEqual(5);
    expect(same.filter((p) => !within(p.at, [window(W1)]))).toEqual([]);
    expect(cross.filter((p) => !within(p.at, [window(W2)]))).toEqual([]);
    expect(probes(run.events, 'leak.same').at(-1)!.exitCode).toBe(1);
  });
});
