// Runs the conformance suites against one live cell: a jest child process with the cell's
// kubeconfig and description in its environment, results read back from jest's JSON.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { ANNOTATIONS_ENV, CELL_ENV, type CellInfo, type SuiteName } from '../model/cell.ts';
import type { TestResult } from '../model/results.ts';
import { parseAnnotations, toTestResults, type JestJson } from './jest-results.ts';
import { formatDuration } from '../config/duration.ts';
import { PROBE_CONCURRENCY_ENV } from '../probe/batch.ts';
import { PROGRESS_MARK } from './suite-progress-reporter.ts';
import { SuiteProgressTracker, type SuiteProgressEvent } from './suite-progress.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface SuiteRunOptions {
  cell: CellInfo;
  suites: readonly SuiteName[];
  kubeconfigPath: string;
  /** Where jest's JSON, the annotations and the suites' console output are kept. */
  workDir: string;
  timeoutMs: number;
  /** Probe processes at once in the cell (CNIMATRIX_PROBE_CONCURRENCY for the suites). */
  probeConcurrency: number;
  cancelSignal?: AbortSignal;
  /** Live progress: each check as it starts, each check group as it ends. */
  onProgress?: (event: SuiteProgressEvent) => void;
}

export function suiteFile(suite: SuiteName): string {
  return join(PROJECT_ROOT, 'suites', `${suite}.suite.ts`);
}

export async function runSuites(opts: SuiteRunOptions): Promise<TestResult[]> {
  await mkdir(opts.workDir, { recursive: true });
  const jsonFile = join(opts.workDir, 'jest.json');
  const annotationsFile = join(opts.workDir, 'annotations.jsonl');
  const logFile = join(opts.workDir, 'suites.log');
  await rm(jsonFile, { force: true });
  await writeFile(annotationsFile, '');
  // jest's package exports hide bin/; its main entry sits in build/ next to it.
  const jestBin = join(dirname(fileURLToPath(import.meta.resolve('jest'))), '..', 'bin', 'jest.js');
  const tracker = new SuiteProgressTracker();
  const emit = (events: SuiteProgressEvent[]) => {
    for (const event of events) opts.onProgress?.(event);
  };
  const running = execa(
    process.execPath,
    [
      '--disable-warning=ExperimentalWarning',
      '--experimental-vm-modules',
      jestBin,
      '--config',
      join(PROJECT_ROOT, 'jest.config.ts'),
      '--selectProjects',
      'suites',
      '--runInBand',
      '--reporters=default',
      `--reporters=${fileURLToPath(new URL('./suite-progress-reporter.ts', import.meta.url))}`,
      '--json',
      '--outputFile',
      jsonFile,
      '--runTestsByPath',
      ...opts.suites.map(suiteFile),
    ],
    {
      cwd: PROJECT_ROOT,
      env: {
        KUBECONFIG: opts.kubeconfigPath,
        [CELL_ENV]: JSON.stringify(opts.cell),
        [ANNOTATIONS_ENV]: annotationsFile,
        [PROBE_CONCURRENCY_ENV]: String(opts.probeConcurrency),
        FORCE_COLOR: '0',
      },
      all: true,
      reject: false,
      timeout: opts.timeoutMs,
      ...(opts.cancelSignal ? { cancelSignal: opts.cancelSignal } : {}),
    },
  );
  let pending = '';
  running.stdout?.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) emit(tracker.feed(line));
  });
  const child = await running;
  emit([...tracker.feed(pending), ...tracker.finish()]);
  const output = (child.all ?? '').split('\n').filter((line) => !line.startsWith(PROGRESS_MARK));
  await writeFile(logFile, output.join('\n'));
  const json = await readFile(jsonFile, 'utf8').catch(() => undefined);
  if (json === undefined) {
    const why = child.timedOut
      ? `the suites did not finish within ${formatDuration(opts.timeoutMs)}`
      : `jest exited with ${child.exitCode ?? child.signal} before writing results`;
    throw new Error(`${why}; its output is in ${logFile}`);
  }
  const annotations = parseAnnotations(await readFile(annotationsFile, 'utf8'));
  return toTestResults(JSON.parse(json) as JestJson, annotations);
}
