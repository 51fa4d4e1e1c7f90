// The configuration flags shared by every command that plans cells (plan, doctor, run, images).
// They are built from the configuration reference so --help, README and parsing always agree.
// No flag has a commander default: an absent flag must not hide the value in the config file.

import { Command, Option } from 'commander';
import {
  CONFIG_FILE_FLAG,
  documentedConfig,
  TIMEOUT_FLAG_DESCRIPTION,
  type ConfigFlags,
} from '../config/index.ts';

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Adds --config and every configuration flag to `command`. */
export function addConfigFlags(command: Command): Command {
  command.addOption(new Option(CONFIG_FILE_FLAG.spec, CONFIG_FILE_FLAG.description));
  const added = new Set<string>();
  for (const option of documentedConfig) {
    const flag = option.flag;
    if (flag === undefined || added.has(flag.spec)) continue;
    added.add(flag.spec);
    if (flag.repeatable === true) {
      command.addOption(new Option(flag.spec, TIMEOUT_FLAG_DESCRIPTION).argParser(collect));
      continue;
    }
    command.addOption(new Option(flag.spec, `${option.description} (default: ${option.default})`));
    if (flag.negation !== undefined) command.addOption(new Option(flag.negation, `turn off ${flag.spec} (overrides \`${option.key}: true\` in the config file)`));
  }
  return command;
}

/** The configuration flags out of a command's parsed options. */
export function configFlagsFrom(options: Record<string, unknown>): ConfigFlags {
  const flags: ConfigFlags = {};
  const strings = ['config', 'cni', 'proxyMode', 'suites', 'parallel', 'keep', 'reportsDir', 'runId', 'nodeImage', 'workers', 'kubeconfig'] as const;
  for (const key of strings) {
    const value = options[key];
    if (typeof value === 'string') flags[key] = value;
  }
  for (const key of ['strict', 'reuse', 'preload'] as const) {
    const value = options[key];
    if (typeof value === 'boolean') flags[key] = value;
  }
  if (Array.isArray(options.timeout)) flags.timeout = options.timeout.filter((entry): entry is string => typeof entry === 'string');
  return flags;
}
