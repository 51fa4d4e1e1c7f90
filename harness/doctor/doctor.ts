// `cnimatrix doctor`: can this machine run the planned cells?

import type { HostPrereq } from '../../clusters/host-prereq.ts';
import { resolveParallel } from '../config/index.ts';
import { ExitCode } from '../model/errors.ts';
import { checkDocker, checkHostPrereq, checkKind, checkMemory, collectPrereqs } from './checks.ts';
import type { DoctorProbes } from './probes.ts';
import type { CheckResult, CheckStatus, DoctorReport } from './types.ts';
import { counted } from '../model/count.ts';

export interface DoctorInput {
  /** The planned cells (PlannedCell fits). */
  cells: ReadonlyArray<{ id: string; hostPrereqs: readonly HostPrereq[] }>;
  nodesPerCluster: number;
  parallel: number | 'auto';
  kindMinVersion: string;
}

export async function runDoctor(input: DoctorInput, probes: DoctorProbes): Promise<DoctorReport> {
  const [docker, kind] = await Promise.all([checkDocker(probes), checkKind(probes, input.kindMinVersion)]);
  const prereqs: CheckResult[] = [];
  for (const prereq of collectPrereqs(input.cells)) prereqs.push(await checkHostPrereq(probes, prereq));
  const checks = [docker, kind, ...prereqs];
  if (input.cells.length > 0) {
    // Memory is what "auto" adapts to, so size the demand by CPUs and cells alone.
    const parallel = resolveParallel(input.parallel, {
      cells: input.cells.length,
      nodesPerCluster: input.nodesPerCluster,
      host: { cpus: probes.cpus, freeMemoryBytes: Number.POSITIVE_INFINITY },
    });
    checks.push(await checkMemory(probes, { nodesPerCluster: input.nodesPerCluster, parallel }));
  }
  return { checks };
}

export function doctorExitCode(report: DoctorReport): ExitCode {
  return report.checks.some((check) => check.status === 'missing') ? ExitCode.environmentMissing : ExitCode.ok;
}

const LABEL: Record<CheckStatus, string> = { ok: 'OK', warn: 'WARN', missing: 'MISSING' };

/** A table of checks, each problem followed by how to fix it, and a one-line verdict. */
export function renderDoctorReport(report: DoctorReport): string {
  const nameWidth = Math.max('CHECK'.length, ...report.checks.map((check) => check.name.length));
  const lines = [`${'STATUS'.padEnd(8)} ${'CHECK'.padEnd(nameWidth)}  DETAIL`];
  for (const check of report.checks) {
    lines.push(`${LABEL[check.status].padEnd(8)} ${check.name.padEnd(nameWidth)}  ${check.detail}`);
    if (check.fix !== undefined) lines.push(`${' '.repeat(9 + nameWidth + 2)}fix: ${check.fix}`);
  }
  const missing = report.checks.filter((check) => check.status === 'missing').length;
  const warnings = report.checks.filter((check) => check.status === 'warn').length;
  lines.push(
    '',
    missing > 0
      ? `${counted(missing, 'required item')} missing${warnings > 0 ? `, ${counted(warnings, 'warning')}` : ''}: fix them before \`cnimatrix run\``
      : warnings > 0
        ? `ready, with ${counted(warnings, 'warning')}`
        : 'ready',
  );
  return `${lines.join('\n')}\n`;
}
