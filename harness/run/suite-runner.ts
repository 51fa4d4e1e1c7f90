// Runs the conformance suites against one live cell: a jest child process with the cell's
// kubeconfig and description in its environment, results read back from jest's JSON.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { ANNOTATIONS_ENV, CELL_ENV, type CellInfo, type SuiteName } from '../model/cell.ts';
import type { TestResult } from '../model/results.ts';
import { parseAnnotations, toTestResults, type JestJson } from './jest-results.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface SuiteRunOptions {
  cell: CellInfo;
  suites: readonly SuiteName[];
  kubeconfigPath: string;
  /** Where jest's JSON, the annotations and the suites' console output are kept. */
  workDir: string;
  timeoutMs: number;
  cancelSignal?: AbortSignal;
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
  const child = await execa(
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
        FORCE_COLOR: '0',
      },
      all: true,
      reject: false,
      timeout: opts.timeoutMs,
      ...(opts.cancelSignal ? { cancelSignal: opts.cancelSignal } : {}),
    },
  );
  await writeFile(logFile, child.all ?? '');
  const json = await readFile(jsonFile, 'utf8').catch(() => undefined);
  if (json === undefined) {
    const why = child.timedOut
      ? `the suites did not finish within ${Math.round(opts.timeoutMs / 1000)} s`
      : `jest exited with ${child.exitCode ?? child.signal} before writing results`;
    throw new Error(`${why}; its output is in ${logFile}`);
  }
  const annotations = parseAnnotations(await readFile(annotationsFile, 'utf8'));
  return toTestResults(JSON.parse(json) as JestJson, annotations);
}
