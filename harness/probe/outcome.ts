// Maps a probe command's exit code and output to an outcome, per the command forms of
// docs/probe-protocol.md: agnhost connect, curl (plain, -i, netexec /dial) and dig.
import { isIP } from 'node:net';

export const OUTCOMES = ['connected', 'refused', 'timeout', 'dns-error', 'error'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface ProbeDetail {
  /** First non-empty line of the output (or "no output"). */
  firstLine: string;
  /** The caller's IP as the destination saw it (netexec /clientip, /dial request=clientip). */
  clientIp?: string;
  /** Status of the HTTP response (curl -i). */
  httpStatus?: number;
  /** Response body (curl) without status line and headers. */
  body?: string;
}

export interface ProbeResult {
  id: string;
  outcome: Outcome;
  /** Undefined when the probe produced no result line (exec failed or output was cut). */
  exitCode: number | undefined;
  output: string;
  detail: ProbeDetail;
}

/** Which parser applies to a command; derived from its words. */
export type CommandKind = 'connect' | 'curl' | 'dial' | 'dig' | 'other';

export function commandKind(command: string[]): CommandKind {
  const [program, sub] = command;
  if (program?.endsWith('agnhost') && sub === 'connect') return 'connect';
  if (program === 'curl') return command.some((word) => /\/dial\?/.test(word)) ? 'dial' : 'curl';
  if (program === 'dig') return 'dig';
  return 'other';
}

function firstLineOf(output: string): string {
  return output.split('\n').find((line) => line.trim() !== '')?.trim() ?? 'no output';
}

/** "10.244.1.5:43210" or "[fd00::5]:43210" (netexec's view of the caller) → the IP. */
export function clientIpOf(text: string): string | undefined {
  const trimmed = text.trim();
  const colon = trimmed.lastIndexOf(':');
  if (colon <= 0 || !/^\d+$/.test(trimmed.slice(colon + 1))) return undefined;
  const host = trimmed.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return isIP(host) ? host : undefined;
}

const CONNECT_PREFIXES: Record<string, Outcome> = {
  TIMEOUT: 'timeout',
  REFUSED: 'refused',
  DNS: 'dns-error',
  OTHER: 'error',
  UNKNOWN: 'error',
};

// agnhost connect prints one line: TCP a bare "TIMEOUT" or "REFUSED", UDP "TIMEOUT: …" or
// "REFUSED: …", and SCTP reports a refusal only as "OTHER: connection refused".
const CONNECT_LINE = /^(TIMEOUT|REFUSED|DNS|OTHER|UNKNOWN)(?::|$)/;

function classifyConnect(exitCode: number, output: string): Outcome {
  if (exitCode === 0) return 'connected';
  if (exitCode !== 1) return 'error';
  for (const line of output.split('\n')) {
    const prefix = CONNECT_LINE.exec(line.trim())?.[1];
    if (!prefix) continue;
    if (prefix === 'OTHER' && /connection refused/i.test(line)) return 'refused';
    return CONNECT_PREFIXES[prefix] ?? 'error';
  }
  return 'error';
}

// curl exit codes: 6 couldn't resolve host, 7 couldn't connect, 28 operation timed out.
// Exit 7's message ends with the OS error in older curl ("Connection refused", "No route to host",
// "Network is unreachable", "Connection timed out") and with "Couldn't connect to server" (later
// "Could not connect to server") in newer curl, whatever the cause. So exit 7 is a refusal unless
// the text names a timeout or a missing route; those map as agnhost connect maps them (a timeout
// is TIMEOUT, an unreachable host or network is OTHER, i.e. error).
const CURL_CONNECT_TIMEOUT = /timed out/i;
const CURL_UNREACHABLE = /no route to host|host is unreachable|network is unreachable/i;

function classifyCurlFailure(exitCode: number, output: string): Outcome {
  if (exitCode === 6) return 'dns-error';
  if (exitCode === 28) return 'timeout';
  if (exitCode === 7) {
    if (CURL_CONNECT_TIMEOUT.test(output)) return 'timeout';
    if (CURL_UNREACHABLE.test(output)) return 'error';
    return 'refused';
  }
  return 'error';
}

/** Splits `curl -i` output into status and body; the last status line wins (after 100 Continue). */
function parseHttpResponse(output: string): { status?: number; body: string } {
  if (!output.startsWith('HTTP/')) return { body: output };
  let rest = output;
  let status: number | undefined;
  while (rest.startsWith('HTTP/')) {
    status = Number(/^HTTP\/[\d.]+ (\d{3})/.exec(rest)?.[1]);
    const end = rest.search(/\r?\n\r?\n/);
    if (end < 0) return { status, body: '' };
    rest = rest.slice(end).replace(/^\r?\n\r?\n/, '');
  }
  return { status, body: rest };
}

function curlDetail(output: string): ProbeDetail {
  const { status, body } = parseHttpResponse(output);
  const clientIp = clientIpOf(body);
  return {
    firstLine: firstLineOf(output),
    body,
    ...(status !== undefined && !Number.isNaN(status) ? { httpStatus: status } : {}),
    ...(clientIp ? { clientIp } : {}),
  };
}

interface DialResponse {
  responses?: unknown;
  errors?: unknown;
}

/**
 * What a netexec /dial error says: a failed lookup (also one that timed out) is a DNS error, then
 * a timeout (the UDP read deadline, the HTTP client's "Client.Timeout"), a refusal, or else error.
 */
function dialFailureOutcome(reason: string): Outcome {
  if (/\blookup\b|no such host/i.test(reason)) return 'dns-error';
  if (/timeout|timed out/i.test(reason)) return 'timeout';
  if (/refused/i.test(reason)) return 'refused';
  return 'error';
}

function classifyDial(output: string): { outcome: Outcome; detail: ProbeDetail } {
  const { status, body } = parseHttpResponse(output);
  const statusDetail = status !== undefined && !Number.isNaN(status) ? { httpStatus: status } : {};
  let parsed: DialResponse;
  try {
    parsed = JSON.parse(body) as DialResponse;
  } catch {
    // netexec answers 400 with a text body when it cannot resolve the host or parse the query.
    return { outcome: dialFailureOutcome(body), detail: { firstLine: firstLineOf(body || output), body, ...statusDetail } };
  }
  const responses = Array.isArray(parsed.responses) ? parsed.responses.map(String) : [];
  const errors = Array.isArray(parsed.errors) ? parsed.errors.map(String) : [];
  const first = responses[0];
  if (first !== undefined) {
    const clientIp = clientIpOf(first);
    return { outcome: 'connected', detail: { firstLine: first, body, ...statusDetail, ...(clientIp ? { clientIp } : {}) } };
  }
  const reason = errors.join('; ');
  return { outcome: dialFailureOutcome(reason), detail: { firstLine: reason || firstLineOf(output), body, ...statusDetail } };
}

/** The outcome and detail of one finished probe command. */
export function classify(id: string, command: string[], exitCode: number, output: string): ProbeResult {
  const base = { id, exitCode, output };
  switch (commandKind(command)) {
    case 'connect':
      return { ...base, outcome: classifyConnect(exitCode, output), detail: { firstLine: firstLineOf(output) } };
    case 'curl':
      if (exitCode !== 0) {
        return { ...base, outcome: classifyCurlFailure(exitCode, output), detail: { firstLine: firstLineOf(output) } };
      }
      return { ...base, outcome: 'connected', detail: curlDetail(output) };
    case 'dial':
      // The dial request goes to the source pod's own netexec. curl timing out means that netexec
      // was still waiting for the target (5 s for UDP and HTTP); any other curl failure is a
      // harness error.
      if (exitCode === 28) return { ...base, outcome: 'timeout', detail: { firstLine: firstLineOf(output) } };
      if (exitCode !== 0) return { ...base, outcome: 'error', detail: { firstLine: firstLineOf(output) } };
      return { ...base, ...classifyDial(output) };
    case 'dig':
      // dig exits 9 when no server answered; 0 means the server answered (even NXDOMAIN).
      return {
        ...base,
        outcome: exitCode === 0 ? 'connected' : exitCode === 9 ? 'timeout' : 'error',
        detail: { firstLine: firstLineOf(output), body: output },
      };
    case 'other':
      return {
        ...base,
        outcome: exitCode === 0 ? 'connected' : 'error',
        detail: { firstLine: firstLineOf(output), body: output },
      };
  }
}

/** A result for a probe that produced no result line. */
export function missingResult(id: string, reason: string): ProbeResult {
  return { id, outcome: 'error', exitCode: undefined, output: '', detail: { firstLine: reason } };
}

/** "timeout (TIMEOUT: dial tcp 10.244.1.5:80: i/o timeout)" — for failure messages. */
export function describeResult(result: ProbeResult): string {
  const extras = [
    result.detail.httpStatus !== undefined ? `HTTP ${result.detail.httpStatus}` : undefined,
    result.detail.clientIp ? `client IP ${result.detail.clientIp}` : undefined,
  ].filter(Boolean);
  const line = result.detail.firstLine.length > 160 ? `${result.detail.firstLine.slice(0, 157)}...` : result.detail.firstLine;
  return `${result.outcome}${extras.length ? ` [${extras.join(', ')}]` : ''} (${line})`;
}
