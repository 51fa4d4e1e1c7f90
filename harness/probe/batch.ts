// One exec per source pod: every probe of that source runs concurrently inside it.
import type { ExecTarget, Kube } from '../kube/types.ts';
import { classify, missingResult, type ProbeResult } from './outcome.ts';
import { buildBatchScript, parseBatchOutput } from './script.ts';

export interface Probe {
  /** Matches [A-Za-z0-9_.:-]+ and is unique within its batch. */
  id: string;
  /** Command words (see harness/probe/commands.ts). */
  command: string[];
  /** The probe's own timeout (the --timeout / --max-time in its command). */
  timeoutSeconds: number;
}

/** Time the exec gets beyond the slowest probe: pod exec round trip and shell start-up. */
export const EXEC_GRACE_MS = 10_000;

/**
 * Runs `probes` in the pod `source` in one exec and returns every probe's result by id. Never
 * rejects for probe failures: a failed exec turns every probe into outcome "error" with the reason.
 */
export async function runBatch(kube: Kube, source: ExecTarget, probes: Probe[]): Promise<Map<string, ProbeResult>> {
  const results = new Map<string, ProbeResult>();
  if (probes.length === 0) return results;
  const script = buildBatchScript(probes);
  const timeoutMs = Math.max(...probes.map((p) => p.timeoutSeconds)) * 1000 + EXEC_GRACE_MS;
  let stdout: string;
  try {
    stdout = (await kube.exec(source, ['/bin/sh', '-c', script], { timeoutMs })).stdout;
  } catch (error) {
    const reason = `exec in ${source.namespace}/${source.pod} failed: ${error instanceof Error ? error.message : String(error)}`;
    for (const probe of probes) results.set(probe.id, missingResult(probe.id, reason));
    return results;
  }
  const raw = parseBatchOutput(stdout);
  for (const probe of probes) {
    const line = raw.get(probe.id);
    results.set(
      probe.id,
      line ? classify(probe.id, probe.command, line.exitCode, line.output) : missingResult(probe.id, 'no result line'),
    );
  }
  return results;
}

/** runBatch for several sources at once, all execs in parallel; results keyed by source key. */
export async function runBatches<K extends string>(
  kube: Kube,
  batches: { key: K; source: ExecTarget; probes: Probe[] }[],
): Promise<Map<K, Map<string, ProbeResult>>> {
  const done = await Promise.all(batches.map(async (b) => [b.key, await runBatch(kube, b.source, b.probes)] as const));
  return new Map(done);
}
