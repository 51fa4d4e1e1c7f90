// The upgrade verdicts on monitor records made by hand: what a faithful upgrade, a reset, a gap, a
// single lost datagram and a policy leak look like to the checks.
import { describe, expect, test } from '@jest/globals';
import { judgeUpgrade, type MonitorRecord, type UpgradeWindow } from '../../harness/upgrade/disruption.ts';
import type { MonitorEvent } from '../../harness/upgrade/monitor-script.ts';

const T0 = 1_800_000_000_000;
const window: UpgradeWindow = { upgradeStartedAt: T0 + 5_000, rolledOutAt: T0 + 20_000, stoppedAt: T0 + 30_000, from: 'v0.27.3', to: 'v0.27.4' };
const PATHS = ['tcp.same', 'tcp.cross', 'udp.same', 'udp.cross', 'tcp.service', 'dns'];
const TICK = 250;

interface Faults {
  /** Probes of these ids fail in [from, to). */
  down?: { ids: string[]; from: number; to: number };
  brokenAt?: number;
  leakAt?: { from: number; to: number };
  isolated?: boolean;
}

function record(source: string, faults: Faults = {}): MonitorRecord {
  const events: MonitorEvent[] = [{ at: T0, type: 'started' }];
  const ids = [...PATHS, ...(faults.isolated ? ['leak.same', 'leak.cross'] : [])];
  for (const hold of ['hold.same', 'hold.cross']) events.push({ at: T0 + 1, type: 'hold', id: hold, event: 'open' });
  for (let at = T0; at < window.stoppedAt; at += TICK) {
    for (const id of ids) {
      const down = faults.down !== undefined && faults.down.ids.includes(id) && at >= faults.down.from && at < faults.down.to;
      const leaking = id.startsWith('leak.') && faults.leakAt !== undefined && at >= faults.leakAt.from && at < faults.leakAt.to;
      const exitCode = id.startsWith('leak.') ? (leaking ? 0 : 1) : down ? 1 : 0;
      events.push({ at, type: 'probe', id, exitCode, output: id === 'dns' && !down ? '10.96.0.1\n' : down ? 'TIMEOUT' : '' });
    }
    for (const hold of ['hold.same', 'hold.cross']) {
      if (faults.brokenAt !== undefined && hold === 'hold.cross' && at >= faults.brokenAt) continue;
      events.push({ at: at + 3, type: 'hold', id: hold, event: 'reply', detail: String(at) });
    }
  }
  if (faults.brokenAt !== undefined) events.push({ at: faults.brokenAt, type: 'hold', id: 'hold.cross', event: 'broken', detail: 'eof' });
  const targets: Record<string, string> = Object.fromEntries([...ids, 'hold.same', 'hold.cross'].map((id) => [id, `10.244.1.5:80 (${id})`]));
  return { source, targets, events: events.sort((a, b) => a.at - b.at) };
}

const ALL_REPLACED = { replaced: 3, total: 3, daemonSets: ['kube-flannel/kube-flannel-ds'] };
const judge = (records: MonitorRecord[], enforcesPolicy = false, agents = ALL_REPLACED) =>
  judgeUpgrade({ records, window, maxGapMs: 3000, ...(enforcesPolicy ? {} : { leaksUnsupported: 'flannel enforces no NetworkPolicy' }), overhead: {}, agents });
const byName = (checks: ReturnType<typeof judge>, words: string) => checks.find((c) => c.name.includes(words))!;

describe('upgrade verdicts', () => {
  test('a faithful upgrade passes every check and records its figures; leaks are unsupported without NetworkPolicy', () => {
    const checks = judge([record('client-a'), record('client-b')]);
    expect(checks.map((c) => [c.name, c.status])).toEqual([
      ['the upgrade v0.27.3→v0.27.4 rolled out in place', 'pass'],
      ['the monitored paths answered before the upgrade', 'pass'],
      ['established same-node TCP connections survive the upgrade', 'pass'],
      ['established cross-node TCP connections survive the upgrade', 'pass'],
      ['same-node pod-to-pod TCP keeps answering through the upgrade', 'pass'],
      ['cross-node pod-to-pod TCP keeps answering through the upgrade', 'pass'],
      ['same-node pod-to-pod UDP keeps answering through the upgrade', 'pass'],
      ['cross-node pod-to-pod UDP keeps answering through the upgrade', 'pass'],
      ['TCP to a ClusterIP Service keeps answering through the upgrade', 'pass'],
      ['DNS lookup of kubernetes.default keeps answering through the upgrade', 'pass'],
      ['NetworkPolicy keeps isolating pods through the upgrade (no allow-leak)', 'unsupported'],
    ]);
    expect(byName(checks, 'rolled out').figures).toMatchObject({ agentsReplaced: '3/3', rolloutMs: '15000', baselineMs: '5000', monitoredAfterMs: '10000' });
    expect(byName(checks, 'cross-node pod-to-pod TCP').figures).toMatchObject({ longestGapMs: String(TICK), lost: '0', maxGapMs: '3000' });
  });

  test('a connection reset during the rollout fails its check, naming the connection and when', () => {
    const check = byName(judge([record('client-a', { brokenAt: T0 + 12_000 }), record('client-b')]), 'cross-node TCP connections');
    expect(check.status).toBe('fail');
    expect(check.message).toBe('1 of 2 connections held open across the upgrade v0.27.3→v0.27.4 broke: client-a → 10.244.1.5:80 (hold.cross): eof at +7.0s');
    expect(check.figures).toMatchObject({ broken: '1', connections: '2' });
  });

  test('a 6 s gap on one path fails that path alone, with the window; a single lost datagram does not', () => {
    const checks = judge([
      record('client-a', { down: { ids: ['tcp.cross'], from: T0 + 10_000, to: T0 + 16_000 } }),
      record('client-b', { down: { ids: ['udp.cross'], from: T0 + 11_000, to: T0 + 11_000 + TICK } }),
    ]);
    const tcp = byName(checks, 'cross-node pod-to-pod TCP');
    expect(tcp.status).toBe('fail');
    expect(tcp.message).toMatch(/^cross-node pod-to-pod TCP from client-a went 6\.3s without an answer \(\+4\.8s\.\.\+11\.0s of the upgrade v0\.27\.3→v0\.27\.4; the limit is 3\.0s, upgradeMaxGap\); 24 of 200 probes lost$/);
    expect(byName(checks, 'cross-node pod-to-pod UDP').status).toBe('pass');
    expect(byName(checks, 'cross-node pod-to-pod UDP').figures).toMatchObject({ lost: '1', longestGapMs: String(2 * TICK) });
    expect(byName(checks, 'same-node pod-to-pod TCP').status).toBe('pass');
  });

  test('a path that never answers again after the upgrade fails: the gap runs to the end', () => {
    const check = byName(judge([record('client-a', { down: { ids: ['dns'], from: T0 + 15_000, to: T0 + 99_000 } }), record('client-b')]), 'DNS');
    expect(check.status).toBe('fail');
    expect(check.figures?.longestGapWindow).toBe('+9.8s..+25.0s (client-a)');
  });

  test('an isolated pod reachable during the rollout is a leak, with its window; enforced throughout passes', () => {
    const leaking = byName(judge([record('client-a', { isolated: true, leakAt: { from: T0 + 8_000, to: T0 + 9_000 } }), record('client-b', { isolated: true })], true), 'NetworkPolicy');
    expect(leaking.status).toBe('fail');
    expect(leaking.message).toContain('client-a → 10.244.1.5:80 (leak.same) 4× in +3.0s..+3.8s');
    const enforced = byName(judge([record('client-a', { isolated: true }), record('client-b', { isolated: true })], true), 'NetworkPolicy');
    expect(enforced.status).toBe('pass');
  });

  test('paths broken before the upgrade make the upgrade checks errors, not failures of the upgrade', () => {
    const checks = judge([record('client-a', { down: { ids: ['tcp.cross'], from: T0, to: T0 + 30_000 } }), record('client-b')]);
    expect(byName(checks, 'before the upgrade').status).toBe('fail');
    expect(byName(checks, 'before the upgrade').message).toContain('cross-node pod-to-pod TCP from client-a (10.244.1.5:80 (tcp.cross)): no answer in 21 probes');
    expect(byName(checks, 'cross-node pod-to-pod TCP').status).toBe('error');
    expect(byName(checks, 'cross-node pod-to-pod TCP').message).toMatch(/^not measurable: the paths did not work before the upgrade/);
    expect(byName(checks, 'NetworkPolicy').status).toBe('unsupported');
  });

  test('an upgrade that replaced no agent pod is red: the monitor measured no upgrade, however quiet it was', () => {
    const check = byName(judge([record('client-a'), record('client-b')], false, { replaced: 0, total: 3, daemonSets: ['kube-flannel/kube-flannel-ds'] }), 'rolled out');
    expect(check.status).toBe('fail');
    expect(check.message).toBe('the upgrade replaced 0 of 3 agent pods of kube-flannel/kube-flannel-ds: v0.27.4 did not roll out over v0.27.3, so the monitor measured no upgrade');
  });
});
