// Everything a finished run writes next to its per-cell JUnit files.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CellResult } from '../model/results.ts';
import { writeConformanceReport } from './conformance.ts';
import { renderHtml } from './html.ts';
import { writeCombinedJUnit } from './junit-write.ts';
import { renderMarkdown } from './markdown.ts';
import { buildMatrix } from './matrix.ts';
import type { Matrix, RunInfo } from './matrix.ts';

export interface RunReportPaths {
  matrixJson: string;
  matrixMarkdown: string;
  matrixHtml: string;
  junit: string;
  conformance: string[];
}

/** Writes matrix.json, matrix.md, matrix.html, the combined junit.xml and conformance summaries. */
export async function writeRunReports(runDir: string, results: readonly CellResult[], run: RunInfo): Promise<RunReportPaths & { matrix: Matrix }> {
  const matrix = buildMatrix(results, run);
  const paths = await writeMatrixFiles(runDir, matrix);
  const junit = await writeCombinedJUnit(runDir, results);
  const conformance: string[] = [];
  for (const result of results) conformance.push(await writeConformanceReport(runDir, result));
  return { ...paths, junit, conformance, matrix };
}

/** Writes the three renderings of a matrix into outDir. */
export async function writeMatrixFiles(outDir: string, matrix: Matrix): Promise<Pick<RunReportPaths, 'matrixJson' | 'matrixMarkdown' | 'matrixHtml'>> {
  await mkdir(outDir, { recursive: true });
  const matrixJson = join(outDir, 'matrix.json');
  const matrixMarkdown = join(outDir, 'matrix.md');
  const matrixHtml = join(outDir, 'matrix.html');
  await writeFile(matrixJson, `${JSON.stringify(matrix, null, 2)}\n`, 'utf8');
  await writeFile(matrixMarkdown, renderMarkdown(matrix), 'utf8');
  await writeFile(matrixHtml, renderHtml(matrix), 'utf8');
  return { matrixJson, matrixMarkdown, matrixHtml };
}
