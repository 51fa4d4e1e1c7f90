// Turns jest's --json output and the suites' annotations into the cell's TestResults.
import { SUITE_NAMES, type SuiteName } from '../model/cell.ts';
import type { Annotation, TestResult } from '../model/results.ts';

/** The part of jest's --json output cnimatrix reads. */
export interface JestJson {
  testResults: {
    name: string;
    /** When jest started the file, in ms since the epoch. */
    startTime?: number;
    message?: string;
    testExecError?: { message?: string } | null;
    assertionResults: {
      ancestorTitles: string[];
      title: string;
      status: 'passed' | 'failed' | 'pending' | 'skipped' | 'todo' | 'disabled' | 'focused';
      duration?: number | null;
      failureMessages?: string[];
    }[];
  }[];
}

// Jest's failure messages carry ANSI colours and stack frames; a report wants the words.
const ANSI = /\u001b\[[0-9;]*m/g;
const STACK_FRAME = /^\s+at .*$/;

export function cleanFailure(messages: readonly string[]): string {
  return messages
    .map((m) =>
      m
        .replace(ANSI, '')
        .split('\n')
        .filter((line) => !STACK_FRAME.test(line))
        .join('\n')
        .trim(),
    )
    .join('\n\n');
}

function suiteOf(title: string | undefined): SuiteName | undefined {
  return SUITE_NAMES.find((s) => s === title);
}

function suiteOfFile(file: string): SuiteName | undefined {
  return SUITE_NAMES.find((s) => file.endsWith(`${s}.suite.ts`));
}

const key = (suite: string, name: string) => `${suite}\u0000${name}`;

export function toTestResults(jest: JestJson, annotations: readonly Annotation[]): TestResult[] {
  const notes = new Map<string, Annotation[]>();
  for (const a of annotations) {
    const k = key(a.suite, a.name);
    notes.set(k, [...(notes.get(k) ?? []), a]);
  }
  const results: TestResult[] = [];
  for (const file of jest.testResults) {
    const first = results.length;
    addFileResults(file, notes, results);
    // Every test of a suite file shares the file's start: one timestamp per JUnit testsuite.
    if (file.startTime) for (const r of results.slice(first)) r.suiteStartedAt = new Date(file.startTime).toISOString();
  }
  return results;
}

function addFileResults(file: JestJson['testResults'][number], notes: ReadonlyMap<string, Annotation[]>, results: TestResult[]): void {
  const fileSuite = suiteOfFile(file.name);
  // A suite file that could not load or whose setup crashed has no assertions to report.
  if (file.assertionResults.length === 0 && fileSuite) {
    const why = file.testExecError?.message ?? file.message ?? 'the suite file ran no test';
    results.push({ suite: fileSuite, name: '(suite setup)', status: 'error', durationMs: 0, message: cleanFailure([why]) });
    return;
  }
  for (const a of file.assertionResults) {
    const suite = suiteOf(a.ancestorTitles[0]) ?? fileSuite;
    if (!suite) continue;
    const name = [...a.ancestorTitles.slice(1), a.title].join(' › ');
    const own = notes.get(key(suite, name)) ?? [];
    const unsupported = own.find((n) => n.kind === 'unsupported');
    const flakes = own.filter((n) => n.kind === 'flaky').map((n) => n.detail);
    const durationMs = a.duration ?? 0;
    if (a.status === 'passed') {
      results.push(
        flakes.length > 0
          ? { suite, name, status: 'flaky', durationMs, detail: flakes.join('\n') }
          : { suite, name, status: 'pass', durationMs },
      );
    } else if (a.status === 'failed') {
      const message = cleanFailure(a.failureMessages ?? []);
      results.push({
        suite,
        name,
        status: 'fail',
        durationMs,
        message: flakes.length > 0 ? `${message}\n\nre-probing saw: ${flakes.join('; ')}` : message,
      });
    } else if (unsupported) {
      results.push({ suite, name, status: 'unsupported', durationMs: 0, detail: unsupported.detail });
    } else {
      // A skip that is not an unsupported capability hides a check: report it as an error.
      results.push({ suite, name, status: 'error', durationMs: 0, message: `the test was ${a.status} without a recorded reason` });
    }
  }
}

export function parseAnnotations(text: string): Annotation[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Annotation);
}
