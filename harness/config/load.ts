// Loads cnimatrix.config.yaml, lays the command-line flags over it and fills in defaults.

import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { BadInputError } from '../model/errors.ts';
import { CNI_NAMES, PROXY_MODES, SUITE_NAMES, type CniName, type ProxyMode, type SuiteName, type UpgradeRequest } from '../model/cell.ts';
import { DEFAULT_WORKERS } from '../plan/index.ts';
import { DEFAULT_PROBE_CONCURRENCY } from '../probe/batch.ts';
import { DEFAULT_UPGRADE_MAX_GAP_MS } from '../upgrade/thresholds.ts';
import { didYouMean } from './suggest.ts';
import { DEFAULT_CONFIG_FILE } from './reference.ts';
import {
  configFileSchema,
  durationSchema,
  TIMEOUT_PHASES,
  TIMEOUT_PHASE_NAMES,
  type ConfigFile,
  type KeepPolicy,
  type ManifestOverride,
  type TimeoutPhase,
} from './schema.ts';

/** Flags as commander hands them over: raw strings, validated here like file values. */
export interface ConfigFlags {
  config?: string;
  cni?: string;
  proxyMode?: string;
  suites?: string;
  parallel?: string;
  keep?: string;
  strict?: boolean;
  reportsDir?: string;
  runId?: string;
  nodeImage?: string;
  workers?: string;
  probeConcurrency?: string;
  timeout?: string[];
  kubeconfig?: string;
  reuse?: boolean;
  preload?: boolean;
  upgrade?: string;
  upgradeMaxGap?: string;
}

export interface Config {
  /** Absolute path of the configuration file that was read, if any. */
  configFile: string | undefined;
  runId: string;
  cnis: CniName[];
  proxyModes: ProxyMode[];
  suites: SuiteName[];
  parallel: number | 'auto';
  keep: KeepPolicy;
  strict: boolean;
  /** Absolute. */
  reportsDir: string;
  nodeImage: string | undefined;
  workers: number;
  /** Probe processes at once per cell (suites get it as CNIMATRIX_PROBE_CONCURRENCY). */
  probeConcurrency: number;
  /** Milliseconds per phase. */
  timeouts: Record<TimeoutPhase, number>;
  /** Absolute path of an existing cluster's kubeconfig; cnimatrix then creates no clusters. */
  kubeconfig: string | undefined;
  reuse: boolean;
  preload: boolean;
  overrides: { manifests: Record<string, ManifestOverride> };
  /** Upgrade cells to run, in every proxy mode of the run. */
  upgrades: UpgradeRequest[];
  /** Longest gap in a monitored path an upgrade may cause and still pass, in milliseconds. */
  upgradeMaxGapMs: number;
}

export interface LoadConfigOptions {
  cwd: string;
  /** Configuration file; when absent, ./cnimatrix.config.yaml is read if it exists. */
  file?: string;
  flags?: ConfigFlags;
  /** Clock for the generated run id. */
  now?: Date;
}

/** Which flag sets which key: error messages name the flag the user typed. */
const FLAG_KEYS = {
  cni: ['--cni', 'cnis'],
  proxyMode: ['--proxy-mode', 'proxyModes'],
  suites: ['--suites', 'suites'],
  parallel: ['--parallel', 'parallel'],
  keep: ['--keep', 'keep'],
  strict: ['--strict', 'strict'],
  reportsDir: ['--reports-dir', 'reportsDir'],
  runId: ['--run-id', 'runId'],
  nodeImage: ['--node-image', 'nodeImage'],
  workers: ['--workers', 'workers'],
  probeConcurrency: ['--probe-concurrency', 'probeConcurrency'],
  kubeconfig: ['--kubeconfig', 'kubeconfig'],
  reuse: ['--reuse', 'reuse'],
  preload: ['--preload', 'preload'],
  upgrade: ['--upgrade', 'upgrades'],
  upgradeMaxGap: ['--upgrade-max-gap', 'upgradeMaxGap'],
} as const satisfies Record<Exclude<keyof ConfigFlags, 'config' | 'timeout'>, readonly [string, keyof ConfigFile]>;

export function loadConfig(options: LoadConfigOptions): Config {
  const flags = options.flags ?? {};
  const { file, values: fromFile } = readConfigFile(options.cwd, options.file ?? flags.config);
  const fromFlags = parseFlags(flags);
  const merged: ConfigFile = {
    ...fromFile,
    ...fromFlags,
    timeouts: { ...fromFile.timeouts, ...fromFlags.timeouts },
  };
  const config: Config = {
    configFile: file,
    runId: merged.runId ?? generateRunId(options.now ?? new Date()),
    // Upgrade cells alone unless CNIs are named too: `--upgrade flannel:a..b` is not also every CNI.
    cnis: merged.cnis ?? (merged.upgrades === undefined ? [...CNI_NAMES] : []),
    proxyModes: merged.proxyModes ?? [...PROXY_MODES],
    suites: merged.suites ?? [...SUITE_NAMES],
    parallel: merged.parallel ?? 'auto',
    keep: merged.keep ?? 'none',
    strict: merged.strict ?? false,
    reportsDir: path.resolve(options.cwd, merged.reportsDir ?? 'reports'),
    nodeImage: merged.nodeImage,
    workers: merged.workers ?? DEFAULT_WORKERS,
    probeConcurrency: merged.probeConcurrency ?? DEFAULT_PROBE_CONCURRENCY,
    timeouts: Object.fromEntries(
      TIMEOUT_PHASE_NAMES.map((phase) => [phase, merged.timeouts?.[phase] ?? TIMEOUT_PHASES[phase].defaultMs]),
    ) as Record<TimeoutPhase, number>,
    kubeconfig: merged.kubeconfig === undefined ? undefined : path.resolve(options.cwd, merged.kubeconfig),
    reuse: merged.reuse ?? false,
    preload: merged.preload ?? false,
    overrides: { manifests: merged.overrides?.manifests ?? {} },
    upgrades: merged.upgrades ?? [],
    upgradeMaxGapMs: merged.upgradeMaxGap ?? DEFAULT_UPGRADE_MAX_GAP_MS,
  };
  checkCombinations(config);
  return config;
}

/** `YYYYMMDD-HHMMSS` in UTC. */
export function generateRunId(now: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return (
    `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}-` +
    `${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`
  );
}

function readConfigFile(cwd: string, explicit: string | undefined): { file: string | undefined; values: ConfigFile } {
  const file = path.resolve(cwd, explicit ?? DEFAULT_CONFIG_FILE);
  if (!existsSync(file)) {
    if (explicit === undefined) return { file: undefined, values: {} };
    throw new BadInputError(`config file not found: ${file}`, `check the --config path, or omit it to use ./${DEFAULT_CONFIG_FILE} or the defaults`);
  }
  if (statSync(file).isDirectory()) throw new BadInputError(`config file ${file} is a directory`, 'pass the path of a YAML file to --config');
  const label = path.relative(cwd, file) || file;
  let data: unknown;
  try {
    data = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    if (!(error instanceof YAMLParseError)) throw error;
    const position = error.linePos?.[0];
    const where = position === undefined ? label : `${label}:${position.line}:${position.col}`;
    // The library appends the position and a source excerpt; the position is already in front.
    const reason = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '');
    throw new BadInputError(`${where}: invalid YAML: ${reason}`, 'fix the YAML syntax at that line and column');
  }
  const result = configFileSchema.safeParse(data ?? {});
  if (!result.success) {
    const lines = result.error.issues.flatMap((issue) => {
      const where = issue.path.length === 0 ? label : `${label}: ${formatPath(issue.path)}`;
      return issue.message.split('\n').map((line) => `${where}: ${line}`);
    });
    throw new BadInputError(lines.join('\n'), `see the configuration reference in README.md`);
  }
  return { file, values: result.data };
}

function parseFlags(flags: ConfigFlags): ConfigFile {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, [flag, key]] of Object.entries(FLAG_KEYS)) {
    const raw = flags[name as keyof typeof FLAG_KEYS];
    if (raw === undefined) continue;
    const result = (configFileSchema.shape[key] as z.ZodType).safeParse(raw);
    if (result.success) values[key] = result.data;
    else problems.push(...result.error.issues.map((issue) => `${flag}: ${issue.message}`));
  }
  if (flags.timeout !== undefined && flags.timeout.length > 0) {
    const timeouts: Record<string, number> = {};
    for (const entry of flags.timeout) {
      const [phase, duration] = splitOnce(entry, '=');
      if (!(TIMEOUT_PHASE_NAMES as string[]).includes(phase)) {
        problems.push(`--timeout: unknown phase "${phase}" in "${entry}"; known: ${TIMEOUT_PHASE_NAMES.join(', ')}${didYouMean(phase, TIMEOUT_PHASE_NAMES)}`);
        continue;
      }
      const result = durationSchema.safeParse(duration ?? '');
      if (result.success) timeouts[phase] = result.data;
      else problems.push(`--timeout: ${phase}: ${result.error.issues.map((issue) => issue.message).join('; ')}`);
    }
    values.timeouts = timeouts;
  }
  if (problems.length > 0) throw new BadInputError(problems.join('\n'), 'run the command with --help to see every flag and its values');
  return values as ConfigFile;
}

function checkCombinations(config: Config): void {
  if (config.reuse && config.upgrades.length > 0) {
    throw new BadInputError(
      'reuse (--reuse) and upgrades (--upgrade) cannot be combined: a reused upgrade cell would already run the version it upgrades to, so the upgrade would replace nothing',
      'drop --reuse for the run with --upgrade',
    );
  }
  if (config.kubeconfig === undefined) return;
  if (!existsSync(config.kubeconfig)) {
    throw new BadInputError(`kubeconfig (--kubeconfig) file not found: ${config.kubeconfig}`, 'pass the path of an existing kubeconfig file');
  }
  if (config.upgrades.length > 0) {
    throw new BadInputError(
      'kubeconfig (--kubeconfig) and upgrades (--upgrade) cannot be combined: an upgrade cell installs its CNI twice, and cnimatrix installs nothing on a cluster it did not create',
      'drop --upgrade, or drop --kubeconfig to let cnimatrix create the upgrade cell',
    );
  }
  if (config.reuse) {
    throw new BadInputError(
      'kubeconfig (--kubeconfig) and reuse (--reuse) cannot be combined: --kubeconfig already names the cluster to test',
      'drop one of them',
    );
  }
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const index = text.indexOf(separator);
  return index < 0 ? [text, undefined] : [text.slice(0, index), text.slice(index + 1)];
}

function formatPath(segments: readonly PropertyKey[]): string {
  return segments
    .map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : index === 0 ? String(segment) : `.${String(segment)}`))
    .join('');
}
