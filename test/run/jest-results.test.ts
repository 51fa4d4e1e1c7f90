import { describe, expect, test } from '@jest/globals';
import { cleanFailure, parseAnnotations, toTestResults, type JestJson } from '../../harness/run/jest-results.ts';
import type { Annotation } from '../../harness/model/results.ts';

const file = (name: string, assertions: JestJson['testResults'][number]['assertionResults'], extra: Partial<JestJson['testResults'][number]> = {}) => ({
  name,
  assertionResults: assertions,
  ...extra,
});

describe('toTestResults', () => {
  const jest: JestJson = {
    testResults: [
      file('/p/suites/network-policy.suite.ts', [
        { ancestorTitles: ['network-policy', 'ingress'], title: 'default deny', status: 'passed', duration: 120 },
        { ancestorTitles: ['network-policy', 'ingress'], title: 'named ports', status: 'passed', duration: 80 },
        { ancestorTitles: ['network-policy', 'egress'], title: 'only DNS', status: 'failed', duration: 30, failureMessages: ['\u001b[31mExpected\u001b[39m x/a → y/b\n    at Object.<anonymous> (suite.ts:1:1)'] },
        { ancestorTitles: ['network-policy', 'sctp'], title: 'sctp deny', status: 'pending' },
        { ancestorTitles: ['network-policy', 'sctp'], title: 'silently skipped', status: 'pending' },
      ]),
    ],
  };
  const annotations: Annotation[] = [
    { suite: 'network-policy', name: 'ingress › named ports', kind: 'flaky', detail: 'x/a → x/b flipped after 2 s' },
    { suite: 'network-policy', name: 'sctp › sctp deny', kind: 'unsupported', detail: 'needs sctp' },
  ];
  const results = toTestResults(jest, annotations);
  const byName = new Map(results.map((r) => [r.name, r]));

  test('names drop the suite root and join groups', () => {
    expect([...byName.keys()]).toEqual(['ingress › default deny', 'ingress › named ports', 'egress › only DNS', 'sctp › sctp deny', 'sctp › silently skipped']);
    expect(results.every((r) => r.suite === 'network-policy')).toBe(true);
  });

  test('a passed test with a flake annotation is flaky, with the detail', () => {
    expect(byName.get('ingress › named ports')).toMatchObject({ status: 'flaky', detail: 'x/a → x/b flipped after 2 s' });
    expect(byName.get('ingress › default deny')).toMatchObject({ status: 'pass', durationMs: 120 });
  });

  test('failures keep the words and lose colours and stack frames', () => {
    const failed = byName.get('egress › only DNS');
    expect(failed?.status).toBe('fail');
    expect(failed?.message).toBe('Expected x/a → y/b');
  });

  test('a skip with an unsupported annotation is unsupported; one without is an error', () => {
    expect(byName.get('sctp › sctp deny')).toMatchObject({ status: 'unsupported', detail: 'needs sctp' });
    expect(byName.get('sctp › silently skipped')).toMatchObject({ status: 'error' });
    expect(byName.get('sctp › silently skipped')?.message).toMatch(/without a recorded reason/);
  });

  test('a suite file that crashed before any test becomes one error result', () => {
    const crashed = toTestResults(
      { testResults: [file('/p/suites/dns.suite.ts', [], { testExecError: { message: 'CNIMATRIX_CELL is not set' } })] },
      [],
    );
    expect(crashed).toEqual([{ suite: 'dns', name: '(suite setup)', status: 'error', durationMs: 0, message: 'CNIMATRIX_CELL is not set' }]);
  });
});

test('cleanFailure joins several messages', () => {
  expect(cleanFailure(['a\n    at x (y:1:1)', '\u001b[2mb\u001b[22m'])).toBe('a\n\nb');
});

test('parseAnnotations reads JSON lines and ignores blank ones', () => {
  const line = JSON.stringify({ suite: 'dns', name: 'x', kind: 'flaky', detail: 'd' });
  expect(parseAnnotations(`${line}\n\n${line}\n`)).toHaveLength(2);
});

test("every test of a suite file carries the file's start, for its JUnit testsuite timestamp", () => {
  const jest: JestJson = { testResults: [file('/p/suites/dns.suite.ts', [{ ancestorTitles: ['dns', 'records'], title: 'A', status: 'passed', duration: 5 }], { startTime: Date.parse('2024-05-01T12:03:00.000Z') })] };
  expect(toTestResults(jest, [])[0]?.suiteStartedAt).toBe('2024-05-01T12:03:00.000Z');
});
