// The verdict rules of docs/verdicts.md, one table each.
import { describe, expect, test } from '@jest/globals';
import { judgeConvergence, judgeSteady, judgeTable } from '../../harness/probe/index.ts';

describe('judgeSteady: something that should already work', () => {
  test.each([
    [[true], 'pass'],
    [[false, true], 'flaky'],
    [[false, false, true], 'flaky'],
    [[false, false, false], 'fail'],
    [[], 'fail'],
  ] as const)('%j → %s', (accepted, verdict) => {
    expect(judgeSteady(accepted)).toBe(verdict);
  });
});

describe('judgeConvergence: something that just changed', () => {
  test.each([
    [[true], 'pass'],
    [[false, false, true], 'pass'],
    [[true, false, true], 'flaky'],
    [[false, true, false, true], 'flaky'],
    [[false, true, false], 'fail'],
    [[false], 'fail'],
  ] as const)('%j → %s', (right, verdict) => {
    expect(judgeConvergence(right)).toBe(verdict);
  });

  test.each([
    [[true, false, true], 2, 'pass'],
    [[false, true, false, true], 2, 'flaky'],
    [[false, true, false, true], 3, 'pass'],
    [[true, false, true], 0, 'flaky'],
  ] as const)('%j after %i changes → %s (each change may flip it once)', (right, changesMade, verdict) => {
    expect(judgeConvergence(right, changesMade)).toBe(verdict);
  });
});

describe('judgeTable', () => {
  test('converged cells pass and are named; unchanged ones are not', () => {
    const verdict = judgeTable(true, [
      { cell: '80/TCP x/a → x/b', expected: false, observed: [true, true, false] },
      { cell: '80/TCP x/a → x/c', expected: true, observed: [true] },
    ]);
    expect(verdict).toEqual({ verdict: 'pass', converged: ['80/TCP x/a → x/b: connected → connected → blocked'] });
  });

  test('one flapping cell makes the table flaky', () => {
    const verdict = judgeTable(true, [
      { cell: '80/TCP x/a → x/b', expected: false, observed: [true, false] },
      { cell: '81/UDP x/b → x/a', expected: true, observed: [true, false, true] },
    ]);
    expect(verdict).toEqual({ verdict: 'flaky', flapped: ['81/UDP x/b → x/a: connected → blocked → connected (expected connected)'] });
  });

  test('after two changes (two policies programmed in turn), right, wrong, right converged', () => {
    const histories = [{ cell: '80/TCP y/c → y/a', expected: true, observed: [true, false, true] }];
    expect(judgeTable(true, histories, 2)).toEqual({ verdict: 'pass', converged: ['80/TCP y/c → y/a: connected → blocked → connected'] });
    expect(judgeTable(true, histories).verdict).toBe('flaky');
  });

  test('a table that did not match in the end fails, flapping or not', () => {
    expect(judgeTable(false, [{ cell: 'c', expected: true, observed: [true, false, true] }])).toEqual({ verdict: 'fail' });
  });
});
