// sendWithResends: only the requests that got no answer are sent again, at most twice; a pass that
// needed a re-send is reported flaky with the first attempts, a request that never passes is failed.
import { describe, expect, test } from '@jest/globals';
import type { Probe, ProbeResult } from '../../harness/probe/index.ts';
import type { CheckContext } from '../../suites/lib/conformance.ts';
import { sendWithResends } from '../../suites/lib/resend.ts';

const probes: Probe[] = ['a', 'b', 'c'].map((id) => ({ id, command: ['curl', `http://${id}/hostname`], timeoutSeconds: 1 }));

function result(id: string, ok: boolean): ProbeResult {
  return ok
    ? { id, outcome: 'connected', exitCode: 0, output: id, detail: { firstLine: id, body: id } }
    : { id, outcome: 'timeout', exitCode: 28, output: 'curl: (28) timed out', detail: { firstLine: 'curl: (28) timed out' } };
}

/** A sender whose probe `id` fails on its first `failures[id]` attempts; it records what each round sent. */
function flakySender(failures: Record<string, number>) {
  const rounds: string[][] = [];
  const attempts = new Map<string, number>();
  const send = async (batch: Probe[]) => {
    rounds.push(batch.map((p) => p.id));
    return new Map(
      batch.map((p) => {
        const n = (attempts.get(p.id) ?? 0) + 1;
        attempts.set(p.id, n);
        return [p.id, result(p.id, n > (failures[p.id] ?? 0))];
      }),
    );
  };
  return { send, rounds };
}

function recordingContext(): CheckContext & { flakes: string[] } {
  const flakes: string[] = [];
  return { name: 'check', flakes, flaked: (detail) => flakes.push(detail) };
}

const accept = (r: ProbeResult) => r.outcome === 'connected';

describe('sendWithResends', () => {
  test('all answered at once: one round, not flaky', async () => {
    const { send, rounds } = flakySender({});
    const ctx = recordingContext();
    const sent = await sendWithResends(send, probes, accept, ctx);
    expect(rounds).toEqual([['a', 'b', 'c']]);
    expect(sent.failed).toEqual([]);
    expect(ctx.flakes).toEqual([]);
  });

  test('a dropped first try is re-sent alone and the pass is reported flaky with what it saw', async () => {
    const { send, rounds } = flakySender({ b: 1 });
    const ctx = recordingContext();
    const sent = await sendWithResends(send, probes, accept, ctx);
    expect(rounds).toEqual([['a', 'b', 'c'], ['b']]);
    expect(sent.failed).toEqual([]);
    expect(sent.results.get('b')?.outcome).toBe('connected');
    expect(sent.history.get('b')?.map((r) => r.outcome)).toEqual(['timeout', 'connected']);
    expect(ctx.flakes).toEqual(['1 of 3 requests were answered only when sent again; first attempts: b: timeout (curl: (28) timed out)']);
  });

  test('a request that fails three times is failed, with its last result, and nothing is reported flaky', async () => {
    const { send, rounds } = flakySender({ a: 1, c: 5 });
    const ctx = recordingContext();
    const sent = await sendWithResends(send, probes, accept, ctx);
    expect(rounds).toEqual([['a', 'b', 'c'], ['a', 'c'], ['c']]);
    expect(sent.failed).toEqual(['c']);
    expect(sent.results.get('c')?.outcome).toBe('timeout');
    expect(ctx.flakes).toEqual([]);
  });
});
