// GitHub Actions workflow commands: an ::error:: annotation per failed check (capped, so a
// broken cell does not bury the page) and matrix.md appended to the job summary.
import { appendFile, readFile } from 'node:fs/promises';
import type { CellResult } from '../model/results.ts';
import { failedChecks } from './failures.ts';

/** GitHub keeps only the first annotations of a step; past this many, one line counts the rest. */
export const ANNOTATION_CAP = 50;

export function inGitHubActions(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

/** Escapes a workflow command's message (data) or, with `property`, a parameter value. */
export function escapeCommand(text: string, property = false): string {
  const data = text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
  return property ? data.replaceAll(':', '%3A').replaceAll(',', '%2C') : data;
}

/** `::error title=…::…` lines for the run's failed checks, at most `cap` of them. */
export function errorAnnotations(results: readonly CellResult[], cap = ANNOTATION_CAP): string[] {
  const failed = failedChecks(results);
  const lines = failed.slice(0, cap).map((f) => `::error title=${escapeCommand(`${f.cellId}: ${f.check}`, true)}::${escapeCommand(f.evidence || f.status)}`);
  if (failed.length > cap) lines.push(`::warning::${failed.length - cap} more failed checks are not annotated; matrix.md lists them all`);
  return lines;
}

/** Appends matrix.md to the job summary, when the runner provides one. */
export async function appendStepSummary(matrixMarkdown: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const summary = env.GITHUB_STEP_SUMMARY;
  if (!summary) return false;
  await appendFile(summary, `${await readFile(matrixMarkdown, 'utf8')}\n`);
  return true;
}
