import { execFileSync } from 'node:child_process';
import { describe, expect, test } from '@jest/globals';
import { buildBatchScript, parseBatchOutput, shellQuote } from '../../harness/probe/index.ts';

const runSh = (script: string) => execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' });

describe('shellQuote', () => {
  const awkward = ["plain", "it's", "''", "a b\tc", '$(rm -rf /)', '`x`', '"q"', 'back\\slash', '', 'new\nline', '*?[a]', 'ü✓'];
  test.each(awkward)('%j survives /bin/sh unchanged', (word) => {
    expect(runSh(`printf '%s' ${shellQuote(word)}`)).toBe(word);
  });

  test('writes a quote as the four characters quote-backslash-quote-quote', () => {
    expect(shellQuote("a'b")).toBe(`'a'\\''b'`);
  });
});

describe('buildBatchScript', () => {
  test('has the exact form of docs/probe-protocol.md', () => {
    const script = buildBatchScript([
      { id: 't0-80-TCP', command: ['/agnhost', 'connect', '10.0.0.1:80', '--timeout=1s', '--protocol=tcp'] },
      { id: 'x.y:z_1', command: ['curl', '-sS', "http://h/it's"] },
    ]);
    expect(script.split('\n')).toEqual([
      `probe() { id=$1; shift; out=$("$@" 2>&1); rc=$?; printf '@@cnimatrix %s %s %s\\n' "$id" "$rc" "$(printf '%s' "$out" | base64 | tr -d '\\n')"; }`,
      `probe t0-80-TCP '/agnhost' 'connect' '10.0.0.1:80' '--timeout=1s' '--protocol=tcp' &`,
      `probe x.y:z_1 'curl' '-sS' 'http://h/it'\\''s' &`,
      'wait',
      '',
    ]);
  });

  test('runs waves of at most `wave` probes, each waited for before the next starts', () => {
    const probes = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, command: ['true'] }));
    const lines = buildBatchScript(probes, 2).split('\n').slice(1);
    expect(lines).toEqual([`probe a 'true' &`, `probe b 'true' &`, 'wait', `probe c 'true' &`, `probe d 'true' &`, 'wait', `probe e 'true' &`, 'wait', '']);
    expect(() => buildBatchScript(probes, 0)).toThrow('a batch wave must hold at least one probe, not 0');
  });

  test.each([['has space'], ['semi;colon'], ['slash/id'], ['']])('rejects the id %j', (id) => {
    expect(() => buildBatchScript([{ id, command: ['true'] }])).toThrow(/probe id .* is invalid/);
  });

  test('rejects duplicate ids and empty commands', () => {
    expect(() => buildBatchScript([{ id: 'a', command: ['true'] }, { id: 'a', command: ['true'] }])).toThrow(/used twice/);
    expect(() => buildBatchScript([{ id: 'a', command: [] }])).toThrow(/empty command/);
  });
});

describe('script and parser round trip through a real shell', () => {
  test('every probe reports its exit code and combined output, run concurrently', () => {
    const script = buildBatchScript([
      { id: 'ok', command: ['printf', '%s', "hello 'world'\nsecond line"] },
      { id: 'fails', command: ['/bin/sh', '-c', 'echo "REFUSED: nope" >&2; exit 1'] },
      { id: 'code3', command: ['/bin/sh', '-c', 'exit 3'] },
      { id: 'silent', command: ['true'] },
      { id: 'slow', command: ['/bin/sh', '-c', 'sleep 0.3; echo late'] },
    ]);
    const results = parseBatchOutput(runSh(`echo noise; ${script}`));
    expect(results.get('ok')).toEqual({ exitCode: 0, output: "hello 'world'\nsecond line" });
    expect(results.get('fails')).toEqual({ exitCode: 1, output: 'REFUSED: nope' });
    expect(results.get('code3')).toEqual({ exitCode: 3, output: '' });
    expect(results.get('silent')).toEqual({ exitCode: 0, output: '' });
    expect(results.get('slow')).toEqual({ exitCode: 0, output: 'late' });
    expect(results.size).toBe(5);
  });

  // A result line longer than PIPE_BUF (4 KiB) is not written atomically, so large outputs run
  // in a batch of their own (see docs/probe-protocol.md).
  test('a large output alone in its batch arrives intact', () => {
    const big = 'x'.repeat(70_000);
    const results = parseBatchOutput(runSh(buildBatchScript([{ id: 'large', command: ['printf', '%s', big] }])));
    expect(results.get('large')).toEqual({ exitCode: 0, output: big });
  });
});

describe('parseBatchOutput', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');

  test('ignores garbage, truncated and malformed lines; first line per id wins', () => {
    const stdout = [
      'sh: warning: something',
      `@@cnimatrix a 0 ${b64('first')}`,
      `@@cnimatrix a 1 ${b64('second')}`,
      '@@cnimatrix b notanumber AAAA',
      '@@cnimatrix c 0 !!!notbase64!!!',
      '@@cnimatrix',
      `@@cnimatrix d 7 ${b64('curl: (7) Failed')}\r`,
      '@@cnimatrix e 0 ',
      '@@cnimatrix f 0',
      `prefix @@cnimatrix g 0 ${b64('x')}`,
    ].join('\n');
    const results = parseBatchOutput(stdout);
    expect([...results.keys()].sort()).toEqual(['a', 'd', 'e', 'f']);
    expect(results.get('a')).toEqual({ exitCode: 0, output: 'first' });
    expect(results.get('d')).toEqual({ exitCode: 7, output: 'curl: (7) Failed' });
    expect(results.get('e')).toEqual({ exitCode: 0, output: '' });
  });

  test('empty output yields no results', () => {
    expect(parseBatchOutput('').size).toBe(0);
  });
});
