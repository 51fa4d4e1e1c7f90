// The batched-probe script of docs/probe-protocol.md: parsing the `probe <id> <words...> &`
// lines a harness sends, shell-word splitting, and the `@@cnimatrix <id> <rc> <base64>` lines
// the script prints.

export const PROBE_FUNCTION =
  `probe() { id=$1; shift; out=$("$@" 2>&1); rc=$?; printf '@@cnimatrix %s %s %s\\n' "$id" "$rc" "$(printf '%s' "$out" | base64 | tr -d '\\n')"; }`;

export interface ProbeLine {
  id: string;
  argv: string[];
}

const ID_PATTERN = /^[A-Za-z0-9_.:-]+$/;

/** Splits a shell line into words: single quotes (with '\'' escapes), double quotes, bare words, and `>` as its own word. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated single quote in: ${line}`);
      current += line.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (ch === '"') {
      let j = i + 1;
      while (j < line.length && line[j] !== '"') {
        if (line[j] === '\\' && j + 1 < line.length) j++;
        current += line[j];
        j++;
      }
      if (j >= line.length) throw new Error(`unterminated double quote in: ${line}`);
      inWord = true;
      i = j;
    } else if (ch === '\\' && i + 1 < line.length) {
      current += line[++i];
      inWord = true;
    } else if (ch === ' ' || ch === '\t') {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else if (ch === '>') {
      if (inWord) words.push(current);
      words.push('>');
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

/** Quotes one word the way the harness does: '...' with ' written as '\''. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}

export function isProbeScript(script: string): boolean {
  return script.trimStart().startsWith('probe() {');
}

/** The probes of a batched script; throws on a line that is neither a probe, the function, nor `wait`. */
export function parseProbeScript(script: string): ProbeLine[] {
  const probes: ProbeLine[] = [];
  for (const raw of script.split('\n')) {
    const line = raw.trim();
    if (line === '' || line === 'wait' || line.startsWith('probe() {')) continue;
    if (!line.startsWith('probe ') || !line.endsWith('&')) throw new Error(`not a probe line: ${line}`);
    const words = shellWords(line.slice('probe '.length, -1).trim());
    const [id, ...argv] = words;
    if (!id || !ID_PATTERN.test(id)) throw new Error(`bad probe id in: ${line}`);
    if (argv.length === 0) throw new Error(`probe ${id} has no command`);
    probes.push({ id, argv });
  }
  return probes;
}

/** One result line; output is stdout+stderr as the script's $(...) captures it (trailing newlines dropped). */
export function probeResultLine(id: string, exitCode: number, output: string): string {
  const captured = output.replace(/\n+$/, '');
  return `@@cnimatrix ${id} ${exitCode} ${Buffer.from(captured).toString('base64')}`;
}

export function buildProbeScript(probes: ProbeLine[]): string {
  return [PROBE_FUNCTION, ...probes.map((p) => `probe ${p.id} ${p.argv.map(shellQuote).join(' ')} &`), 'wait', ''].join('\n');
}
