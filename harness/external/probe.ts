// Batched probes from the external client: the same script and outcome parsing as in pods
// (docs/probe-protocol.md), run with one `docker exec` instead of one pod exec.
import { buildBatchScript, classify, EXEC_GRACE_MS, missingResult, parseBatchOutput, type Probe, type ProbeResult } from '../probe/index.ts';
import type { StartedExternalClient } from './client.ts';

export async function runExternalBatch(client: StartedExternalClient, probes: Probe[]): Promise<Map<string, ProbeResult>> {
  const results = new Map<string, ProbeResult>();
  if (probes.length === 0) return results;
  const timeoutMs = Math.max(...probes.map((p) => p.timeoutSeconds)) * 1000 + EXEC_GRACE_MS;
  let stdout: string;
  try {
    stdout = (await client.exec(['/bin/sh', '-c', buildBatchScript(probes)], { timeoutMs })).stdout;
  } catch (error) {
    const reason = `exec in the external client (${client.ip}) failed: ${error instanceof Error ? error.message : String(error)}`;
    for (const probe of probes) results.set(probe.id, missingResult(probe.id, reason));
    return results;
  }
  const raw = parseBatchOutput(stdout);
  for (const probe of probes) {
    const line = raw.get(probe.id);
    results.set(probe.id, line ? classify(probe.id, probe.command, line.exitCode, line.output) : missingResult(probe.id, 'no result line'));
  }
  return results;
}
