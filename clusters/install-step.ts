// The steps that install a CNI or ingress controller into a fresh cluster, as data. The run
// orchestration executes them in order with harness/kube; the plan prints them.

import type { KubeObject, WaitCondition } from '../harness/kube/types.ts';
import type { ManifestPin } from './pin.ts';
import type { ManifestTransform } from './transform.ts';

/** Fetch a pinned manifest (sha256-checked), apply the transforms, then apply or create it. */
export interface ApplyManifestStep {
  kind: 'applyManifest';
  description: string;
  manifest: ManifestPin;
  transforms: ManifestTransform[];
}

/** Apply objects cnimatrix generates itself (e.g. Calico's Installation with the pod CIDR). */
export interface ApplyObjectsStep {
  kind: 'applyObjects';
  description: string;
  objects: KubeObject[];
  mode: 'apply' | 'create';
}

export interface WaitStep {
  kind: 'wait';
  description: string;
  condition: WaitCondition;
  timeoutMs: number;
}

export type InstallStep = ApplyManifestStep | ApplyObjectsStep | WaitStep;

export function waitStep(description: string, condition: WaitCondition, timeoutMs: number): WaitStep {
  return { kind: 'wait', description, condition, timeoutMs };
}
