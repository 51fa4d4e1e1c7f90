// The disruption monitor's script of docs/probe-protocol.md ("Disruption monitor"), as the sim
// reads it: its limit and tick (`until=$(( ${EPOCHREALTIME%.*} + N )); tick=S`), the stop file
// its `running` function looks for, its `hold <id> '<host>' <port> &` lines and the
// `probe <id> <words…> & pids="$pids $!"` lines of its loop; and the lines it prints.
import { shellWords, type ProbeLine } from './probe-script.ts';

export const MONITOR_MARKER = '@@cnimatrix-monitor';

export interface MonitorHold {
  id: string;
  host: string;
  port: number;
}

export interface MonitorPlan {
  /** The loops end once this many whole seconds of the epoch passed the start second. */
  maxSeconds: number;
  tickMs: number;
  /** The file whose appearance in the pod ends the loops. */
  stopFile: string;
  holds: MonitorHold[];
  probes: ProbeLine[];
}

const HEADER = /^until=\$\(\( \$\{EPOCHREALTIME%\.\*\} \+ (\d+) \)\); tick=(\d+(?:\.\d+)?)$/;
const STOP_TEST = /running\(\) \{ \[ ! -e (\S+) \]/;
const HOLD_LINE = /^hold (\S+) (.+) (\d+) &$/;
const PROBE_LINE = /^probe (\S+) (.+) & pids="\$pids \$!"$/;

export function isMonitorScript(script: string): boolean {
  return script.startsWith('until=$((') && script.includes(MONITOR_MARKER);
}

/** The monitor's plan; throws when the header or the stop test is missing or a line is malformed. */
export function parseMonitorScript(script: string): MonitorPlan {
  const lines = script.split('\n').map((l) => l.trim());
  const header = HEADER.exec(lines[0] ?? '');
  if (!header) throw new Error(`not a monitor header: ${lines[0] ?? ''}`);
  const stopFile = STOP_TEST.exec(script)?.[1];
  if (stopFile === undefined) throw new Error('the monitor script has no running() stop-file test');
  const holds: MonitorHold[] = [];
  const probes: ProbeLine[] = [];
  for (const line of lines) {
    const hold = HOLD_LINE.exec(line);
    if (hold) {
      const [host, ...rest] = shellWords(hold[2]!);
      if (host === undefined || rest.length > 0) throw new Error(`bad hold line: ${line}`);
      holds.push({ id: hold[1]!, host, port: Number(hold[3]) });
    }
    const probe = PROBE_LINE.exec(line);
    if (probe) {
      const argv = shellWords(probe[2]!);
      if (argv.length === 0) throw new Error(`monitor probe ${probe[1]!} has no command`);
      probes.push({ id: probe[1]!, argv });
    }
  }
  return { maxSeconds: Number(header[1]), tickMs: Math.round(Number(header[2]) * 1000), stopFile, holds, probes };
}

/** One output line: `@@cnimatrix-monitor <ms since epoch> <words>`. */
export function monitorLine(at: number, words: string): string {
  return `${MONITOR_MARKER} ${at} ${words}`;
}

/** A probe's line; output is stdout+stderr as `$(...)` captures it (trailing newlines dropped). */
export function monitorProbeLine(at: number, id: string, exitCode: number, output: string): string {
  return monitorLine(at, `probe ${id} ${exitCode} ${Buffer.from(output.replace(/\n+$/, '')).toString('base64')}`);
}
