// Runs a plan's host-side prepare steps: pinned archive -> cache -> extracted file for extraMounts.

import { chmod, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { PrepareStep } from '../../clusters/prepare-step.ts';
import { CnimatrixError, ExitCode } from '../model/errors.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { fetchPinnedBytes, type FetchOptions } from './fetch.ts';
import { extractTarMember } from './tar.ts';

/** Absolute host path a prepare step writes; the kind config mounts exactly this path. */
export function preparedPath(cacheDir: string, step: PrepareStep): string {
  return join(cacheDir, step.dest);
}

/** Produces the step's file (idempotent) and returns its absolute path. */
export async function runPrepareStep(step: PrepareStep, opts: FetchOptions): Promise<string> {
  const archive = await fetchPinnedBytes(step.archive, opts);
  const content = extractTarMember(archive, step.member);
  if (content === undefined) {
    throw new CnimatrixError(`${step.member} is not in ${step.archive.url}`, {
      exitCode: ExitCode.infrastructure,
      hint: 'the archive is the pinned one (its sha256 matched), so the prepare step names the wrong member; fix the profile',
    });
  }
  const dest = preparedPath(opts.cacheDir, step);
  const existing = await readFile(dest).catch(() => undefined);
  if (existing === undefined || !existing.equals(content)) {
    await mkdir(dirname(dest), { recursive: true });
    await writeFileAtomic(dest, content);
  }
  await chmod(dest, step.fileMode);
  return dest;
}
