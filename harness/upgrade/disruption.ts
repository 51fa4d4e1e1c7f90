// The upgrade cell's verdicts, from what the disruption monitor saw (docs/verdicts.md, "Upgrade
// cells"): baseline before the upgrade, then connections kept, longest gap per path and policy
// leaks over the upgrade window, each with its figures.
import { UPGRADE_SUITE, type TestResult } from '../model/results.ts';
import type { AgentReplacement } from './agent-pods.ts';
import type { MonitorEvent } from './monitor-script.ts';

/** One monitored source pod's events. */
export interface MonitorRecord {
  source: string;
  /** Where each probe id and held connection went, for messages ("client-a → 10.244.2.5:80"). */
  targets: Record<string, string>;
  events: MonitorEvent[];
}

export interface UpgradeWindow {
  /** When the new version was applied, and when it had rolled out on every node (ms since epoch). */
  upgradeStartedAt: number;
  rolledOutAt: number;
  /** When the monitor was told to stop. */
  stoppedAt: number;
  from: string;
  to: string;
}

export interface DisruptionInput {
  records: MonitorRecord[];
  window: UpgradeWindow;
  maxGapMs: number;
  /** Why leak checks cannot run (the CNI enforces no NetworkPolicy), or undefined when they do. */
  leaksUnsupported?: string;
  /** Figures of the monitor itself, added to the rollout check. */
  overhead: Record<string, string>;
  /** The agent pods the upgrade replaced; none replaced means nothing was upgraded. */
  agents: AgentReplacement;
}

/** The streams judged by their longest gap, with the words of their check. */
export const MONITORED_PATHS = [
  { id: 'tcp.same', what: 'same-node pod-to-pod TCP' },
  { id: 'tcp.cross', what: 'cross-node pod-to-pod TCP' },
  { id: 'udp.same', what: 'same-node pod-to-pod UDP' },
  { id: 'udp.cross', what: 'cross-node pod-to-pod UDP' },
  { id: 'tcp.service', what: 'TCP to a ClusterIP Service' },
  { id: 'dns', what: 'DNS lookup of kubernetes.default' },
] as const;

export const HELD_CONNECTIONS = [
  { id: 'hold.same', what: 'same-node' },
  { id: 'hold.cross', what: 'cross-node' },
] as const;

const LEAK_IDS = ['leak.same', 'leak.cross'];

type ProbeEvent = Extract<MonitorEvent, { type: 'probe' }>;
type HoldEvent = Extract<MonitorEvent, { type: 'hold' }>;

function answered(event: ProbeEvent): boolean {
  return event.exitCode === 0 && (event.id !== 'dns' || event.output.trim() !== '');
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** "+3.2s" relative to the upgrade's start. */
function offset(at: number, window: UpgradeWindow): string {
  const delta = at - window.upgradeStartedAt;
  return `${delta < 0 ? '-' : '+'}${seconds(Math.abs(delta))}`;
}

interface Gap {
  ms: number;
  from: number;
  to: number;
}

/** Longest time between answered probes that touches [start, end]; the end counts as an answer only when the stream ran to it. */
function longestGap(probes: ProbeEvent[], start: number, end: number): Gap | undefined {
  const answers = probes.filter(answered).map((p) => p.at);
  if (answers.length === 0) return undefined;
  let longest: Gap = { ms: 0, from: start, to: start };
  const points = [...answers, end];
  for (let i = 1; i < points.length; i++) {
    const from = points[i - 1]!;
    const to = points[i]!;
    if (to < start || from > end) continue;
    if (to - from > longest.ms) longest = { ms: to - from, from, to };
  }
  return longest;
}

function probesOf(record: MonitorRecord, id: string, start: number, end: number): ProbeEvent[] {
  return record.events.filter((e): e is ProbeEvent => e.type === 'probe' && e.id === id && e.at >= start && e.at <= end);
}

function check(name: string, status: TestResult['status'], figures: Record<string, string>, text?: string, durationMs = 0): TestResult {
  const words = text === undefined ? {} : status === 'unsupported' ? { detail: text } : status === 'pass' ? {} : { message: text };
  return { suite: UPGRADE_SUITE, name, status, durationMs, ...words, ...(Object.keys(figures).length === 0 ? {} : { figures }) };
}

/** What went wrong before the upgrade started, or undefined when every stream worked. */
function baselineProblems(input: DisruptionInput, started: number): string[] {
  const { window, records } = input;
  const problems: string[] = [];
  for (const record of records) {
    for (const path of MONITORED_PATHS) {
      if (record.targets[path.id] === undefined) continue;
      const probes = probesOf(record, path.id, started, window.upgradeStartedAt);
      const gap = longestGap(probes, started, window.upgradeStartedAt);
      if (gap === undefined) problems.push(`${path.what} from ${record.source} (${record.targets[path.id]}): no answer in ${probes.length} probes`);
      else if (gap.ms > input.maxGapMs) problems.push(`${path.what} from ${record.source}: ${seconds(gap.ms)} without an answer`);
    }
    for (const hold of HELD_CONNECTIONS) {
      if (record.targets[hold.id] === undefined) continue;
      const opened = record.events.some((e) => e.type === 'hold' && e.id === hold.id && e.event === 'open' && e.at <= window.upgradeStartedAt);
      if (!opened) problems.push(`the ${hold.what} connection from ${record.source} (${record.targets[hold.id]}) was not open before the upgrade`);
    }
    for (const id of LEAK_IDS) {
      const leaked = probesOf(record, id, started, window.upgradeStartedAt).filter((p) => p.exitCode === 0).length;
      if (leaked > 0) problems.push(`${record.source} reached the isolated pod ${record.targets[id]} ${leaked} times: NetworkPolicy was not enforced before the upgrade`);
    }
  }
  return problems;
}

function connectionChecks(input: DisruptionInput): TestResult[] {
  const { window } = input;
  return HELD_CONNECTIONS.map((hold) => {
    const broken: string[] = [];
    let longestStall = 0;
    let count = 0;
    let repliesAfter = 0;
    for (const record of input.records) {
      const target = record.targets[hold.id];
      if (target === undefined) continue;
      count++;
      const events = record.events.filter((e): e is HoldEvent => e.type === 'hold' && e.id === hold.id);
      const breakage = events.find((e) => e.event === 'broken');
      if (breakage !== undefined) broken.push(`${record.source} → ${target}: ${breakage.detail ?? 'broken'} at ${offset(breakage.at, window)}`);
      const replies = events.filter((e) => e.event === 'reply').map((e) => e.at);
      repliesAfter += replies.filter((at) => at > window.rolledOutAt).length;
      for (let i = 1; i < replies.length; i++) longestStall = Math.max(longestStall, replies[i]! - replies[i - 1]!);
    }
    const name = `established ${hold.what} TCP connections survive the upgrade`;
    const figures = { connections: String(count), broken: String(broken.length), longestStallMs: String(longestStall), ...(broken.length > 0 ? { brokenAt: broken.join('; ') } : {}) };
    if (broken.length > 0) return check(name, 'fail', figures, `${broken.length} of ${count} connections held open across the upgrade ${window.from}→${window.to} broke: ${broken.join('; ')}`);
    if (repliesAfter === 0) return check(name, 'fail', figures, `no held connection carried a reply after the upgrade rolled out (${offset(window.rolledOutAt, window)}): the connections stalled`);
    return check(name, 'pass', figures);
  });
}

function gapChecks(input: DisruptionInput): TestResult[] {
  const { window } = input;
  return MONITORED_PATHS.map((path) => {
    let worst: (Gap & { source: string }) | undefined;
    let sent = 0;
    let lost = 0;
    let silent: string | undefined;
    for (const record of input.records) {
      if (record.targets[path.id] === undefined) continue;
      const probes = probesOf(record, path.id, window.upgradeStartedAt, window.stoppedAt);
      sent += probes.length;
      lost += probes.filter((p) => !answered(p)).length;
      const all = record.events.filter((e): e is ProbeEvent => e.type === 'probe' && e.id === path.id);
      const gap = longestGap(all, window.upgradeStartedAt, window.stoppedAt);
      if (gap === undefined) silent = record.source;
      else if (worst === undefined || gap.ms > worst.ms) worst = { ...gap, source: record.source };
    }
    const name = `${path.what} keeps answering through the upgrade`;
    const figures: Record<string, string> = {
      probes: String(sent),
      lost: String(lost),
      ...(worst === undefined ? {} : { longestGapMs: String(worst.ms), longestGapWindow: `${offset(worst.from, window)}..${offset(worst.to, window)} (${worst.source})` }),
      maxGapMs: String(input.maxGapMs),
    };
    if (silent !== undefined) return check(name, 'fail', figures, `${path.what} from ${silent} was never answered during the upgrade ${window.from}→${window.to} (${sent} probes)`);
    if (worst === undefined) return check(name, 'error', figures, `no ${path.what} probe ran during the upgrade`);
    if (worst.ms > input.maxGapMs) {
      return check(
        name,
        'fail',
        figures,
        `${path.what} from ${worst.source} went ${seconds(worst.ms)} without an answer (${offset(worst.from, window)}..${offset(worst.to, window)} of the upgrade ${window.from}→${window.to}; the limit is ${seconds(input.maxGapMs)}, upgradeMaxGap); ${lost} of ${sent} probes lost`,
      );
    }
    return check(name, 'pass', figures);
  });
}

function leakCheck(input: DisruptionInput): TestResult {
  const name = 'NetworkPolicy keeps isolating pods through the upgrade (no allow-leak)';
  if (input.leaksUnsupported !== undefined) return check(name, 'unsupported', {}, input.leaksUnsupported);
  const { window } = input;
  const leaks: string[] = [];
  let probes = 0;
  for (const record of input.records) {
    for (const id of LEAK_IDS) {
      const seen = probesOf(record, id, window.upgradeStartedAt, window.stoppedAt);
      probes += seen.length;
      const through = seen.filter((p) => p.exitCode === 0);
      if (through.length > 0) leaks.push(`${record.source} → ${record.targets[id]} ${through.length}× in ${offset(through[0]!.at, window)}..${offset(through.at(-1)!.at, window)}`);
    }
  }
  const figures = { probes: String(probes), leaks: String(leaks.length), ...(leaks.length > 0 ? { leakWindows: leaks.join('; ') } : {}) };
  if (probes === 0) return check(name, 'error', figures, 'no probe of an isolated pod ran during the upgrade');
  if (leaks.length > 0) return check(name, 'fail', figures, `pods that a NetworkPolicy isolates were reachable during the upgrade ${window.from}→${window.to}: ${leaks.join('; ')}`);
  return check(name, 'pass', figures);
}

/** Every upgrade check of the cell. */
export function judgeUpgrade(input: DisruptionInput): TestResult[] {
  const { window } = input;
  const started = Math.min(...input.records.map((r) => r.events.find((e) => e.type === 'started')?.at ?? window.upgradeStartedAt));
  const { agents } = input;
  const allReplaced = agents.total > 0 && agents.replaced === agents.total;
  const rollout = check(
    `the upgrade ${window.from}→${window.to} rolled out in place`,
    allReplaced ? 'pass' : 'fail',
    {
      agentsReplaced: `${agents.replaced}/${agents.total}`,
      rolloutMs: String(window.rolledOutAt - window.upgradeStartedAt),
      monitoredAfterMs: String(window.stoppedAt - window.rolledOutAt),
      baselineMs: String(window.upgradeStartedAt - started),
      ...input.overhead,
    },
    allReplaced
      ? undefined
      : `the upgrade replaced ${agents.replaced} of ${agents.total} agent pods of ${agents.daemonSets.join(', ') || 'no DaemonSet'}: ${window.to} did not roll out over ${window.from}, so the monitor measured no upgrade`,
    window.rolledOutAt - window.upgradeStartedAt,
  );
  const measured = [...connectionChecks(input), ...gapChecks(input), leakCheck(input)];
  const problems = baselineProblems(input, started);
  const baseline = check('the monitored paths answered before the upgrade', problems.length === 0 ? 'pass' : 'fail', { problems: String(problems.length) }, problems.length === 0 ? undefined : `before the upgrade started: ${problems.join('; ')}`);
  if (problems.length === 0) return [rollout, baseline, ...measured];
  // What broke before the upgrade is not the upgrade's doing: its checks cannot say anything.
  const unmeasurable = (t: TestResult): TestResult =>
    t.status === 'unsupported' ? t : { ...t, status: 'error', message: `not measurable: the paths did not work before the upgrade (${problems[0]})` };
  return [rollout, baseline, ...measured.map(unmeasurable)];
}
