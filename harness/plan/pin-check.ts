// Decides, before any cluster exists, whether a cell's pins can work at all: a pin with no recorded
// sha256, or a file:// pin whose file is absent, fails by construction, so the cell is refused with
// the pin and the fix instead of being created and failing at install time.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { InstallStep } from '../../clusters/install-step.ts';
import { isUnverified, type Pin } from '../../clusters/pin.ts';
import type { PrepareStep } from '../../clusters/prepare-step.ts';

export interface PinProblem {
  id: string;
  url: string;
  problem: string;
  fix: string;
}

function problemOf(id: string, pin: Pin): PinProblem | undefined {
  const override = `or set overrides.manifests.${id}: { url, sha256 } in the run config`;
  if (isUnverified(pin)) {
    return {
      id,
      url: pin.url,
      problem: 'no sha256 is recorded (the pin holds the unverified placeholder)',
      fix: `record the sha256 from ${pin.checksumSource ?? 'a source you trust'} in clusters/versions.ts (\`cnimatrix pins verify\` shows what the URL hashes to), ${override}`,
    };
  }
  if (pin.url.startsWith('file:') && !existsSync(fileURLToPath(pin.url))) {
    return { id, url: pin.url, problem: 'the pinned file does not exist', fix: `create it as docs/pins.md describes, ${override}` };
  }
  return undefined;
}

/** Every pin the cell's steps would fetch that cannot succeed as pinned. */
export function pinProblems(prepare: readonly PrepareStep[], installSteps: readonly InstallStep[]): PinProblem[] {
  const problems = [
    ...prepare.map((step) => problemOf(step.id, step.archive)),
    ...installSteps.map((step) => (step.kind === 'applyManifest' ? problemOf(step.manifest.id, step.manifest) : undefined)),
  ].filter((p): p is PinProblem => p !== undefined);
  const seen = new Set<string>();
  return problems.filter((p) => !seen.has(p.id) && seen.add(p.id));
}

export function describePinProblems(problems: readonly PinProblem[]): string {
  return problems.map((p) => `pin ${p.id} (${p.url}): ${p.problem}; fix: ${p.fix}`).join('; ');
}
