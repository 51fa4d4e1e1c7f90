import { describe, expect, test } from '@jest/globals';
import { execa } from 'execa';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI_TIMEOUT_MS, emptyDir, PROJECT_PATH, REPO } from './spawn.ts';

/** Sources .ci/run (which then defines its functions without running) and prints the summary. */
async function summary(...results: (unknown | undefined)[]) {
  const dir = emptyDir();
  const files = results.map((json, index) => {
    const file = path.join(dir, `results-${index}.json`);
    if (json !== undefined) writeFileSync(file, typeof json === 'string' ? json : JSON.stringify(json));
    return file;
  });
  const result = await execa('bash', ['-c', 'source .ci/run && print_summary "$@"', 'ci', ...files], {
    cwd: REPO,
    reject: false,
    env: { PATH: `${PROJECT_PATH}:/usr/bin:/bin` },
  });
  return { exitCode: result.exitCode, stdout: result.stdout };
}

const jest = (passed: number, failed: number, pending: number, extra: object = {}) => ({
  numPassedTests: passed,
  numFailedTests: failed,
  numPendingTests: pending,
  numTodoTests: 0,
  numRuntimeErrorTestSuites: 0,
  ...extra,
});

describe('.ci/run summary line', () => {
  test('counts passed and failed tests', async () => {
    expect(await summary(jest(412, 3, 0))).toEqual({ exitCode: 0, stdout: '412 passed, 3 failed' });
  }, CLI_TIMEOUT_MS);

  test('adds skipped tests when there are any', async () => {
    expect(await summary(jest(10, 0, 4))).toEqual({ exitCode: 0, stdout: '10 passed, 0 failed, 4 skipped' });
  }, CLI_TIMEOUT_MS);

  test('a test file that could not run counts as a failure', async () => {
    expect((await summary(jest(10, 0, 0, { numRuntimeErrorTestSuites: 2 }))).stdout).toBe('10 passed, 2 failed');
  }, CLI_TIMEOUT_MS);

  test('sums the result files of npm test and of the real lane', async () => {
    expect(await summary(jest(1264, 0, 0), jest(5, 1, 0))).toEqual({ exitCode: 0, stdout: '1269 passed, 1 failed' });
  }, CLI_TIMEOUT_MS);

  test('a missing lane result file beside a readable one is one more failure', async () => {
    expect(await summary(jest(1264, 0, 0), undefined)).toEqual({ exitCode: 1, stdout: '1264 passed, 1 failed' });
  }, CLI_TIMEOUT_MS);

  test('no result file (the type check failed first) is one failure', async () => {
    expect(await summary(undefined)).toEqual({ exitCode: 1, stdout: '0 passed, 1 failed' });
  }, CLI_TIMEOUT_MS);

  test('an unreadable result file is one failure', async () => {
    expect(await summary('{"numPassedTests": 3, trunc')).toEqual({ exitCode: 1, stdout: '0 passed, 1 failed' });
  }, CLI_TIMEOUT_MS);
});
