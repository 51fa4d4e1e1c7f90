// Batched probing: build the probe commands of docs/probe-protocol.md, run them one exec per
// source pod (all sources in parallel), classify every result, and probe truth tables with a
// settle window.
//
// API (all async functions take the cell's Kube):
//   runBatch(kube, source: ExecTarget, probes: Probe[]) → Promise<Map<id, ProbeResult>>
//       Probe = { id: /[A-Za-z0-9_.:-]+/, command: string[], timeoutSeconds: number }
//       One exec of `/bin/sh -c <script>` with timeout max(timeoutSeconds) + 10 s. Never rejects
//       for probe failures; a missing line or failed exec gives outcome "error".
//   runBatches(kube, [{ key, source, probes }]) → Promise<Map<key, Map<id, ProbeResult>>>   (parallel)
//   ProbeResult = { id, outcome: 'connected'|'refused'|'timeout'|'dns-error'|'error',
//                   exitCode: number|undefined, output: string,
//                   detail: { firstLine, clientIp?, httpStatus?, body? } }
//       connect: agnhost exit code + TIMEOUT/REFUSED/DNS/OTHER/UNKNOWN prefix.
//       curl: exit 0 → connected (httpStatus from `-i`, body, clientIp when body is "ip:port");
//             6 → dns-error, 7 → refused (or timeout), 28 → timeout, else error.
//       curl …/dial?… : JSON responses → connected (clientIp from "ip:port"); errors → timeout/refused/error.
//       dig: 0 → connected (server answered; parse detail.body), 9 → timeout, else error.
//   describeResult(result) → "timeout (TIMEOUT: …)"   for failure messages.
//   Command builders: connectCommand(host, port, 'TCP'|'UDP'|'SCTP', timeoutSeconds),
//       curlCommand(host, port, path, timeoutSeconds), dialCommand({ host, port, protocol, request, timeoutSeconds }),
//       hostPort(host, port), shellQuote(word).
//   probeMatrix(kube, { sources: ProbeSource[], targets: ProbeTarget[], probes: PortProbe[], timeoutSeconds? })
//       → Promise<ObservedTables { tables: TruthTables, results: ResultTables }>
//       ProbeSource = { key: "x/a", pod: ExecTarget }, ProbeTarget = { key, host }, PortProbe = { port, protocol }
//       TruthTables = Record<"80/TCP", Record<source key, Record<target key, boolean>>> (connected = true).
//       A pod is not probed against itself unless includeSelf.
//   settleMatrix(kube, spec, expected: TruthTables, { windowMs?, intervalMs? })
//       → Promise<SettleResult { observed, matched, attempts, flips, initialMismatches, elapsedMs }>
//       Re-probes sources with mismatches about every second until matched or the window
//       (CNIMATRIX_SETTLE_SECONDS, default 10 s) ends. matched && attempts > 1 ⇒ report flaky.
//   restrictToProbed(tables, observed), mismatchedCells(expected, observed), portKey(probe), cellName(cell).
export { runBatch, runBatches, EXEC_GRACE_MS, type Probe } from './batch.ts';
export { connectCommand, curlCommand, dialCommand, hostPort, type ProbeProtocol } from './commands.ts';
export {
  classify,
  clientIpOf,
  commandKind,
  describeResult,
  missingResult,
  OUTCOMES,
  type CommandKind,
  type Outcome,
  type ProbeDetail,
  type ProbeResult,
} from './outcome.ts';
export { buildBatchScript, parseBatchOutput, shellQuote, PROBE_ID_PATTERN, type RawProbeResult, type ScriptProbe } from './script.ts';
export {
  cellName,
  DEFAULT_PROBE_TIMEOUT_SECONDS,
  mismatchedCells,
  portKey,
  probeMatrix,
  restrictToProbed,
  SETTLE_WINDOW_ENV,
  settleMatrix,
  settleWindowMs,
  type Cell,
  type MatrixSpec,
  type ObservedTables,
  type PortProbe,
  type ProbeSource,
  type ProbeTarget,
  type ResultTables,
  type SettleOptions,
  type SettleResult,
  type TruthTables,
} from './matrix.ts';
