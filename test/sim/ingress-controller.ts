// The stand-in for ingress-nginx on a simulated cell: what the suites rely on of the real
// controller's kind manifest — IngressClass nginx and a controller pod with hostPorts 80/443 on the
// ingress-ready node. The sim's dataplane routes Ingresses through it.
import type { KubeObject } from '../../harness/kube/types.ts';

export const CONTROLLER_NAMESPACE = 'ingress-nginx';
export const CONTROLLER_LABELS = { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' };

/** The controller pod's spec, as the kind provider manifest of ingress-nginx shapes it. */
export function controllerPodSpec(): Record<string, unknown> {
  return {
    nodeSelector: { 'ingress-ready': 'true' },
    tolerations: [{ operator: 'Exists' }],
    containers: [
      {
        name: 'controller',
        image: 'registry.k8s.io/ingress-nginx/controller:v1.15.1',
        ports: [
          { name: 'http', containerPort: 80, hostPort: 80, protocol: 'TCP' },
          { name: 'https', containerPort: 443, hostPort: 443, protocol: 'TCP' },
        ],
      },
    ],
  };
}

export const ingressClass: KubeObject = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'IngressClass',
  metadata: { name: 'nginx' },
  spec: { controller: 'k8s.io/ingress-nginx' },
};

/** Namespace, IngressClass and the controller Deployment. */
export function ingressControllerObjects(): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: CONTROLLER_NAMESPACE } },
    ingressClass,
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'ingress-nginx-controller', namespace: CONTROLLER_NAMESPACE, labels: CONTROLLER_LABELS },
      spec: {
        selector: { matchLabels: CONTROLLER_LABELS },
        template: { metadata: { labels: CONTROLLER_LABELS }, spec: controllerPodSpec() },
      },
    },
  ];
}
