// Reports of a run: JUnit per cell, the matrix (JSON, Markdown, HTML), conformance summaries
// and diffs between runs.
export { buildCellJUnit, buildCombinedJUnit, cellJUnitPath, combinedJUnitPath, writeCellJUnit, writeCombinedJUnit } from './junit-write.ts';
export { JUnitReadError, readCellJUnit, readJUnitCells } from './junit-read.ts';
export type { ReadJUnitOptions } from './junit-read.ts';
export { buildMatrix, MATRIX_SCHEMA_VERSION, matrixHasFailures, mergedRunInfo, parseMatrix } from './matrix.ts';
export type { Matrix, MatrixCell, MatrixResult, MatrixTest, RunInfo, StatusCounts } from './matrix.ts';
export { renderMarkdown } from './markdown.ts';
export { renderHtml } from './html.ts';
export { buildConformanceReport, conformanceReportPath, writeConformanceReport } from './conformance.ts';
export type { ConformanceReport } from './conformance.ts';
export { writeMatrixFiles, writeRunReports } from './run-reports.ts';
export type { RunReportPaths } from './run-reports.ts';
export { collectRunCells } from './collect.ts';
export { loadMatrix } from './load-matrix.ts';
export { diffMatrices, hasRegressions, renderDiffMarkdown } from './diff.ts';
export type { MatrixDiff, ResultChange } from './diff.ts';
export { cnimatrixVersion } from './version.ts';
