// Batched probing: build the probe commands of docs/probe-protocol.md, run them one exec per
// source pod (sources in parallel, within the cell's probe concurrency), classify every result, and probe truth tables with a
// settle window.
//
// API (all async functions take the cell's Kube):
//   runBatch(kube, source: ExecTarget, probes: Probe[], wave?) → Promise<Map<id, ProbeResult>>
//       Probe = { id: /[A-Za-z0-9_.:-]+/, command: string[], timeoutSeconds: number }
//       One exec of `/bin/sh -c <script>`, probes in waves of `wave` (default the probe
//       concurrency), with timeout batchTimeoutMs (each wave's slowest timeout, summed, + 10 s).
//       Never rejects for probe failures; a missing line or failed exec gives outcome "error".
//       Rejects only when the API server cannot be reached (no probe ran).
//   runBatches(kube, [{ key, source, probes }]) → Promise<Map<key, Map<id, ProbeResult>>>
//       Sources in parallel within probeConcurrency() (CNIMATRIX_PROBE_CONCURRENCY, default 48)
//       probe processes at once: each source gets waves of max(4, limit / sources).
//   ProbeResult = { id, outcome: 'connected'|'refused'|'timeout'|'dns-error'|'error',
//                   exitCode: number|undefined, output: string,
//                   detail: { firstLine, clientIp?, httpStatus?, body? } }
//       connect: agnhost exit code + TIMEOUT/REFUSED/DNS/OTHER/UNKNOWN prefix (bare or with ":";
//                OTHER naming "connection refused", as SCTP prints a refusal, is refused).
//       curl: exit 0 → connected (httpStatus from `-i`, body, clientIp when body is "ip:port");
//             6 → dns-error, 7 → refused (or timeout), 28 → timeout, else error.
//       curl …/dial?… : JSON responses → connected (clientIp from "ip:port"); errors (or netexec's 400
//                text) → dns-error/timeout/refused/error; curl exit 28 → timeout, other curl failures → error.
//       dig: 0 → connected (server answered; parse detail.body), 9 → timeout, else error.
//   describeResult(result) → "timeout (TIMEOUT: …)"   for failure messages.
//   Command builders: connectCommand(host, port, 'TCP'|'UDP'|'SCTP', timeoutSeconds),
//       curlCommand(host, port, path, timeoutSeconds), dialCommand({ host, port, protocol, request, timeoutSeconds? }) (curl gets DIAL_TIMEOUT_SECONDS, above netexec's 5 s wait),
//       hostPort(host, port), shellQuote(word).
//   probeMatrix(kube, { sources: ProbeSource[], targets: ProbeTarget[], probes: PortProbe[], timeoutSeconds? })
//       → Promise<ObservedTables { tables: TruthTables, results: ResultTables }>
//       ProbeSource = { key: "x/a", pod: ExecTarget }, ProbeTarget = { key, host }, PortProbe = { port, protocol }
//       TruthTables = Record<"80/TCP", Record<source key, Record<target key, boolean>>> (connected = true).
//       A pod is not probed against itself unless includeSelf.
//   settleMatrix(kube, spec, expected: TruthTables, { windowMs?, intervalMs? })
//       → Promise<SettleResult { observed, matched, attempts, elapsedMs, verdict }>
//       Re-probes sources with mismatches about every second until matched or the window
//       (CNIMATRIX_SETTLE_SECONDS, default 10 s) ends; verdict is judgeTable's.
//   judgeSteady(accepted[]), judgeConvergence(right[]), judgeTable(matched, histories): the verdict
//       semantics of docs/verdicts.md — pass, flaky or fail.
//   restrictToProbed(tables, observed), mismatchedCells(expected, observed), portKey(probe), cellName(cell).
//   inconclusive(result): the probe did not run (exec failed, no result line, exit ≠ 0/1); never
//       counted as connected or blocked, always a mismatch, so it is re-probed and fails if it stays.
export {
  batchTimeoutMs,
  DEFAULT_PROBE_CONCURRENCY,
  EXEC_GRACE_MS,
  MAX_PROBE_CONCURRENCY,
  PROBE_CONCURRENCY_ENV,
  probeConcurrency,
  runBatch,
  runBatches,
  waveSize,
  type Probe,
} from './batch.ts';
export { connectCommand, curlCommand, dialCommand, DIAL_TIMEOUT_SECONDS, fqdnDigCommand, hostPort, type ProbeProtocol } from './commands.ts';
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
  inconclusive,
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
export { changes, judgeConvergence, judgeSteady, judgeTable, type CellHistory, type TableVerdict, type Verdict } from './verdict.ts';
