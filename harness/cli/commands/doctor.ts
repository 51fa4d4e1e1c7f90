// `cnimatrix doctor`: checks that this machine can run the planned cells.

import { Command } from 'commander';
import { loadConfig, toPlanRequest } from '../../config/index.ts';
import { doctorExitCode, renderDoctorReport, runDoctor, systemProbes } from '../../doctor/index.ts';
import { CnimatrixError, ExitCode } from '../../model/errors.ts';
import { buildPlan } from '../../plan/index.ts';
import { addConfigFlags, configFlagsFrom, PLANNING_KEYS } from '../config-flags.ts';

export function doctorCommand(): Command {
  const command = new Command('doctor').description(
    'check Docker, kind, kernel modules, inotify limits and memory for the planned cells (exit code 3 when something required is missing)',
  );
  return addConfigFlags(command, [...PLANNING_KEYS, 'parallel']).action(async (options: Record<string, unknown>) => {
    const config = loadConfig({ cwd: process.cwd(), flags: configFlagsFrom(options) });
    const plan = buildPlan(toPlanRequest(config));
    const report = await runDoctor(
      {
        cells: plan.cells,
        nodesPerCluster: Math.max(1, ...plan.cells.map((cell) => cell.kindConfig.nodes.length)),
        parallel: config.parallel,
        kindMinVersion: plan.kindMinVersion,
      },
      systemProbes(),
    );
    process.stdout.write(renderDoctorReport(report));
    if (doctorExitCode(report) !== ExitCode.ok) {
      const missing = report.checks.filter((check) => check.status === 'missing').map((check) => check.name);
      throw new CnimatrixError(`missing: ${missing.join(', ')}`, {
        exitCode: ExitCode.environmentMissing,
        hint: 'each MISSING line above says how to fix it',
      });
    }
  });
}
