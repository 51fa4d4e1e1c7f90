// Every subcommand of cnimatrix, in the order --help lists them.

import type { Command } from 'commander';
import { cleanCommand } from './clean.ts';
import { diffCommand } from './diff.ts';
import { doctorCommand } from './doctor.ts';
import { imagesCommand } from './images.ts';
import { pinsCommand } from './pins.ts';
import { planCommand } from './plan.ts';
import { policyCommand } from './policy.ts';
import { reportCommand } from './report.ts';
import { runCommand } from './run.ts';

export function allCommands(): Command[] {
  return [
    runCommand(),
    planCommand(),
    doctorCommand(),
    imagesCommand(),
    cleanCommand(),
    policyCommand(),
    reportCommand(),
    diffCommand(),
    pinsCommand(),
  ];
}
