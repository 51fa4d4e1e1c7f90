// The plan: request -> cells (with kind configs, steps, prerequisites) + unsupported with reasons.

export { buildPlan, defaultCacheDir, hostArch, DEFAULT_WORKERS } from './build.ts';
export { clusterNameFor, validateRunId, CLUSTER_PREFIX, MAX_CLUSTER_NAME } from './cluster-name.ts';
export { buildKindConfig, renderKindConfig, validateKindConfig, parseCidr, KIND_API_VERSION, DEFAULT_SERVICE_SUBNET } from './kind-config.ts';
export type { KindConfig, KindConfigInput, KindMount, KindNode } from './kind-config.ts';
export { renderPlan, PLAN_FORMATS, type PlanFormat } from './render.ts';
export { PLAN_SCHEMA_VERSION } from './types.ts';
export type { Plan, PlanRequest, PlannedCell, PlannedIngress, PlannedPrepareStep, RefusedCell, UnsupportedCell } from './types.ts';
export { describePinProblems, pinProblems, type PinProblem } from './pin-check.ts';
export { refusedCellsError } from './refusal.ts';
