// The batched-probe script of docs/probe-protocol.md: one shell script per source pod that runs
// its probes concurrently, in waves of a bounded size, and prints one parseable result line per probe.

/** Probe ids travel unquoted in the script and in result lines, so they are restricted. */
export const PROBE_ID_PATTERN = /^[A-Za-z0-9_.:-]+$/;

export const RESULT_MARKER = '@@cnimatrix';

const PROBE_FUNCTION =
  `probe() { id=$1; shift; out=$("$@" 2>&1); rc=$?; ` +
  `printf '${RESULT_MARKER} %s %s %s\\n' "$id" "$rc" "$(printf '%s' "$out" | base64 | tr -d '\\n')"; }`;

export interface ScriptProbe {
  id: string;
  command: string[];
}

/** One word as a single-quoted shell word; a quote inside becomes '\''. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The script that runs `probes` in parallel, at most `wave` at a time: each wave is started in the
 * background and waited for before the next (POSIX sh has no `wait -n` for a sliding window).
 */
export function buildBatchScript(probes: ScriptProbe[], wave = Number.POSITIVE_INFINITY): string {
  if (!(wave >= 1)) throw new Error(`a batch wave must hold at least one probe, not ${wave}`);
  const seen = new Set<string>();
  const lines = [PROBE_FUNCTION];
  for (const probe of probes) {
    if (!PROBE_ID_PATTERN.test(probe.id)) {
      throw new Error(`probe id "${probe.id}" is invalid: ids must match ${PROBE_ID_PATTERN.source}`);
    }
    if (seen.has(probe.id)) throw new Error(`probe id "${probe.id}" is used twice in one batch`);
    if (probe.command.length === 0) throw new Error(`probe "${probe.id}" has an empty command`);
    seen.add(probe.id);
    if (seen.size > 1 && (seen.size - 1) % wave === 0) lines.push('wait');
    lines.push(`probe ${probe.id} ${probe.command.map(shellQuote).join(' ')} &`);
  }
  lines.push('wait');
  return `${lines.join('\n')}\n`;
}

export interface RawProbeResult {
  exitCode: number;
  /** stdout and stderr of the probe's command, interleaved as the shell captured them. */
  output: string;
}

const RESULT_LINE = new RegExp(`^${RESULT_MARKER} (${PROBE_ID_PATTERN.source.slice(1, -1)}) (\\d+) ?([A-Za-z0-9+/=]*)$`);

/**
 * The result lines of a batch's stdout, by probe id. Lines that are not well-formed result lines
 * (shell noise, truncated output) are ignored; the first line for an id wins.
 */
export function parseBatchOutput(stdout: string): Map<string, RawProbeResult> {
  const results = new Map<string, RawProbeResult>();
  for (const line of stdout.split('\n')) {
    const match = RESULT_LINE.exec(line.trimEnd());
    if (!match) continue;
    const [, id, rc, encoded] = match;
    if (id === undefined || rc === undefined || results.has(id)) continue;
    results.set(id, { exitCode: Number(rc), output: Buffer.from(encoded ?? '', 'base64').toString('utf8') });
  }
  return results;
}
