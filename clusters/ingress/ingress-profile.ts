// Everything cnimatrix knows about one ingress controller.

import type { Diagnostic } from '../diagnostic.ts';
import type { InstallStep, WaitStep } from '../install-step.ts';
import type { ManifestPin } from '../pin.ts';

export interface IngressProfile {
  name: string;
  displayName: string;
  version: string;
  /** Set when upstream no longer maintains the controller. */
  retired?: { announced: string; lastFixes: string; successor: string };
  manifests: ManifestPin[];
  ingressClass: string;
  /** Label the controller's node must carry; kind config puts it on the control-plane node. */
  nodeLabel: { key: string; value: string };
  installSteps: InstallStep[];
  readiness: WaitStep[];
  images: string[];
  diagnostics: Diagnostic[];
  notes: string[];
}
