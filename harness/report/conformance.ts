// A per-cell conformance summary in the spirit of Gateway API's ConformanceReport: what was
// tested, what passed, and what the cell does not support.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { CAPABILITIES } from '../model/cell.ts';
import type { Capability } from '../model/cell.ts';
import { reportSuiteOrder, type CellResult, type TestResult } from '../model/results.ts';
import { cnimatrixVersion } from './version.ts';

export const CONFORMANCE_API_VERSION = 'cnimatrix.io/v1alpha1';

/** success: everything ran and passed · partial: some tests unsupported · failure: any fail/error. */
export type ConformanceResult = 'success' | 'partial' | 'failure';

export interface SuiteConformance {
  result: ConformanceResult;
  statistics: { passed: number; failed: number; errored: number; skipped: number; flaky: number };
  failedTests: string[];
  flakyTests: string[];
  skippedTests: { name: string; reason: string }[];
}

export interface ConformanceReport {
  apiVersion: typeof CONFORMANCE_API_VERSION;
  kind: 'ConformanceReport';
  date: string;
  cnimatrixVersion: string;
  runId: string;
  cell: string;
  implementation: { cni: string; version: string };
  proxyMode: string;
  kubernetesVersion: string;
  kindVersion: string;
  /** What the cell could test: declared by its profile and not probed absent from the cluster. */
  capabilities: Capability[];
  /**
   * Every other capability: not declared by the profile, or probed absent from the live cluster
   * (the tests' skip reasons carry that evidence); tests needing them were reported unsupported.
   */
  unsupportedFeatures: Capability[];
  result: ConformanceResult;
  error?: NonNullable<CellResult['error']>;
  suites: Record<string, SuiteConformance>;
}

export function buildConformanceReport(result: CellResult): ConformanceReport {
  const suites: Record<string, SuiteConformance> = {};
  const names = [...new Set(result.tests.map((t) => t.suite))].sort((a, b) => reportSuiteOrder(a) - reportSuiteOrder(b));
  for (const suite of names) suites[suite] = suiteConformance(result.tests.filter((t) => t.suite === suite));
  const suiteResults = Object.values(suites).map((s) => s.result);
  const supported = result.cell.capabilities.filter((c) => result.cell.probedAbsent?.[c] === undefined);
  const overall: ConformanceResult =
    result.error !== undefined || suiteResults.includes('failure') ? 'failure' : suiteResults.includes('partial') ? 'partial' : 'success';
  return {
    apiVersion: CONFORMANCE_API_VERSION,
    kind: 'ConformanceReport',
    date: result.finishedAt,
    cnimatrixVersion: cnimatrixVersion(),
    runId: result.runId,
    cell: result.cell.id,
    implementation: { cni: result.cell.cni, version: result.cell.cniVersion },
    proxyMode: result.cell.proxyMode,
    kubernetesVersion: result.cell.kubernetesVersion,
    kindVersion: result.cell.kindVersion,
    capabilities: supported,
    unsupportedFeatures: CAPABILITIES.filter((c) => !supported.includes(c)),
    result: overall,
    ...(result.error === undefined ? {} : { error: { ...result.error } }),
    suites,
  };
}

function suiteConformance(tests: readonly TestResult[]): SuiteConformance {
  const count = (status: TestResult['status']) => tests.filter((t) => t.status === status).length;
  const statistics = { passed: count('pass'), failed: count('fail'), errored: count('error'), skipped: count('unsupported'), flaky: count('flaky') };
  const result: ConformanceResult = statistics.failed + statistics.errored > 0 ? 'failure' : statistics.skipped > 0 ? 'partial' : 'success';
  return {
    result,
    statistics,
    failedTests: tests.filter((t) => t.status === 'fail' || t.status === 'error').map((t) => t.name),
    flakyTests: tests.filter((t) => t.status === 'flaky').map((t) => t.name),
    skippedTests: tests.filter((t) => t.status === 'unsupported').map((t) => ({ name: t.name, reason: t.detail ?? 'unsupported' })),
  };
}

export function conformanceReportPath(runDir: string, cellId: string): string {
  return join(runDir, 'conformance', `${cellId}.yaml`);
}

/** Writes reports/<run-id>/conformance/<cell>.yaml and returns its path. */
export async function writeConformanceReport(runDir: string, result: CellResult): Promise<string> {
  const path = conformanceReportPath(runDir, result.cell.id);
  await mkdir(join(runDir, 'conformance'), { recursive: true });
  await writeFile(path, stringify(buildConformanceReport(result), { lineWidth: 0 }), 'utf8');
  return path;
}
