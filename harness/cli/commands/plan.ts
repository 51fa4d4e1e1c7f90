// `cnimatrix plan`: shows the cells a run would execute (and the unsupported and refused ones, with
// reasons) without touching Docker or kind.

import { Command, Option } from 'commander';
import { loadConfig, toPlanRequest } from '../../config/index.ts';
import { buildPlan, PLAN_FORMATS, refusedCellsError, renderPlan, type PlanFormat } from '../../plan/index.ts';
import { addConfigFlags, configFlagsFrom, PLANNING_KEYS } from '../config-flags.ts';

export function planCommand(): Command {
  const command = new Command('plan')
    .description('show the cells a run would execute, their kind configs and install steps, and the unsupported combinations with reasons')
    .addOption(new Option('--format <format>', 'output format').choices(PLAN_FORMATS).default('table'));
  return addConfigFlags(command, [...PLANNING_KEYS, 'parallel', 'runId']).action((options: Record<string, unknown>) => {
    const config = loadConfig({ cwd: process.cwd(), flags: configFlagsFrom(options) });
    const plan = buildPlan(toPlanRequest(config));
    process.stdout.write(renderPlan(plan, options.format as PlanFormat));
    // The plan is printed in full (refused cells included) before the refusal sets the exit code.
    if (plan.refused.length > 0) throw refusedCellsError(plan.refused);
  });
}
