// Renders a plan for people (table) or tools (json, yaml).

import YAML from 'yaml';
import { BadInputError } from '../model/errors.ts';
import type { Plan } from './types.ts';

export const PLAN_FORMATS = ['table', 'json', 'yaml'] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length))) ?? [];
  return rows
    .map((row) => row.map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col] ?? 0))).join('  ').trimEnd())
    .join('\n');
}

function renderTable(plan: Plan): string {
  const lines: string[] = [`Plan ${plan.runId}: kind >= ${plan.kindMinVersion}, node image ${plan.nodeImage}`, ''];
  if (plan.cells.length === 0) {
    lines.push('No supported cells.');
  } else {
    const header = ['CELL', 'CNI VERSION', 'PROXY MODE', 'CAPABILITIES', 'WARNINGS'];
    const rows = plan.cells.map((c) => [
      c.id,
      c.cniVersion,
      c.proxyMode,
      c.capabilities.length === 0 ? '-' : c.capabilities.join(','),
      c.warnings.length === 0 ? '-' : c.warnings.join(' | '),
    ]);
    lines.push(table([header, ...rows]));
  }
  if (plan.unsupported.length > 0) {
    lines.push('', 'Unsupported:');
    for (const u of plan.unsupported) lines.push(`  ${u.id}: ${u.reason}`);
  }
  if (plan.warnings.length > 0) {
    lines.push('', 'Warnings:');
    for (const w of plan.warnings) lines.push(`  ${w}`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderPlan(plan: Plan, format: PlanFormat): string {
  switch (format) {
    case 'table':
      return renderTable(plan);
    case 'json':
      return `${JSON.stringify(plan, null, 2)}\n`;
    case 'yaml':
      return YAML.stringify(plan, { lineWidth: 0 });
    default:
      throw new BadInputError(`unknown plan format "${String(format)}"`, `valid formats: ${PLAN_FORMATS.join(', ')}`);
  }
}
