// Where a cell's troubleshooting bundle is, relative to the matrix files. The run collects one for
// every cell with a failed phase or a failed or errored check (harness/run/actions/collect.ts).
import type { Matrix, MatrixCell } from './matrix.ts';

export function bundleLink(matrix: Matrix, cell: MatrixCell): string | undefined {
  const counts = matrix.summary[cell.id];
  const failed = cell.error !== undefined || (counts?.fail ?? 0) + (counts?.error ?? 0) > 0;
  return failed ? `artifacts/${encodeURIComponent(cell.id)}/README.md` : undefined;
}

/** Every cell's bundle link, keyed by cell id, for the HTML page. */
export function bundleLinks(matrix: Matrix): Record<string, string> {
  const links: Record<string, string> = {};
  for (const cell of matrix.cells) {
    const link = bundleLink(matrix, cell);
    if (link !== undefined) links[cell.id] = link;
  }
  return links;
}
