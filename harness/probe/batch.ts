// One exec per source pod: the probes of that source run concurrently inside it, and the cell's
// probe concurrency bounds how many probe processes run at once across all sources.
import { isUnreachable } from '../kube/errors.ts';
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

/** Time the exec gets beyond its probes' own timeouts: pod exec round trip and shell start-up. */
export const EXEC_GRACE_MS = 10_000;

export const PROBE_CONCURRENCY_ENV = 'CNIMATRIX_PROBE_CONCURRENCY';
/** Probe processes (agnhost, curl, dig) running at once in one cell, over all its source pods. */
export const DEFAULT_PROBE_CONCURRENCY = 48;
export const MAX_PROBE_CONCURRENCY = 512;
/** However many sources share the budget, each runs at least this many probes at once. */
const MIN_WAVE = 4;

/** The cell's probe concurrency: CNIMATRIX_PROBE_CONCURRENCY (set by `cnimatrix run` from `probeConcurrency`), default 48. */
export function probeConcurrency(): number {
  const raw = process.env[PROBE_CONCURRENCY_ENV];
  if (raw === undefined || raw === '') return DEFAULT_PROBE_CONCURRENCY;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PROBE_CONCURRENCY) {
    throw new Error(`${PROBE_CONCURRENCY_ENV}="${raw}" is not a whole number from 1 to ${MAX_PROBE_CONCURRENCY} (probe processes at once per cell, e.g. ${DEFAULT_PROBE_CONCURRENCY})`);
  }
  return n;
}

/** How long one batch may take: every wave waits for its slowest probe, plus the exec's grace. */
export function batchTimeoutMs(probes: Probe[], wave: number): number {
  let total = 0;
  for (let i = 0; i < probes.length; i += wave) total += Math.max(...probes.slice(i, i + wave).map((p) => p.timeoutSeconds)) * 1000;
  return total + EXEC_GRACE_MS;
}

/**
 * Runs `probes` in the pod `source` in one exec and returns every probe's result by id. A failed
 * exec turns every probe into outcome "error" with the reason; only an API server that cannot be
 * reached rejects, since then no probe was run and there is no path to report on.
 */
export async function runBatch(kube: Kube, source: ExecTarget, probes: Probe[], wave = probeConcurrency()): Promise<Map<string, ProbeResult>> {
  const results = new Map<string, ProbeResult>();
  if (probes.length === 0) return results;
  const script = buildBatchScript(probes, wave);
  const timeoutMs = batchTimeoutMs(probes, wave);
  let stdout: string;
  try {
    stdout = (await kube.exec(source, ['/bin/sh', '-c', script], { timeoutMs })).stdout;
  } catch (error) {
    if (isUnreachable(error)) throw error;
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

/** The probes each of `sources` runs at once when they share `limit`. */
export function waveSize(limit: number, sources: number): number {
  return Math.min(limit, Math.max(MIN_WAVE, Math.floor(limit / Math.max(1, sources))));
}

/**
 * runBatch for several sources, keyed by source key, within the probe concurrency: the budget is
 * shared out as waves per source (at least MIN_WAVE), and as many sources run at once as it covers.
 */
export async function runBatches<K extends string>(
  kube: Kube,
  batches: { key: K; source: ExecTarget; probes: Probe[] }[],
): Promise<Map<K, Map<string, ProbeResult>>> {
  const limit = probeConcurrency();
  const wave = waveSize(limit, batches.length);
  const sourcesAtOnce = Math.max(1, Math.floor(limit / wave));
  const done = new Map<K, Map<string, ProbeResult>>();
  const queue = [...batches];
  const worker = async () => {
    for (let b = queue.shift(); b; b = queue.shift()) done.set(b.key, await runBatch(kube, b.source, b.probes, wave));
  };
  await Promise.all(Array.from({ length: Math.min(sourcesAtOnce, batches.length) }, worker));
  return new Map(batches.map((b) => [b.key, done.get(b.key)!]));
}
