import { describe, expect, test } from '@jest/globals';
import { buildProbeScript, parseProbeScript, probeResultLine, shellWords } from './dataplane/probe-script.ts';
import { execHarness, IPS, seededStore } from './testing/fixture.ts';

describe('batched probe script', () => {
  test('shell words keep quoted text, escaped quotes and redirects', () => {
    expect(shellWords(`'a b' 'it'\\''s' c > /tmp/x`)).toEqual(['a b', "it's", 'c', '>', '/tmp/x']);
  });

  test('build → parse round-trips ids and argv; bad lines are rejected', () => {
    const probes = [{ id: 'p1:80.tcp', argv: ['/agnhost', 'connect', '10.0.0.1:80', '--timeout=1s', "--odd='q'"] }];
    expect(parseProbeScript(buildProbeScript(probes))).toEqual(probes);
    expect(() => parseProbeScript('probe bad/id x &')).toThrow(/bad probe id/);
    expect(() => parseProbeScript('rm -rf /')).toThrow(/not a probe line/);
  });

  test('result lines carry the exit code and base64 output without trailing newlines', () => {
    expect(probeResultLine('x', 1, 'REFUSED: no\n')).toBe(`@@cnimatrix x 1 ${Buffer.from('REFUSED: no').toString('base64')}`);
  });

  test('one exec answers every probe of a script', async () => {
    const h = execHarness(seededStore());
    const script = buildProbeScript([
      { id: 'ok', argv: ['/agnhost', 'connect', `${IPS.a}:80`, '--timeout=1s', '--protocol=tcp'] },
      { id: 'refused', argv: ['/agnhost', 'connect', `${IPS.a}:81`, '--timeout=1s', '--protocol=tcp'] },
      { id: 'name', argv: ['curl', '-sS', '--max-time', '2', `http://${IPS.b}:80/hostname`] },
    ]);
    const reply = await h.run('y/c', ['/bin/sh', '-c', script]);
    const lines = Object.fromEntries(
      reply.stdout.trim().split('\n').map((l) => {
        const [, id, rc, b64] = l.split(' ');
        return [id, { rc: Number(rc), out: Buffer.from(b64 ?? '', 'base64').toString() }];
      }),
    );
    expect(lines.ok).toEqual({ rc: 0, out: '' });
    expect(lines.refused?.rc).toBe(1);
    expect(lines.refused?.out).toBe('REFUSED');
    expect(lines.name).toEqual({ rc: 0, out: 'b' });
  });

  test('execLatencyMs is applied once per exec', async () => {
    const h = execHarness(seededStore(), { execLatencyMs: 100 });
    const started = performance.now();
    await h.run('y/c', ['hostname']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
  });
});
