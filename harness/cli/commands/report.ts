// `cnimatrix report RUN_DIR... [--out DIR]`: rebuilds the matrix from the JUnit files of one or
// more run directories (partial runs, runs on several machines).
import { Command } from 'commander';
import { BadInputError } from '../../model/errors.ts';
import { collectRunCells } from '../../report/collect.ts';
import type { CommandIO } from '../../report/command-io.ts';
import { processIO } from '../../report/command-io.ts';
import { buildMatrix, mergedRunInfo } from '../../report/matrix.ts';
import { writeMatrixFiles } from '../../report/run-reports.ts';
import { cnimatrixVersion } from '../../report/version.ts';

export function reportCommand(io: CommandIO = processIO): Command {
  return new Command('report')
    .description('rebuild matrix.json, matrix.md and matrix.html from the JUnit files of one or more run directories; a cell found in several inputs is taken from the last one')
    .argument('<run-dirs...>', 'run directories (reports/<run-id>) whose junit/*.xml to read')
    .option('--out <dir>', 'where to write the matrix files (default: the run directory when only one is given)')
    .action(async (runDirs: string[], options: { out?: string }) => {
      const [onlyDir] = runDirs;
      const out = options.out ?? (runDirs.length === 1 ? onlyDir : undefined);
      if (out === undefined) throw new BadInputError(`--out is required when reporting ${runDirs.length} run directories`, 'add --out DIR');
      const { cells, notes, files } = await collectRunCells(runDirs);
      for (const note of notes) io.stderr(`note: ${note}\n`);
      const matrix = buildMatrix(cells, mergedRunInfo(cells, cnimatrixVersion()));
      const paths = await writeMatrixFiles(out, matrix);
      io.stdout(`read ${files.length} JUnit files, ${cells.length} cells, ${matrix.tests.length} tests\n`);
      io.stdout(`wrote ${paths.matrixJson}\nwrote ${paths.matrixMarkdown}\nwrote ${paths.matrixHtml}\n`);
    });
}
