// runBatch, probeMatrix and settleMatrix executed by a real /bin/sh: a fake /agnhost answers
// connect from a rules file, so the scripts, parsing and classification run end to end.
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { rmSync } from 'node:fs';
import {
  batchTimeoutMs,
  connectCommand,
  PROBE_CONCURRENCY_ENV,
  probeConcurrency,
  probeMatrix,
  restrictToProbed,
  runBatch,
  runBatches,
  settleMatrix,
  type MatrixSpec,
  type TruthTables,
} from '../../harness/probe/index.ts';
import { shellQuote } from '../../harness/probe/index.ts';
import { localKube } from './local-kube.ts';
import { KubeApiError } from '../../harness/kube/errors.ts';

let dir: string;
let rules: string;
let agnhost: string;

// Rules file lines: "<source pod> <host:port> <protocol> <TIMEOUT|REFUSED|OK>"; missing = OK.
const FAKE_AGNHOST = `#!/bin/sh
target=$2; proto=\${4#--protocol=}
verdict=$(awk -v s="$SOURCE_POD" -v t="$target" -v p="$proto" '$1==s && $2==t && $3==p {print $4}' "$RULES" | tail -n 1)
case "$verdict" in
  TIMEOUT) echo "TIMEOUT: dial $proto $target: i/o timeout" >&2; exit 1 ;;
  REFUSED) echo "REFUSED: dial $proto $target: connection refused" >&2; exit 1 ;;
  CRASH) exit 139 ;;
esac
exit 0
`;

function kubeFor() {
  return localKube((target, command) => [
    '/usr/bin/env',
    `SOURCE_POD=${target.namespace}/${target.pod}`,
    `RULES=${rules}`,
    '/bin/sh',
    '-c',
    command[2]!.replaceAll(shellQuote('/agnhost'), shellQuote(agnhost)),
  ]);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnimatrix-probe-'));
  rules = join(dir, 'rules');
  agnhost = join(dir, 'agnhost');
  writeFileSync(agnhost, FAKE_AGNHOST);
  chmodSync(agnhost, 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runBatch', () => {
  test('one exec per source with the protocol script and timeout = slowest probe + 10 s', async () => {
    writeFileSync(rules, 'x/a 10.0.0.2:80 tcp TIMEOUT\nx/a 10.0.0.3:80 tcp REFUSED\nx/a 10.0.0.4:80 tcp CRASH\n');
    const kube = kubeFor();
    const results = await runBatch(kube, { namespace: 'x', pod: 'a' }, [
      { id: 'ok', command: connectCommand('10.0.0.1', 80, 'TCP', 1), timeoutSeconds: 1 },
      { id: 'drop', command: connectCommand('10.0.0.2', 80, 'TCP', 3), timeoutSeconds: 3 },
      { id: 'reject', command: connectCommand('10.0.0.3', 80, 'TCP', 1), timeoutSeconds: 1 },
      { id: 'crash', command: connectCommand('10.0.0.4', 80, 'TCP', 1), timeoutSeconds: 1 },
    ]);
    expect(Object.fromEntries([...results].map(([id, r]) => [id, r.outcome]))).toEqual({
      ok: 'connected',
      drop: 'timeout',
      reject: 'refused',
      crash: 'error',
    });
    expect(results.get('drop')?.detail.firstLine).toBe('TIMEOUT: dial tcp 10.0.0.2:80: i/o timeout');
    expect(kube.execs).toHaveLength(1);
    expect(kube.execs[0]?.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(kube.execs[0]?.opts?.timeoutMs).toBe(13_000);
  });

  test('a failed exec or a missing line becomes outcome error with the reason', async () => {
    const failing = localKube(() => ['/nonexistent/shell']);
    failing.exec = () => Promise.reject(new Error('pod x/a not found'));
    const failed = await runBatch(failing, { namespace: 'x', pod: 'a' }, [{ id: 'p', command: ['true'], timeoutSeconds: 1 }]);
    expect(failed.get('p')).toMatchObject({ outcome: 'error', detail: { firstLine: 'exec in x/a failed: pod x/a not found' } });

    const silent = localKube(() => ['/bin/sh', '-c', 'echo partial output']);
    const missing = await runBatch(silent, { namespace: 'x', pod: 'a' }, [{ id: 'p', command: ['true'], timeoutSeconds: 1 }]);
    expect(missing.get('p')).toMatchObject({ outcome: 'error', exitCode: undefined, detail: { firstLine: 'no result line' } });
  });

  test('an API server that cannot be reached is no probe result: the batch rejects with its error', async () => {
    const lost = localKube(() => ['/nonexistent/shell']);
    const refused = new KubeApiError({ verb: 'exec', ref: 'Pod x/a', status: 0, reason: 'ECONNREFUSED', apiMessage: 'connect ECONNREFUSED 127.0.0.1:6443' });
    lost.exec = () => Promise.reject(refused);
    await expect(runBatch(lost, { namespace: 'x', pod: 'a' }, [{ id: 'p', command: ['true'], timeoutSeconds: 1 }])).rejects.toBe(refused);
  });
});

describe('probe concurrency', () => {
  // A fake agnhost that logs its start and end, so the log says how many ran at once.
  const COUNTING_AGNHOST = (log: string) => `#!/bin/sh
echo + >> ${log}; sleep 0.2; echo - >> ${log}; exit 0
`;

  function maxRunning(log: string): number {
    let running = 0;
    let max = 0;
    for (const mark of readFileSync(log, 'utf8').split('\n')) {
      running += mark === '+' ? 1 : mark === '-' ? -1 : 0;
      max = Math.max(max, running);
    }
    return max;
  }

  test.each([
    [8, 5, 10, 8],
    [48, 9, 54, 48],
    [1, 2, 3, 1],
  ])('limit %i over %i sources × %i probes: never more than %i at once, every probe answered', async (limit, sources, probesPerSource, bound) => {
    const log = join(dir, `running-${limit}`);
    const counting = join(dir, `counting-${limit}`);
    writeFileSync(log, '');
    writeFileSync(counting, COUNTING_AGNHOST(log));
    chmodSync(counting, 0o755);
    const kube = localKube((_t, command) => ['/bin/sh', '-c', command[2]!.replaceAll(shellQuote('/agnhost'), shellQuote(counting))]);
    process.env[PROBE_CONCURRENCY_ENV] = String(limit);
    try {
      const batches = Array.from({ length: sources }, (_, s) => ({
        key: `s${s}`,
        source: { namespace: 'x', pod: `p${s}` },
        probes: Array.from({ length: probesPerSource }, (_, i) => ({ id: `t${i}`, command: connectCommand(`10.0.0.${i}`, 80, 'TCP', 1), timeoutSeconds: 1 })),
      }));
      const results = await runBatches(kube, batches);
      expect([...results.values()].flatMap((r) => [...r.values()].map((x) => x.outcome)).filter((o) => o === 'connected')).toHaveLength(sources * probesPerSource);
      const max = maxRunning(log);
      expect(max).toBeLessThanOrEqual(bound);
      expect(max).toBeGreaterThan(Math.min(bound, 4) - 1);
    } finally {
      delete process.env[PROBE_CONCURRENCY_ENV];
    }
  }, 30_000);

  test('the exec budget covers every wave: 10 probes of 2 s in waves of 4 get 3 × 2 s + 10 s', async () => {
    const kube = localKube(() => ['/bin/sh', '-c', 'true']);
    const probes = Array.from({ length: 10 }, (_, i) => ({ id: `t${i}`, command: ['true'], timeoutSeconds: 2 }));
    await runBatch(kube, { namespace: 'x', pod: 'a' }, probes, 4);
    expect(kube.execs[0]?.opts?.timeoutMs).toBe(16_000);
    expect(batchTimeoutMs(probes, 4)).toBe(16_000);
  });

  test.each([['0'], ['-3'], ['2.5'], ['many'], ['513']])('%j in CNIMATRIX_PROBE_CONCURRENCY is refused with what it should be', (raw) => {
    process.env[PROBE_CONCURRENCY_ENV] = raw;
    try {
      expect(() => probeConcurrency()).toThrow(`CNIMATRIX_PROBE_CONCURRENCY="${raw}" is not a whole number from 1 to 512`);
    } finally {
      delete process.env[PROBE_CONCURRENCY_ENV];
    }
  });
});

const spec: MatrixSpec = {
  sources: [
    { key: 'x/a', pod: { namespace: 'x', pod: 'a' } },
    { key: 'x/b', pod: { namespace: 'x', pod: 'b' } },
  ],
  targets: [
    { key: 'x/a', host: '10.0.0.1' },
    { key: 'x/b', host: '10.0.0.2' },
    { key: 'cidr', host: '10.0.0.9' },
  ],
  probes: [
    { port: 80, protocol: 'TCP' },
    { port: 81, protocol: 'UDP' },
  ],
};

const allowAll = (): TruthTables => {
  const row = { 'x/a': true, 'x/b': true, cidr: true };
  return { '80/TCP': { 'x/a': { ...row }, 'x/b': { ...row } }, '81/UDP': { 'x/a': { ...row }, 'x/b': { ...row } } };
};

describe('probeMatrix', () => {
  test('fills every table, skipping self pairs, with one exec per source', async () => {
    writeFileSync(rules, 'x/a 10.0.0.2:81 udp TIMEOUT\nx/b 10.0.0.9:80 tcp REFUSED\n');
    const kube = kubeFor();
    const observed = await probeMatrix(kube, spec);
    expect(observed.tables).toEqual({
      '80/TCP': { 'x/a': { 'x/b': true, cidr: true }, 'x/b': { 'x/a': true, cidr: false } },
      '81/UDP': { 'x/a': { 'x/b': false, cidr: true }, 'x/b': { 'x/a': true, cidr: true } },
    });
    expect(observed.results['80/TCP']?.['x/b']?.cidr?.outcome).toBe('refused');
    expect(kube.execs.map((e) => e.target.pod).sort()).toEqual(['a', 'b']);
    expect(restrictToProbed(allowAll(), observed)['80/TCP']?.['x/a']).toEqual({ 'x/b': true, cidr: true });
  });
});

describe('settleMatrix', () => {
  test('matches on the first attempt: a pass with nothing converged', async () => {
    writeFileSync(rules, '');
    const settled = await settleMatrix(kubeFor(), spec, allowAll(), { windowMs: 2000, intervalMs: 50 });
    expect(settled).toMatchObject({ matched: true, attempts: 1, verdict: { verdict: 'pass', converged: [] } });
  });

  test('never matching: fails after the window, re-probing only the mismatching source', async () => {
    writeFileSync(rules, 'x/b 10.0.0.1:80 tcp TIMEOUT\n');
    const kube = kubeFor();
    const settled = await settleMatrix(kube, spec, allowAll(), { windowMs: 300, intervalMs: 100 });
    expect(settled.matched).toBe(false);
    expect(settled.attempts).toBeGreaterThan(1);
    expect(settled.verdict).toEqual({ verdict: 'fail' });
    expect(settled.observed.results['80/TCP']?.['x/b']?.['x/a']?.detail.firstLine).toBe('TIMEOUT: dial tcp 10.0.0.1:80: i/o timeout');
    const laterPods = kube.execs.slice(2).map((e) => e.target.pod);
    expect(new Set(laterPods)).toEqual(new Set(['b']));
  });

  test('a probe that did not run is inconclusive: an expected-deny cell does not pass unprobed', async () => {
    writeFileSync(rules, 'x/a 10.0.0.2:80 tcp CRASH\n');
    const denied = allowAll();
    denied['80/TCP']!['x/a']!['x/b'] = false;
    const settled = await settleMatrix(kubeFor(), spec, denied, { windowMs: 300, intervalMs: 100 });
    expect(settled.matched).toBe(false);
    expect(settled.attempts).toBeGreaterThan(1);
    expect(settled.verdict).toEqual({ verdict: 'fail' });
    expect(settled.observed.results['80/TCP']?.['x/a']?.['x/b']).toMatchObject({ outcome: 'error', exitCode: 139 });
  });

  test('an inconclusive round followed by the answer is no change: a pass with nothing converged', async () => {
    writeFileSync(rules, 'x/a 10.0.0.2:80 tcp CRASH\n');
    const kube = kubeFor();
    const original = kube.exec.bind(kube);
    kube.exec = async (target, command, opts) => {
      const result = await original(target, command, opts);
      writeFileSync(rules, 'x/a 10.0.0.2:80 tcp TIMEOUT\n');
      return result;
    };
    const denied = allowAll();
    denied['80/TCP']!['x/a']!['x/b'] = false;
    const settled = await settleMatrix(kube, spec, denied, { windowMs: 5000, intervalMs: 50 });
    expect(settled).toMatchObject({ matched: true, attempts: 2, verdict: { verdict: 'pass', converged: [] } });
  });

  test('matching after one change is convergence: a pass that names the cell', async () => {
    writeFileSync(rules, 'x/a 10.0.0.9:81 udp TIMEOUT\n');
    const kube = kubeFor();
    const original = kube.exec.bind(kube);
    kube.exec = async (target, command, opts) => {
      const result = await original(target, command, opts);
      writeFileSync(rules, ''); // the "policy" converges after the first round
      return result;
    };
    const settled = await settleMatrix(kube, spec, allowAll(), { windowMs: 5000, intervalMs: 50 });
    expect(settled.matched).toBe(true);
    expect(settled.attempts).toBe(2);
    expect(settled.verdict).toEqual({ verdict: 'pass', converged: ['81/UDP x/a → cidr: blocked → connected'] });
  });

  test('a cell that matched, then did not, then did again flapped: flaky, naming its path', async () => {
    const rounds = ['x/a 10.0.0.2:80 tcp TIMEOUT\n', 'x/a 10.0.0.9:80 tcp TIMEOUT\n', ''];
    writeFileSync(rules, rounds[0]!);
    const kube = kubeFor();
    const original = kube.exec.bind(kube);
    let round = 0;
    kube.exec = async (target, command, opts) => {
      const result = await original(target, command, opts);
      // Each round's rules take effect once the round's execs (one per source probed) are done.
      if (target.pod === 'a') writeFileSync(rules, rounds[Math.min(++round, rounds.length - 1)]!);
      return result;
    };
    const settled = await settleMatrix(kube, spec, allowAll(), { windowMs: 5000, intervalMs: 50 });
    expect(settled).toMatchObject({ matched: true, attempts: 3 });
    expect(settled.verdict).toEqual({ verdict: 'flaky', flapped: ['80/TCP x/a → cidr: connected → blocked → connected (expected connected)'] });
  });
});
