// Truth-table grids: exact layout, diff marks, wrong-cell list, ASCII only.
import { describe, expect, test } from '@jest/globals';
import { diffCells, renderComparison, renderTruthTable, type TruthTable } from '../../harness/netpol/index.ts';

const expected: TruthTable = {
  'x/a': { 'x/a': true, 'x/b': false },
  'x/b': { 'x/a': true, 'x/b': true },
};

describe('renderTruthTable', () => {
  test('short names head the columns', () => {
    expect(renderTruthTable(expected, '80/TCP')).toBe(
      ['80/TCP', '    x/a x/b', 'x/a   .   X', 'x/b   .   .', 'legend: . allowed, X denied, ? not observed; in diff: . same, ! differs; rows = from (source), columns = to (destination)'].join('\n'),
    );
  });

  test('long names are numbered, rows carrying the numbers', () => {
    const long: TruthTable = { 'netpol-x-1234/a': { 'netpol-x-1234/a': true, 'netpol-y-1234/b': false }, 'netpol-y-1234/b': { 'netpol-x-1234/a': true, 'netpol-y-1234/b': true } };
    expect(renderTruthTable(long).split('\n').slice(0, 3)).toEqual(['                  0 1', '0 netpol-x-1234/a . X', '1 netpol-y-1234/b . .']);
  });

  test('long names on differing axes get a column key', () => {
    const table: TruthTable = { 'netpol-x-1234/a': { 'netpol-y-1234/b': false } };
    expect(renderTruthTable(table)).toContain('columns: 0=netpol-y-1234/b');
  });
});

describe('renderComparison and diffCells', () => {
  const observed = { 'x/a': { 'x/a': true, 'x/b': true }, 'x/b': { 'x/a': true } };

  test('lists every disagreeing cell, a missing observation included', () => {
    expect(diffCells(expected, observed)).toEqual([
      { from: 'x/a', to: 'x/b', expected: false, observed: true },
      { from: 'x/b', to: 'x/b', expected: true, observed: undefined },
    ]);
    expect(diffCells(expected, expected)).toEqual([]);
  });

  test('prints expected, observed and diff grids, the legend and the wrong cells', () => {
    expect(renderComparison(expected, observed, '80/TCP')).toBe(
      [
        '80/TCP: 2 of 4 cells differ',
        'expected:',
        '    x/a x/b',
        'x/a   .   X',
        'x/b   .   .',
        'observed:',
        '    x/a x/b',
        'x/a   .   .',
        'x/b   .   ?',
        'diff:',
        '    x/a x/b',
        'x/a   .   !',
        'x/b   .   !',
        'legend: . allowed, X denied, ? not observed; in diff: . same, ! differs; rows = from (source), columns = to (destination)',
        'wrong: x/a -> x/b: expected denied, observed allowed',
        'wrong: x/b -> x/b: expected allowed, observed not observed',
      ].join('\n'),
    );
  });

  test('a match says so and stays plain ASCII', () => {
    const text = renderComparison(expected, expected);
    expect(text.split('\n')[0]).toBe('all 4 cells match');
    expect(text).toMatch(/^[\x20-\x7e\n]*$/);
  });
});
