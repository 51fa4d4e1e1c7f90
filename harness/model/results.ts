import { SUITE_NAMES, type Capability, type CniName, type ProxyMode, type SuiteName } from './cell.ts';

/** The checks an upgrade cell's upgrade-cni action makes (not a jest suite: the disruption monitor's verdicts). */
export const UPGRADE_SUITE = 'upgrade';

/** Where a suite's checks go in every report: the upgrade's first (it runs before the suites), then SUITE_NAMES, then any other. */
export function reportSuiteOrder(suite: string): number {
  const index = [UPGRADE_SUITE, ...SUITE_NAMES].indexOf(suite);
  return index < 0 ? SUITE_NAMES.length + 1 : index;
}

export const TEST_STATUSES = ['pass', 'fail', 'flaky', 'unsupported', 'error'] as const;
/**
 * pass: behaved as expected · fail: a real deviation, with a readable diff · flaky: passed only
 * after re-probing (the flip is recorded) · unsupported: the cell's profile lacks a needed
 * capability · error: the test could not run (cluster not created, harness error).
 */
export type TestStatus = (typeof TEST_STATUSES)[number];

export interface TestResult {
  suite: SuiteName | typeof UPGRADE_SUITE;
  /** Full test title without the suite name, e.g. "same node › TCP". Stable across runs. */
  name: string;
  status: TestStatus;
  durationMs: number;
  /** fail/error: the readable failure (truth tables, expected vs got). */
  message?: string;
  /** unsupported: why; flaky: what flipped before it settled. */
  detail?: string;
  /** When the test's suite began (the JUnit testsuite timestamp); absent: the cell's start. */
  suiteStartedAt?: string;
  /** What the check measured, by name (e.g. longest gap in ms), whatever its verdict. */
  figures?: Record<string, string>;
}

/** The named actions of a cell's lifecycle, in order. */
export const PHASES = [
  'create-cluster',
  'install-cni',
  'wait-ready',
  'install-ingress',
  'verify-proxy-mode',
  'probe-capabilities',
  'upgrade-cni',
  'run-suites',
  'collect',
  'delete-cluster',
] as const;
export type PhaseName = (typeof PHASES)[number];

export interface PhaseTiming {
  phase: PhaseName;
  status: 'ok' | 'failed' | 'skipped';
  startedAt: string;
  durationMs: number;
  error?: string;
}

export interface CellMeta {
  id: string;
  cni: CniName;
  cniVersion: string;
  proxyMode: ProxyMode;
  /**
   * The capabilities the cell's profile declares (as planned: an existing cluster without an nginx
   * IngressClass is planned without ingress), whatever the live cluster turned out to have.
   */
  capabilities: Capability[];
  /**
   * Declared capabilities the live cluster was probed not to have (probe-capabilities), each with
   * the evidence; absent when the probe found none missing or did not run. What the cell could
   * test is `capabilities` less these; keeping the two apart tells where each capability came from.
   */
  probedAbsent?: Partial<Record<Capability, string>>;
  kindVersion: string;
  kubernetesVersion: string;
  nodeImage: string;
  clusterName: string;
  host: string;
}

export interface CellResult {
  runId: string;
  cell: CellMeta;
  startedAt: string;
  finishedAt: string;
  phases: PhaseTiming[];
  tests: TestResult[];
  /** Set when the cell could not run its suites (e.g. cluster creation failed). */
  error?: { phase: PhaseName; message: string; hint?: string };
}

/** One line of the CNIMATRIX_ANNOTATIONS file written by suites. */
export interface Annotation {
  suite: SuiteName;
  name: string;
  kind: 'unsupported' | 'flaky';
  detail: string;
}
