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

/**
 * Run a host tool that a prepare step produced (e.g. cilium-cli) with KUBECONFIG set to the
 * cell's cluster; a non-zero exit fails the step.
 */
export interface RunToolStep {
  kind: 'runTool';
  description: string;
  /** Id of the PrepareStep whose file is the executable. */
  tool: string;
  args: string[];
  timeoutMs: number;
}

export interface WaitStep {
  kind: 'wait';
  description: string;
  condition: WaitCondition;
  timeoutMs: number;
}

export type InstallStep = ApplyManifestStep | ApplyObjectsStep | RunToolStep | WaitStep;

export function waitStep(description: string, condition: WaitCondition, timeoutMs: number): WaitStep {
  return { kind: 'wait', description, condition, timeoutMs };
}
