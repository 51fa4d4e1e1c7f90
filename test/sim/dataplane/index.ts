// The dataplane model behind the fake API server's exec: answers the probe commands of
// docs/probe-protocol.md from the cluster state at the moment of the exec, with active faults.
import type { ExecHandler, ExecReply, KubeObject, ObjectStore } from '../apiserver/index.ts';
import type { SimFault } from '../faults/types.ts';
import { runCommand } from './commands.ts';
import { buildContext, DataplaneMemory, type DataplaneContext } from './context.ts';
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

export function createDataplane(opts: DataplaneOptions = {}): Dataplane {
  const memory = new DataplaneMemory();
  let execCount = 0;
  const context = (store: ObjectStore): DataplaneContext => buildContext(snapshot(store), opts.faults?.() ?? [], memory);
  const exec: ExecHandler = async (req) => {
    execCount++;
    if (opts.execLatencyMs) await new Promise((r) => setTimeout(r, opts.execLatencyMs));
    const state = snapshot(req.store);
    const ctx = buildContext(state, opts.faults?.() ?? [], memory);
    const podObj: KubeObject = req.pod;
    const pod = state.pods.find((p) => p.namespace === podObj.metadata.namespace && p.name === podObj.metadata.name);
    if (!pod || !pod.running) {
      return { stdout: '', stderr: `error: unable to upgrade connection: container not found ("${req.container}")\n`, exitCode: 1 };
    }
    const [program, flag, script] = req.command;
    try {
      if ((program === '/bin/sh' || program === 'sh') && flag === '-c' && script !== undefined) return runScript(ctx, pod, script);
      return runCommand(ctx, pod, req.command);
    } catch (error) {
      return { stdout: '', stderr: `sh: ${(error as Error).message}\n`, exitCode: 2 };
    }
  };
  return {
    exec,
    context,
    get execCount() {
      return execCount;
    },
  };
}
