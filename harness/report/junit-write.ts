// JUnit XML for one cell and for a whole run, built with junit-report-builder. The layout is
// documented in docs/junit.md and read back by junit-read.ts.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import junitModule from 'junit-report-builder';
import type { Builder, TestCase, TestSuite } from 'junit-report-builder';
import { CAPABILITIES } from '../model/cell.ts';
import { reportSuiteOrder, type CellResult, type TestResult } from '../model/results.ts';
import {
  CELL_SUITE,
  CaseProperty,
  CellProperty,
  FIGURE_PROPERTY_PREFIX,
  firstLine,
  hintSuffix,
  phaseProperty,
  probedAbsentProperty,
  testsuiteName,
  unsupportedMessage,
} from './junit-format.ts';
import { cnimatrixVersion } from './version.ts';

// The package's CommonJS export is the builder itself; its typings declare it as `default`.
const junit = junitModule as unknown as Builder;

/** Where a cell's JUnit file lives inside a run directory. */
export function cellJUnitPath(runDir: string, cellId: string): string {
  return join(runDir, 'junit', `${cellId}.xml`);
}

export function combinedJUnitPath(runDir: string): string {
  return join(runDir, 'junit.xml');
}

/** Writes reports/<run-id>/junit/<cell>.xml and returns its path. */
export async function writeCellJUnit(runDir: string, result: CellResult): Promise<string> {
  const path = cellJUnitPath(runDir, result.cell.id);
  await mkdir(join(runDir, 'junit'), { recursive: true });
  await writeFile(path, buildCellJUnit(result), 'utf8');
  return path;
}

/** Writes reports/<run-id>/junit.xml holding every cell's testsuites; returns its path. */
export async function writeCombinedJUnit(runDir: string, results: readonly CellResult[]): Promise<string> {
  const path = combinedJUnitPath(runDir);
  await mkdir(runDir, { recursive: true });
  await writeFile(path, buildCombinedJUnit(results), 'utf8');
  return path;
}

export function buildCellJUnit(result: CellResult): string {
  const builder = junit.newBuilder().name(`cnimatrix ${result.cell.id}`);
  addCell(builder, result);
  return builder.build();
}

export function buildCombinedJUnit(results: readonly CellResult[]): string {
  const runIds = [...new Set(results.map((r) => r.runId))];
  const builder = junit.newBuilder().name(`cnimatrix ${runIds.join(' + ')}`.trim());
  for (const result of results) addCell(builder, result);
  return builder.build();
}

function addCell(builder: Builder, result: CellResult): void {
  const bySuite = groupBySuite(result.tests);
  for (const [suite, tests] of bySuite) {
    const testsuite = openSuite(builder, result, suite);
    for (const test of tests) addTest(testsuite, result.cell.id, test);
  }
  // The cell-error suite also carries the cell's properties when no test ran at all.
  if (result.error !== undefined || bySuite.size === 0) {
    const testsuite = openSuite(builder, result, CELL_SUITE);
    if (result.error !== undefined) {
      const { phase, message, hint } = result.error;
      const testcase = testsuite
        .testCase()
        .className(`${result.cell.id}.${CELL_SUITE}`)
        .name(`cell ${result.cell.id}: ${phase}`)
        .time(0)
        .property(CaseProperty.phase, phase);
      if (hint !== undefined) testcase.property(CaseProperty.hint, hint);
      testcase.error(firstLine(message) || `${phase} failed`, 'cell-error', xmlText(message + (hint === undefined ? '' : hintSuffix(hint))));
    }
  }
}

function openSuite(builder: Builder, result: CellResult, suite: string): TestSuite {
  const { cell } = result;
  const tests = result.tests.filter((t) => t.suite === suite);
  const seconds = tests.reduce((sum, t) => sum + t.durationMs, 0) / 1000;
  const testsuite = builder
    .testSuite()
    .name(testsuiteName(cell.id, suite))
    // Each suite's own start when recorded, so the testsuites of a cell are not all stamped alike.
    .timestamp(tests.find((t) => t.suiteStartedAt !== undefined)?.suiteStartedAt ?? result.startedAt)
    .time(seconds)
    .property(CellProperty.cellId, cell.id)
    .property(CellProperty.suite, suite)
    .property(CellProperty.runId, result.runId)
    .property(CellProperty.cni, cell.cni)
    .property(CellProperty.cniVersion, cell.cniVersion)
    .property(CellProperty.proxyMode, cell.proxyMode)
    .property(CellProperty.kindVersion, cell.kindVersion)
    .property(CellProperty.kubernetesVersion, cell.kubernetesVersion)
    .property(CellProperty.nodeImage, cell.nodeImage)
    .property(CellProperty.clusterName, cell.clusterName)
    .property(CellProperty.host, cell.host)
    .property(CellProperty.capabilities, cell.capabilities.join(','))
    .property(CellProperty.startedAt, result.startedAt)
    .property(CellProperty.finishedAt, result.finishedAt)
    .property(CellProperty.cnimatrixVersion, cnimatrixVersion());
  for (const capability of CAPABILITIES) {
    const evidence = cell.probedAbsent?.[capability];
    if (evidence !== undefined) testsuite.property(probedAbsentProperty(capability), evidence);
  }
  for (const phase of result.phases) {
    testsuite
      .property(phaseProperty(phase.phase, 'ms'), String(phase.durationMs))
      .property(phaseProperty(phase.phase, 'status'), phase.status)
      .property(phaseProperty(phase.phase, 'startedAt'), phase.startedAt);
    if (phase.error !== undefined) testsuite.property(phaseProperty(phase.phase, 'error'), phase.error);
  }
  return testsuite;
}

function addTest(testsuite: TestSuite, cellId: string, test: TestResult): void {
  const testcase = testsuite
    .testCase()
    .className(`${cellId}.${test.suite}`)
    .name(test.name)
    .time(test.durationMs / 1000);
  for (const [name, value] of Object.entries(test.figures ?? {})) testcase.property(`${FIGURE_PROPERTY_PREFIX}${name}`, value);
  switch (test.status) {
    case 'pass':
      return;
    case 'flaky':
      testcase.property(CaseProperty.flaky, test.detail ?? '');
      return;
    case 'fail':
      if (test.message === undefined) testcase.failure();
      else testcase.failure(firstLine(test.message)).stacktrace(xmlText(test.message));
      return;
    case 'error':
      testcase.error(test.message === undefined ? undefined : firstLine(test.message), 'error', test.message === undefined ? undefined : xmlText(test.message));
      return;
    case 'unsupported':
      skippedWithMessage(testcase, unsupportedMessage(test.detail));
      return;
  }
}

/**
 * junit-report-builder only writes a bare `<skipped/>`; the reason belongs in its message
 * attribute, so this testcase appends the element itself and reports itself as skipped.
 */
function skippedWithMessage(testcase: TestCase, message: string): void {
  const build = testcase.build.bind(testcase);
  testcase.getSkippedCount = () => 1;
  testcase.build = (parent) => {
    const element = build(parent);
    element.ele('skipped', { message });
    return element;
  };
}

function groupBySuite(tests: readonly TestResult[]): Map<string, TestResult[]> {
  const groups = new Map<string, TestResult[]>();
  const suites = [...new Set(tests.map((t) => t.suite))].sort((a, b) => reportSuiteOrder(a) - reportSuiteOrder(b));
  for (const suite of suites) groups.set(suite, tests.filter((t) => t.suite === suite));
  return groups;
}

/**
 * Text bound for a CDATA section. ANSI colour codes are dropped (XML cannot carry ESC), and
 * every "]]>" after the first is pre-split, because the builder splits only the first one; the
 * round-trip tests in test/report pin this behaviour of junit-report-builder 5.
 */
function xmlText(text: string): string {
  const plain = text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
  const [head = '', second, ...rest] = plain.split(']]>');
  if (second === undefined) return head;
  return `${head}]]>${[second, ...rest].join(']]]]><![CDATA[>')}`;
}
