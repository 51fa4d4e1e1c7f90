// The disruption monitor's script (docs/probe-protocol.md, "Disruption monitor"): one bash process
// per source pod that, until a stop file appears, holds TCP connections open with a request on each
// every tick, and sends a round of short probes every tick, printing one timestamped line per event.
import { PROBE_ID_PATTERN, shellQuote, type ScriptProbe } from '../probe/script.ts';

export const MONITOR_MARKER = '@@cnimatrix-monitor';
/** The file whose appearance ends every monitor loop of the pod. */
export const MONITOR_STOP_FILE = '/tmp/cnimatrix-monitor.stop';

export interface HeldConnection {
  id: string;
  host: string;
  /** A netexec HTTP port: the connection carries keep-alive `/echo` requests. */
  port: number;
}

export interface MonitorSpec {
  holds: HeldConnection[];
  /** Sent once per tick, concurrently; each command bounds its own time (--timeout / +time). */
  probes: ScriptProbe[];
  tickMs: number;
  /** The loops end by themselves after this long, should the stop file never come. */
  maxSeconds: number;
}

// `now` is milliseconds since the epoch from bash's own clock (no date(1) with %N on busybox).
const FUNCTIONS = [
  `now() { local t=\${EPOCHREALTIME/./}; printf '%s' "\${t:0:\${#t}-3}"; }`,
  `say() { printf '${MONITOR_MARKER} %s %s\\n' "$(now)" "$*"; }`,
  `running() { [ ! -e ${MONITOR_STOP_FILE} ] && [ "\${EPOCHREALTIME%.*}" -lt "$until" ]; }`,
  `probe() { local id=$1 at rc out; shift; at=$(now); out=$("$@" 2>&1); rc=$?; printf '${MONITOR_MARKER} %s probe %s %s %s\\n' "$at" "$id" "$rc" "$(printf '%s' "$out" | base64 | tr -d '\\n')"; }`,
  // One connection, one request at a time: a reply read in full before the next request; a second
  // without a byte is a stall (the connection may still recover), end of stream or a failed write
  // is the connection broken.
  [
    `hold() { local id=$1 n=0 fd line rc len body`,
    // A write to a reset connection must fail, not kill this loop with SIGPIPE.
    `  trap '' PIPE`,
    `  exec {fd}<>"/dev/tcp/$2/$3" 2>/dev/null || { say hold "$id" broken open; return; }`,
    `  say hold "$id" open`,
    `  while running; do`,
    `    n=$((n + 1)); printf 'GET /echo?msg=%s HTTP/1.1\\r\\nHost: cnimatrix\\r\\n\\r\\n' "$n" >&"$fd" 2>/dev/null || { say hold "$id" broken write; return; }`,
    `    len=0`,
    `    while :; do`,
    `      IFS= read -r -t 1 line <&"$fd"; rc=$?`,
    `      if [ "$rc" -gt 128 ]; then say hold "$id" stall; running || break 2; continue; fi`,
    `      [ "$rc" -eq 0 ] || { say hold "$id" broken eof; return; }`,
    `      line=\${line%$'\\r'}`,
    `      case $line in [Cc]ontent-[Ll]ength:*) len=\${line#*: };; '') break;; esac`,
    `    done`,
    `    IFS= read -r -t 5 -N "$len" body <&"$fd" || { say hold "$id" broken eof; return; }`,
    `    [ "$body" = "$n" ] && say hold "$id" reply "$n" || say hold "$id" wrong-reply "$n"`,
    `    sleep "$tick"`,
    `  done`,
    `  say hold "$id" closed`,
    `}`,
  ].join('\n'),
];

function checkId(id: string, seen: Set<string>): void {
  if (!PROBE_ID_PATTERN.test(id)) throw new Error(`monitor id "${id}" is invalid: ids must match ${PROBE_ID_PATTERN.source}`);
  if (seen.has(id)) throw new Error(`monitor id "${id}" is used twice in one monitor`);
  seen.add(id);
}

/** The script for `["/bin/bash", "-c", script]` in one source pod. */
export function buildMonitorScript(spec: MonitorSpec): string {
  if (!(spec.tickMs >= 50)) throw new Error(`a monitor tick must be at least 50 ms, not ${spec.tickMs}`);
  const seen = new Set<string>();
  const lines = [`until=$(( \${EPOCHREALTIME%.*} + ${Math.ceil(spec.maxSeconds)} )); tick=${(spec.tickMs / 1000).toFixed(3)}`, ...FUNCTIONS];
  for (const hold of spec.holds) {
    checkId(hold.id, seen);
    lines.push(`hold ${hold.id} ${shellQuote(hold.host)} ${hold.port} &`);
  }
  lines.push('say started');
  lines.push('while running; do');
  lines.push('  pids=');
  for (const probe of spec.probes) {
    checkId(probe.id, seen);
    if (probe.command.length === 0) throw new Error(`monitor probe "${probe.id}" has an empty command`);
    lines.push(`  probe ${probe.id} ${probe.command.map(shellQuote).join(' ')} & pids="$pids $!"`);
  }
  lines.push('  wait $pids; sleep "$tick"');
  lines.push('done');
  lines.push('wait');
  lines.push('say stopped');
  return `${lines.join('\n')}\n`;
}

export type MonitorEvent =
  | { at: number; type: 'started' | 'stopped' }
  | { at: number; type: 'probe'; id: string; exitCode: number; output: string }
  | { at: number; type: 'hold'; id: string; event: 'open' | 'reply' | 'wrong-reply' | 'stall' | 'closed' | 'broken'; detail?: string };

const HOLD_EVENTS = new Set(['open', 'reply', 'wrong-reply', 'stall', 'closed', 'broken']);

/** The monitor's lines in `stdout`; anything else (shell noise, a line cut short) is skipped. */
export function parseMonitorOutput(stdout: string): MonitorEvent[] {
  const events: MonitorEvent[] = [];
  for (const raw of stdout.split('\n')) {
    const words = raw.trimEnd().split(' ');
    if (words[0] !== MONITOR_MARKER || !/^\d+$/.test(words[1] ?? '')) continue;
    const at = Number(words[1]);
    const [, , type, id, third, fourth] = words;
    if ((type === 'started' || type === 'stopped') && words.length === 3) events.push({ at, type });
    else if (type === 'probe' && id !== undefined && /^\d+$/.test(third ?? '') && words.length <= 6) {
      events.push({ at, type, id, exitCode: Number(third), output: Buffer.from(fourth ?? '', 'base64').toString('utf8') });
    } else if (type === 'hold' && id !== undefined && third !== undefined && HOLD_EVENTS.has(third) && words.length <= 6) {
      events.push({ at, type, id, event: third as 'open', ...(fourth !== undefined ? { detail: fourth } : {}) });
    }
  }
  return events.sort((a, b) => a.at - b.at);
}
