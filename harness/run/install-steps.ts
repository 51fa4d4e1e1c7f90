// Executes a profile's install steps (data) against a live cluster: pinned, hash-checked
// manifests with their transforms, generated objects, and waits.
import type { InstallStep } from '../../clusters/install-step.ts';
import type { Kube } from '../kube/types.ts';
import { applyTransforms, fetchPinned } from '../manifests/index.ts';

export interface StepOptions {
  cacheDir: string;
  log: (line: string) => void;
}

export async function executeInstallSteps(kube: Kube, steps: readonly InstallStep[], opts: StepOptions): Promise<void> {
  for (const step of steps) {
    opts.log(step.description);
    switch (step.kind) {
      case 'applyManifest': {
        // The plan already resolved overrides.manifests into step.manifest.
        const text = await fetchPinned(step.manifest, { cacheDir: opts.cacheDir, log: opts.log });
        await kube.apply(applyTransforms(text, step.transforms, step.manifest.url), { mode: step.manifest.mode });
        break;
      }
      case 'applyObjects':
        await kube.apply(step.objects, { mode: step.mode });
        break;
      case 'wait':
        await kube.waitFor(step.condition, step.timeoutMs);
        break;
    }
  }
}
