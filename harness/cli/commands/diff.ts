// `cnimatrix diff BASE CAND [--format md|json] [--out FILE]`: what got worse or better between
// two runs. Exit 1 on any regression, so it can gate an upgrade.
import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { BadInputError, CnimatrixError, ExitCode } from '../../model/errors.ts';
import type { CommandIO } from '../../report/command-io.ts';
import { processIO } from '../../report/command-io.ts';
import { diffMatrices, hasRegressions, renderDiffMarkdown } from '../../report/diff.ts';
import { loadMatrix } from '../../report/load-matrix.ts';
import { counted } from '../../model/count.ts';

const FORMATS = ['md', 'json'] as const;

export function diffCommand(io: CommandIO = processIO): Command {
  return new Command('diff')
    .description('compare two runs: regressions, fixes, flake changes, new/removed tests and cells; exits 1 on any regression')
    .argument('<base>', 'baseline run directory or matrix.json')
    .argument('<cand>', 'candidate run directory or matrix.json')
    .option('--format <format>', `output format: ${FORMATS.join(' or ')}`, 'md')
    .option('--out <file>', 'write the diff to this file instead of stdout')
    .action(async (basePath: string, candPath: string, options: { format: string; out?: string }) => {
      if (!(FORMATS as readonly string[]).includes(options.format)) {
        throw new BadInputError(`--format "${options.format}" is not one of ${FORMATS.join(', ')}`, 'use --format md or --format json');
      }
      const diff = diffMatrices(await loadMatrix(basePath), await loadMatrix(candPath));
      const text = options.format === 'json' ? `${JSON.stringify(diff, null, 2)}\n` : renderDiffMarkdown(diff);
      if (options.out === undefined) io.stdout(text);
      else {
        await writeFile(options.out, text, 'utf8');
        io.stdout(`wrote ${options.out}\n`);
      }
      if (hasRegressions(diff)) {
        throw new CnimatrixError(`${counted(diff.regressions.length, 'regression')} and ${counted(diff.brokenCells.length, 'broken cell')} between ${basePath} and ${candPath}`, {
          exitCode: ExitCode.testFailures,
        });
      }
    });
}
