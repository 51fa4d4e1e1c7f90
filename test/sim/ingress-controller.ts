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

const CERTGEN_IMAGE = 'registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.6.9';
export const ADMISSION_SECRET = 'ingress-nginx-admission';
export const ADMISSION_WEBHOOK = 'ingress-nginx-admission';

function admissionJob(name: string, args: string[]): KubeObject {
  const labels = { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'admission-webhook' };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: CONTROLLER_NAMESPACE, labels },
    spec: {
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'OnFailure',
          containers: [{ name: args[0], image: CERTGEN_IMAGE, args, env: [{ name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }] }],
        },
      },
      // As in upstream's deploy.yaml: the Jobs delete themselves the moment they complete.
      ttlSecondsAfterFinished: 0,
    },
  };
}

/**
 * The admission half of the kind deploy.yaml of controller-v1.15.1: the create Job (writes the
 * Secret), the patch Job (puts its CA into the webhook) and the webhook without a CA yet.
 */
export function admissionObjects(): KubeObject[] {
  return [
    admissionJob('ingress-nginx-admission-create', ['create', '--namespace=$(POD_NAMESPACE)', `--secret-name=${ADMISSION_SECRET}`]),
    admissionJob('ingress-nginx-admission-patch', [
      'patch', `--webhook-name=${ADMISSION_WEBHOOK}`, '--namespace=$(POD_NAMESPACE)', '--patch-mutating=false', `--secret-name=${ADMISSION_SECRET}`, '--patch-failure-policy=Fail',
    ]),
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: ADMISSION_WEBHOOK },
      webhooks: [{
        name: 'validate.nginx.ingress.kubernetes.io',
        admissionReviewVersions: ['v1'],
        clientConfig: { service: { name: 'ingress-nginx-controller-admission', namespace: CONTROLLER_NAMESPACE, path: '/networking/v1/ingresses', port: 443 } },
        failurePolicy: 'Fail',
        sideEffects: 'None',
        rules: [{ apiGroups: ['networking.k8s.io'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['ingresses'] }],
      }],
    },
  ];
}

interface CertgenStore {
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined;
  put(obj: KubeObject): KubeObject;
}

function flag(args: string[], name: string): string | undefined {
  return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function patchCaBundle(store: CertgenStore, secret: KubeObject, webhookName: string): void {
  const webhook = store.get('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', undefined, webhookName);
  const ca = (secret['data'] as Record<string, string> | undefined)?.['ca'];
  if (webhook === undefined || ca === undefined) return;
  const webhooks = (webhook['webhooks'] as Array<{ clientConfig?: Record<string, unknown> }> | undefined) ?? [];
  if (webhooks.every((w) => w.clientConfig?.['caBundle'] === ca)) return;
  store.put({ ...webhook, webhooks: webhooks.map((w) => ({ ...w, clientConfig: { ...w.clientConfig, caBundle: ca } })) });
}

/**
 * What kube-webhook-certgen leaves behind when its pods run: `create` writes the Secret (ca, cert,
 * key); `patch` copies the Secret's CA into the webhook's caBundle — a patch that starts before the
 * Secret exists fails and is restarted (restartPolicy OnFailure), so here it waits for the Secret.
 * Returns the store-change handler.
 */
export function certgen(store: CertgenStore): (change: { type: string; object: KubeObject }) => void {
  const pendingPatches: Array<{ namespace: string; secretName: string; webhookName: string }> = [];
  const patchPending = (): void => {
    for (const p of pendingPatches) {
      const secret = store.get('v1', 'Secret', p.namespace, p.secretName);
      if (secret !== undefined) patchCaBundle(store, secret, p.webhookName);
    }
  };
  return ({ type, object }) => {
    if (type === 'DELETED') return;
    if (object.kind === 'Secret') return patchPending();
    if (object.kind !== 'Pod' || (object['status'] as { phase?: string } | undefined)?.phase !== 'Succeeded') return;
    const container = ((object['spec'] as { containers?: Array<{ image?: string; args?: string[] }> }).containers ?? [])[0];
    if (!container?.image?.startsWith('registry.k8s.io/ingress-nginx/kube-webhook-certgen')) return;
    const args = container.args ?? [];
    const namespace = (flag(args, 'namespace') ?? '').replace('$(POD_NAMESPACE)', object.metadata.namespace ?? '');
    const secretName = flag(args, 'secret-name') ?? ADMISSION_SECRET;
    const webhookName = flag(args, 'webhook-name');
    if (args[0] === 'create' && store.get('v1', 'Secret', namespace, secretName) === undefined) {
      const pem = Buffer.from('-----BEGIN CERTIFICATE-----\nsimulated\n-----END CERTIFICATE-----\n').toString('base64');
      store.put({ apiVersion: 'v1', kind: 'Secret', metadata: { name: secretName, namespace }, data: { ca: pem, cert: pem, key: pem } });
    }
    if (args[0] === 'patch' && webhookName !== undefined) {
      pendingPatches.push({ namespace, secretName, webhookName });
      patchPending();
    }
  };
}
