// The configuration flags shared by every command that plans cells (plan, doctor, run, images).
// They are built from the configuration reference so --help, README and parsing always agree.
// No flag has a commander default: an absent flag must not hide the value in the config file.

import { Command, InvalidArgumentError, Option } from 'commander';
import {
  CONFIG_FILE_FLAG,
  documentedConfig,
  TIMEOUT_FLAG_DESCRIPTION,
  type ConfigFlags,
} from '../config/index.ts';

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

const SWITCH_VALUES: Record<string, boolean> = { true: true, false: false, yes: true, no: false, '1': true, '0': false };

function parseSwitch(spec: string): (value: string) => boolean {
  return (value) => {
    const parsed = SWITCH_VALUES[value.toLowerCase()];
    if (parsed === undefined) throw new InvalidArgumentError(`${spec} takes true or false, not "${value}".`);
    return parsed;
  };
}

/** The settings that decide which cells are planned and what they need: all plan, doctor and images read. */
export const PLANNING_KEYS = ['cnis', 'proxyModes', 'suites', 'nodeImage', 'workers', 'upgrades'] as const;

/**
 * Adds --config and the flags of the configuration keys `keys` (every key when omitted) to
 * `command`, so a command offers only the flags it acts on.
 */
export function addConfigFlags(command: Command, keys?: readonly string[]): Command {
  command.addOption(new Option(CONFIG_FILE_FLAG.spec, CONFIG_FILE_FLAG.description));
  const added = new Set<string>();
  for (const option of documentedConfig) {
    const flag = option.flag;
    if (flag === undefined || added.has(flag.spec) || (keys !== undefined && !keys.includes(option.key))) continue;
    added.add(flag.spec);
    if (flag.repeatable === true) {
      command.addOption(new Option(flag.spec, TIMEOUT_FLAG_DESCRIPTION).argParser(collect));
      continue;
    }
    if (flag.negation === undefined) {
      command.addOption(new Option(flag.spec, `${option.description} (default: ${option.default})`));
      continue;
    }
    // A switch also takes an explicit value (--strict=false), as scripts and CI templates write it.
    command.addOption(new Option(`${flag.spec} [true|false]`, `${option.description} (default: ${option.default})`).argParser(parseSwitch(flag.spec)));
    command.addOption(new Option(flag.negation, `turn off ${flag.spec} (overrides \`${option.key}: true\` in the config file)`));
  }
  return command;
}

/** The configuration flags out of a command's parsed options. */
export function configFlagsFrom(options: Record<string, unknown>): ConfigFlags {
  const flags: ConfigFlags = {};
  const strings = ['config', 'cni', 'proxyMode', 'suites', 'parallel', 'keep', 'reportsDir', 'runId', 'nodeImage', 'workers', 'probeConcurrency', 'kubeconfig', 'upgrade', 'upgradeMaxGap'] as const;
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
