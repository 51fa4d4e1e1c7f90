// The bridge from user configuration to the planner's input.

import type { PlanRequest } from '../plan/index.ts';
import type { Config } from './load.ts';

export function toPlanRequest(config: Config): PlanRequest {
  const manifests = config.overrides.manifests;
  return {
    runId: config.runId,
    cnis: config.cnis,
    proxyModes: config.proxyModes,
    suites: config.suites,
    workers: config.workers,
    ...(config.upgrades.length === 0 ? {} : { upgrades: config.upgrades }),
    ...(config.nodeImage === undefined ? {} : { nodeImage: config.nodeImage }),
    ...(Object.keys(manifests).length === 0 ? {} : { overrides: { manifests } }),
  };
}
