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
    // Warnings are long sentences shared by many cells: the table names them by number and each
    // is written once below it, so a row stays one terminal line.
    const numbers = new Map<string, number>();
    for (const warning of plan.cells.flatMap((c) => c.warnings)) if (!numbers.has(warning)) numbers.set(warning, numbers.size + 1);
    const header = ['CELL', 'CNI VERSION', 'PROXY MODE', 'CAPABILITIES', 'WARNINGS'];
    const rows = plan.cells.map((c) => [
      c.id,
      c.cniVersion,
      c.proxyMode,
      c.capabilities.length === 0 ? '-' : c.capabilities.join(','),
      c.warnings.length === 0 ? '-' : c.warnings.map((w) => `[${numbers.get(w)}]`).join(' '),
    ]);
    lines.push(table([header, ...rows]));
    if (numbers.size > 0) {
      lines.push('', 'Cell warnings:');
      for (const [warning, n] of numbers) {
        const cells = plan.cells.filter((c) => c.warnings.includes(warning)).map((c) => c.id);
        lines.push(`  [${n}] ${warning} (${cells.join(', ')})`);
      }
    }
  }
  if (plan.unsupported.length > 0) {
    lines.push('', 'Unsupported:');
    for (const u of plan.unsupported) lines.push(`  ${u.id}: ${u.reason}`);
  }
  if (plan.refused.length > 0) {
    lines.push('', 'Not runnable as pinned (refused before any cluster is created):');
    for (const r of plan.refused) lines.push(`  ${r.id}: ${r.reason}`);
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
      // Shared objects (e.g. one readiness step in many cells) are written out in full, not as anchors.
      return YAML.stringify(plan, { lineWidth: 0, aliasDuplicateObjects: false });
    default:
      throw new BadInputError(`unknown plan format "${String(format)}"`, `valid formats: ${PLAN_FORMATS.join(', ')}`);
  }
}
