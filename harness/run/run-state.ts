// run.json: what a run was asked to do, so `cnimatrix run --resume RUN_DIR` can finish it with
// the same settings, running only the cells whose JUnit is missing.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/index.ts';
import { BadInputError } from '../model/errors.ts';

export const RUN_STATE_FILE = 'run.json';

/**
 * The settings that define a run's cells and results (not how fast or where it runs). `preload` is
 * one of them: on a machine that cannot pull, the images reach the nodes only that way.
 */
export type RunState = Pick<
  Config,
  'runId' | 'cnis' | 'proxyModes' | 'suites' | 'strict' | 'workers' | 'nodeImage' | 'overrides' | 'timeouts' | 'preload' | 'upgrades' | 'upgradeMaxGapMs'
> & { startedAt: string };

export async function writeRunState(runDir: string, config: Config, startedAt: string): Promise<void> {
  const state: RunState = {
    runId: config.runId,
    cnis: config.cnis,
    proxyModes: config.proxyModes,
    suites: config.suites,
    strict: config.strict,
    workers: config.workers,
    nodeImage: config.nodeImage,
    overrides: config.overrides,
    timeouts: config.timeouts,
    preload: config.preload,
    upgrades: config.upgrades,
    upgradeMaxGapMs: config.upgradeMaxGapMs,
    startedAt,
  };
  await writeFile(join(runDir, RUN_STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
}

export async function readRunState(runDir: string): Promise<RunState> {
  const file = join(runDir, RUN_STATE_FILE);
  if (!existsSync(file)) {
    throw new BadInputError(
      `--resume ${runDir}: no ${RUN_STATE_FILE} there`,
      'give the folder of an earlier run, e.g. reports/20260314-093000',
    );
  }
  try {
    return JSON.parse(await readFile(file, 'utf8')) as RunState;
  } catch (error) {
    throw new BadInputError(`--resume ${runDir}: ${RUN_STATE_FILE} is not valid JSON (${(error as Error).message})`);
  }
}

/** The settings of a resumed run: the earlier run's cells and results, today's speed settings. */
export function resumedConfig(config: Config, state: RunState): Config {
  return {
    ...config,
    runId: state.runId,
    cnis: state.cnis,
    proxyModes: state.proxyModes,
    suites: state.suites,
    strict: state.strict,
    workers: state.workers,
    nodeImage: state.nodeImage,
    overrides: state.overrides,
    // A run.json written before a phase had its own deadline: that phase's deadline today.
    timeouts: { ...config.timeouts, ...state.timeouts },
    // A run.json written before preload was kept there: today's setting.
    preload: state.preload ?? config.preload,
    // Written before upgrade cells existed: the run had none.
    upgrades: state.upgrades ?? [],
    upgradeMaxGapMs: state.upgradeMaxGapMs ?? config.upgradeMaxGapMs,
  };
}
