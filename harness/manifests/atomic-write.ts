// Writes a file so that readers see the old content or the new, never a partial one: write a
// temporary sibling, then rename it over the destination.

import { randomUUID } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';

/**
 * The temporary name is unique per call, not per process: parallel cells of one run write the same
 * destination at once, and a shared name lets one rename away the file the other is about to rename.
 */
export async function writeFileAtomic(dest: string, content: Uint8Array): Promise<void> {
  const tmp = `${dest}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await writeFile(tmp, content);
    await rename(tmp, dest);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}
