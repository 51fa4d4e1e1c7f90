// The names cnimatrix gives to things in its JUnit files, shared by the writer and the reader so
// that a file written by one always reads back through the other (docs/junit.md).

/** Name of the testsuite that carries a cell-level error (the cell could not run its suites). */
export const CELL_SUITE = 'cnimatrix';

/** Testsuite properties describing the cell; present on every testsuite cnimatrix writes. */
export const CellProperty = {
  cellId: 'cnimatrix.cell',
  suite: 'cnimatrix.suite',
  cnimatrixVersion: 'cnimatrix.version',
  runId: 'run.id',
  cni: 'cni',
  cniVersion: 'cni.version',
  proxyMode: 'proxy.mode',
  kindVersion: 'kind.version',
  kubernetesVersion: 'kubernetes.version',
  nodeImage: 'node.image',
  clusterName: 'cluster.name',
  host: 'host',
  capabilities: 'capabilities',
  startedAt: 'cell.startedAt',
  finishedAt: 'cell.finishedAt',
} as const;

/** Per-phase testsuite properties: phase.<name>.ms, .status, .startedAt and .error. */
export function phaseProperty(phase: string, field: 'ms' | 'status' | 'startedAt' | 'error'): string {
  return `phase.${phase}.${field}`;
}
export const PHASE_PROPERTY = /^phase\.([a-z-]+)\.(ms|status|startedAt|error)$/;

/**
 * Per-capability testsuite property, written only for a declared capability the live cluster was
 * probed not to have: capability.<name>.probedAbsent = the evidence. One property each, like the
 * phases, so a JUnit viewer shows every capability's evidence on its own line.
 */
export function probedAbsentProperty(capability: string): string {
  return `capability.${capability}.probedAbsent`;
}
/** Any name between the dots, so a misspelt capability is refused rather than ignored. */
export const PROBED_ABSENT_PROPERTY = /^capability\.(.+)\.probedAbsent$/;

/** Testcase properties. */
export const CaseProperty = {
  /** On a passed testcase: the test passed only after re-probing; value = what flipped. */
  flaky: 'flaky',
  /** On the cell-error testcase: the phase that failed and the hint shown to the user. */
  phase: 'phase',
  hint: 'hint',
} as const;

/** Testcase property per measured figure, whatever the verdict: measured.<name> = value. */
export const FIGURE_PROPERTY_PREFIX = 'measured.';

export const UNSUPPORTED_PREFIX = 'unsupported';

/**
 * Starts the reason of a check the user switched off (e.g. CNIMATRIX_EXTERNAL_CLIENT=off): it is
 * reported as is, so an opt-out never reads like a capability the CNI lacks.
 */
export const OPT_OUT_PREFIX = 'skipped:';

/** The `<skipped message>` of an unsupported test: "unsupported: <reason>", "unsupported", or an opt-out's own reason. */
export function unsupportedMessage(detail: string | undefined): string {
  if (detail === undefined || detail === '') return UNSUPPORTED_PREFIX;
  return detail.startsWith(OPT_OUT_PREFIX) ? detail : `${UNSUPPORTED_PREFIX}: ${detail}`;
}

export function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}

/** How a hint is appended to the body of the cell-error testcase. */
export function hintSuffix(hint: string): string {
  return `\n\nhint: ${hint}`;
}

/** Testsuite name in every JUnit file: "<cell>/<suite>", unique across a combined file. */
export function testsuiteName(cellId: string, suite: string): string {
  return `${cellId}/${suite}`;
}
