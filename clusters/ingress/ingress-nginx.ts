// ingress-nginx from its kind provider manifest (final release controller-v1.15.1).

import { MINUTE_MS } from '../profile.ts';
import { waitStep } from '../install-step.ts';
import { componentImages, ingressNginxVersion, manifestPins } from '../versions.ts';
import type { IngressProfile } from './ingress-profile.ts';

const NAMESPACE = 'ingress-nginx';
/** Name of the admission Secret and of the ValidatingWebhookConfiguration. */
const ADMISSION = 'ingress-nginx-admission';

export const ingressNginx: IngressProfile = {
  name: 'ingress-nginx',
  displayName: 'ingress-nginx (kind provider manifest)',
  version: ingressNginxVersion,
  retired: {
    announced: '2025-11-11',
    lastFixes: 'best-effort maintenance ended March 2026; no releases or CVE fixes after that',
    successor: 'cloud-provider-kind >= v0.9.0 (Ingress mirrored to Gateway objects) or a Gateway API implementation',
  },
  manifests: [manifestPins.ingressNginx],
  ingressClass: 'nginx',
  nodeLabel: { key: 'ingress-ready', value: 'true' },
  installSteps: [
    {
      kind: 'applyManifest',
      description: `apply ingress-nginx ${ingressNginxVersion} kind deploy.yaml, pinned to the ingress-ready node`,
      manifest: manifestPins.ingressNginx,
      transforms: [
        {
          // Recent kind manifests only tolerate the control-plane taint; the selector makes the
          // controller (hostPort 80/443) land on the labelled control-plane node every time.
          op: 'setField',
          target: { kind: 'Deployment', name: 'ingress-nginx-controller', namespace: NAMESPACE },
          path: ['spec', 'template', 'spec', 'nodeSelector', 'ingress-ready'],
          value: 'true',
        },
      ],
    },
  ],
  // The admission Jobs set ttlSecondsAfterFinished: 0 and vanish once complete, so waiting for them
  // can never tell "done" from "not yet"; what they leave behind can.
  readiness: [
    waitStep(
      'admission Secret created (the create Job ran)',
      { kind: 'exists', ref: { apiVersion: 'v1', kind: 'Secret', namespace: NAMESPACE, name: ADMISSION } },
      3 * MINUTE_MS,
    ),
    waitStep(
      'admission webhook carries its CA (the patch Job ran)',
      {
        kind: 'exists',
        ref: { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', name: ADMISSION },
        path: ['webhooks', '0', 'clientConfig', 'caBundle'],
      },
      3 * MINUTE_MS,
    ),
    waitStep(
      'controller pod Ready (it serves the admission webhook)',
      { kind: 'podsReady', namespace: NAMESPACE, labelSelector: 'app.kubernetes.io/component=controller', minCount: 1 },
      3 * MINUTE_MS,
    ),
  ],
  images: [...componentImages.ingressNginx],
  diagnostics: [
    { what: 'ingress-nginx controller pods and logs', namespace: NAMESPACE, labelSelector: 'app.kubernetes.io/component=controller', collect: ['pods', 'logs', 'previousLogs', 'events'] },
    { what: 'ingress-nginx admission Jobs', namespace: NAMESPACE, labelSelector: 'app.kubernetes.io/component=admission-webhook', collect: ['pods', 'logs', 'events'] },
  ],
  notes: [
    'Retired upstream: retirement announced 2025-11-11, no fixes after March 2026. The Ingress API itself is not deprecated; the successor path is cloud-provider-kind >= v0.9.0 or Gateway API.',
    'Readiness waits for what the admission Jobs leave (the Secret, the webhook\'s caBundle), not for the Jobs: they set ttlSecondsAfterFinished: 0 and are deleted when complete. Until the controller is Ready the webhook (failurePolicy: Fail) rejects every Ingress; creating one is retried on "failed calling webhook".',
    'No extraPortMappings: external clients join the kind Docker network and reach the controller\'s hostPort on the control-plane node, so parallel cells never clash on host ports.',
  ],
};
