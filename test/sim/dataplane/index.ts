// The dataplane model behind the fake API server's exec: answers the probe commands of
// docs/probe-protocol.md from the cluster state at the moment of the exec, with active faults;
// a disruption monitor's script runs over real time instead (dataplane/monitor.ts).
import type { ExecHandler, ExecReply, KubeObject, ObjectStore } from '../apiserver/index.ts';
import type { SimFault } from '../faults/types.ts';
import { runCommand } from './commands.ts';
import { buildContext, DataplaneMemory, type DataplaneContext } from './context.ts';
import { runMonitor } from './monitor.ts';
import { isMonitorScript, parseMonitorScript } from './monitor-script.ts';
import { isProbeScript, parseProbeScript, probeResultLine, shellWords } from './probe-script.ts';
import { snapshot, type SimPod } from './state.ts';

export interface DataplaneOptions {
  /** The faults in effect; called on every exec so tests can switch faults on a running cluster. */
  faults?: () => SimFault[];
  /** Latency added once per exec (simulates the exec round trip of a real cluster). */
  execLatencyMs?: number;
}

export interface Dataplane {
  exec: ExecHandler;
  /**
   * The model's view of the cluster right now, with the active faults and the memory execs share
   * (round-robin positions, affinity): for traffic that does not come from an exec.
   */
  context(store: ObjectStore): DataplaneContext;
  /**
   * Starts noting when pods of `store` are created, to the millisecond (creationTimestamp has whole
   * seconds; the upgrade faults need finer). The first exec or context starts it too.
   */
  watch(store: ObjectStore): void;
  /** Number of execs answered. */
  readonly execCount: number;
}

function runScript(ctx: DataplaneContext, pod: SimPod, script: string): ExecReply {
  if (isProbeScript(script)) {
    const lines = parseProbeScript(script).map((probe) => {
      const result = runCommand(ctx, pod, probe.argv);
      return probeResultLine(probe.id, result.exitCode, result.stdout + result.stderr);
    });
    return { stdout: lines.map((l) => `${l}\n`).join(''), stderr: '', exitCode: 0 };
  }
  return runCommand(ctx, pod, shellWords(script.trim()));
}

const SHELLS = new Set(['/bin/sh', 'sh', '/bin/bash', 'bash']);

export function createDataplane(opts: DataplaneOptions = {}): Dataplane {
  const memory = new DataplaneMemory();
  let execCount = 0;
  const context = (store: ObjectStore): DataplaneContext => {
    memory.podClock.watch(store);
    return buildContext(snapshot(store, (p) => memory.podClock.createdAt(p)), opts.faults?.() ?? [], memory);
  };
  const exec: ExecHandler = async (req) => {
    execCount++;
    if (opts.execLatencyMs) await new Promise((r) => setTimeout(r, opts.execLatencyMs));
    const podObj: KubeObject = req.pod;
    const find = (ctx: DataplaneContext) => ctx.state.pods.find((p) => p.namespace === podObj.metadata.namespace && p.name === podObj.metadata.name && p.running);
    const ctx = context(req.store);
    const pod = find(ctx);
    if (!pod) {
      return { stdout: '', stderr: `error: unable to upgrade connection: container not found ("${req.container}")\n`, exitCode: 1 };
    }
    const [program, flag, script] = req.command;
    try {
      if (SHELLS.has(program ?? '') && flag === '-c' && script !== undefined) {
        if (!isMonitorScript(script)) return runScript(ctx, pod, script);
        const plan = parseMonitorScript(script);
        return await runMonitor(plan, () => {
          const now = context(req.store);
          return { ctx: now, pod: find(now) };
        });
      }
      return runCommand(ctx, pod, req.command);
    } catch (error) {
      return { stdout: '', stderr: `sh: ${(error as Error).message}\n`, exitCode: 2 };
    }
  };
  return {
    exec,
    context,
    watch: (store) => memory.podClock.watch(store),
    get execCount() {
      return execCount;
    },
  };
}
