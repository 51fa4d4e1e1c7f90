// `cnimatrix clean`: deletes kind clusters that cnimatrix runs left behind (interrupted runs,
// --keep), never clusters it did not name.

import { Command, Option } from 'commander';
import { RUN_ID_PATTERN } from '../../config/index.ts';
import { cleanClusters, createKind } from '../../kind/index.ts';
import { BadInputError, CnimatrixError, ExitCode } from '../../model/errors.ts';
import { CLUSTER_PREFIX } from '../../plan/index.ts';
import { counted } from '../../model/count.ts';

export function cleanCommand(): Command {
  return new Command('clean')
    .description(`delete leftover kind clusters named ${CLUSTER_PREFIX}<run-id>-<cell>; other clusters are never touched`)
    .addOption(new Option('--run <id>', 'only the clusters of this run id'))
    .addOption(new Option('--dry-run', 'list the clusters that would be deleted, delete nothing'))
    .action(async (options: { run?: string; dryRun?: boolean }) => {
      if (options.run !== undefined && !RUN_ID_PATTERN.test(options.run)) {
        throw new BadInputError(
          `--run: invalid run id "${options.run}"`,
          'run ids are lowercase letters, digits and inner hyphens, as in the reports/<run-id> folder names',
        );
      }
      const result = await cleanClusters(createKind(), {
        ...(options.run === undefined ? {} : { runId: options.run }),
        dryRun: options.dryRun === true,
      });
      const scope = options.run === undefined ? 'cnimatrix clusters' : `clusters of run ${options.run}`;
      if (result.deleted.length === 0 && result.failed.length === 0) process.stdout.write(`no ${scope} found\n`);
      for (const name of result.deleted) process.stdout.write(`${options.dryRun === true ? 'would delete' : 'deleted'} ${name}\n`);
      for (const { name, error } of result.failed) process.stderr.write(`could not delete ${name}: ${error.message}\n`);
      if (result.failed.length > 0) {
        throw new CnimatrixError(`${counted(result.failed.length, 'cluster')} could not be deleted`, {
          exitCode: result.failed.every((failure) => failure.error.exitCode === ExitCode.environmentMissing)
            ? ExitCode.environmentMissing
            : ExitCode.infrastructure,
          hint: result.failed[0]?.error.hint ?? 'retry `cnimatrix clean`',
        });
      }
    });
}
