// The disruption monitor run over real time: its held connections open at the start, then every
// tick one round of probes and one request per held connection, each answered by the model as the
// cluster is at that moment (a fresh snapshot per tick), until the pod's stop file appears or the
// time limit passes. The exec's reply is every line, as the script prints them.
import type { ExecReply } from '../apiserver/index.ts';
import { runCommand } from './commands.ts';
import type { DataplaneContext } from './context.ts';
import { MonitoredConnection } from './held-connection.ts';
import { monitorLine, monitorProbeLine, type MonitorPlan } from './monitor-script.ts';
import { podKeyOf, type SimPod } from './state.ts';

/** The model right now, and the monitor's pod in it (undefined once it is gone or stopped running). */
export type MonitorView = () => { ctx: DataplaneContext; pod: SimPod | undefined };

/** The exit status of a command whose container was killed under it. */
const KILLED = 137;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runMonitor(plan: MonitorPlan, view: MonitorView): Promise<ExecReply> {
  const lines: string[] = [];
  const say = (at: number, words: string) => lines.push(monitorLine(at, words));
  const reply = (exitCode: number): ExecReply => ({ stdout: lines.map((l) => `${l}\n`).join(''), stderr: '', exitCode });
  // bash compares whole seconds: `[ "${EPOCHREALTIME%.*}" -lt "$until" ]`.
  const untilMs = (Math.floor(Date.now() / 1000) + plan.maxSeconds) * 1000;
  const first = view();
  if (!first.pod) return reply(KILLED);
  const held = new Map<string, MonitoredConnection>();
  for (const hold of plan.holds) {
    const now = Date.now();
    const connection = MonitoredConnection.open(first.ctx, first.pod, hold, now);
    say(now, connection ? `hold ${hold.id} open` : `hold ${hold.id} broken open`);
    if (connection) held.set(hold.id, connection);
  }
  say(Date.now(), 'started');
  for (;;) {
    const tick = Date.now();
    const { ctx, pod } = view();
    if (!pod) return reply(KILLED);
    if (ctx.memory.files.get(podKeyOf(pod))?.has(plan.stopFile) || tick >= untilMs) break;
    for (const probe of plan.probes) {
      const result = runCommand(ctx, pod, probe.argv);
      lines.push(monitorProbeLine(tick, probe.id, result.exitCode, result.stdout + result.stderr));
    }
    for (const [id, connection] of held) for (const event of connection.step(ctx, pod, tick)) say(tick, `hold ${id} ${event}`);
    await sleep(plan.tickMs);
  }
  for (const [id, connection] of held) if (connection.intact) say(Date.now(), `hold ${id} closed`);
  say(Date.now(), 'stopped');
  return reply(0);
}
