// ingress-nginx from its kind provider manifest (final release controller-v1.15.1).

import { MINUTE_MS } from '../profile.ts';
import { waitStep } from '../install-step.ts';
import { componentImages, ingressNginxVersion, manifestPins } from '../versions.ts';
import type { IngressProfile } from './ingress-profile.ts';

const NAMESPACE = 'ingress-nginx';

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
  readiness: [
    waitStep('admission create Job complete', { kind: 'jobComplete', namespace: NAMESPACE, name: 'ingress-nginx-admission-create' }, 3 * MINUTE_MS),
    waitStep('admission patch Job complete', { kind: 'jobComplete', namespace: NAMESPACE, name: 'ingress-nginx-admission-patch' }, 3 * MINUTE_MS),
    waitStep(
      'controller pod Ready',
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
    'Readiness waits for both admission Jobs as well as the controller: before the Jobs finish, the validating webhook (failurePolicy: Fail) rejects every Ingress with "connection refused".',
    'No extraPortMappings: external clients join the kind Docker network and reach the controller\'s hostPort on the control-plane node, so parallel cells never clash on host ports.',
  ],
};
