export { loadConfig, generateRunId, type Config, type ConfigFlags, type LoadConfigOptions } from './load.ts';
export { toPlanRequest } from './plan-request.ts';
export { resolveParallel, MEMORY_PER_NODE_BYTES, type HostCapacity } from './parallelism.ts';
export { parseDuration, formatDuration } from './duration.ts';
export {
  documentedConfig,
  renderConfigReference,
  CONFIG_FILE_FLAG,
  DEFAULT_CONFIG_FILE,
  TIMEOUT_FLAG_DESCRIPTION,
  type ConfigOptionDoc,
  type FlagDoc,
} from './reference.ts';
export {
  KEEP_POLICIES,
  TIMEOUT_PHASES,
  TIMEOUT_PHASE_NAMES,
  RUN_ID_PATTERN,
  RUN_ID_MAX_LENGTH,
  type KeepPolicy,
  type TimeoutPhase,
  type ManifestOverride,
} from './schema.ts';
