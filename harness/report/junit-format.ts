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

/** Testcase properties. */
export const CaseProperty = {
  /** On a passed testcase: the test passed only after re-probing; value = what flipped. */
  flaky: 'flaky',
  /** On the cell-error testcase: the phase that failed and the hint shown to the user. */
  phase: 'phase',
  hint: 'hint',
} as const;

export const UNSUPPORTED_PREFIX = 'unsupported';

/** The `<skipped message>` of an unsupported test: "unsupported: <reason>" or "unsupported". */
export function unsupportedMessage(detail: string | undefined): string {
  return detail === undefined || detail === '' ? UNSUPPORTED_PREFIX : `${UNSUPPORTED_PREFIX}: ${detail}`;
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
