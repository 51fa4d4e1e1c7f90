// The NetworkPolicy engine: networking.k8s.io/v1 semantics, explanations, truth tables.
export * from './types.ts';
export { compilePolicies, evaluate } from './engine.ts';
export { parseScenario, parseScenarios } from './schema.ts';
export { renderTruthTable, renderComparison, diffCells, type CellDiff, type PartialTruthTable } from './table.ts';
export { selectorMatches, describeSelector } from './labels.ts';
