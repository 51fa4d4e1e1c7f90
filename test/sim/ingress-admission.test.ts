// ingress-nginx's admission Jobs as upstream ships them (ttlSecondsAfterFinished: 0): the sim
// deletes them once complete, and the ingress profile's readiness still completes, because it waits
// for what the Jobs leave behind rather than for the Jobs.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ingressNginx } from '../../clusters/ingress/ingress-nginx.ts';
import { eventually, startCluster, type Cluster } from '../kube/fixtures.ts';
import { ADMISSION_SECRET, ADMISSION_WEBHOOK, admissionObjects, certgen, CONTROLLER_NAMESPACE, ingressControllerObjects } from './ingress-controller.ts';

let c: Cluster;

beforeAll(async () => {
  c = await startCluster({ timing: { podStartMs: 20, jobRunMs: 20, crdEstablishMs: 10, namespaceFinalizeMs: 20 } });
  c.server.store.onChange(certgen(c.server.store));
  // The controller runs on the ingress-ready node, as kind's ingress guide labels the control plane.
  const cp = c.server.store.get('v1', 'Node', undefined, 'kind-control-plane')!;
  c.server.store.put({ ...cp, metadata: { ...cp.metadata, labels: { ...cp.metadata.labels, 'ingress-ready': 'true' } } });
});
afterAll(async () => {
  await c.server.stop();
});

describe('Job ttlSecondsAfterFinished in the sim', () => {
  test('a Job with TTL 0 is deleted with its pods once complete; one without a TTL stays', async () => {
    const job = (name: string, ttl?: number) => ({
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: 'default' },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'run', image: 'busybox' }] } }, ...(ttl === undefined ? {} : { ttlSecondsAfterFinished: ttl }) },
    });
    await c.kube.apply([job('gone', 0), job('kept')]);
    await c.kube.waitFor({ kind: 'jobComplete', namespace: 'default', name: 'kept' }, 3000);
    await eventually(() => c.server.store.get('batch/v1', 'Job', 'default', 'gone') === undefined, 'the TTL-0 Job deleted');
    const pods = c.server.store.list('v1', 'Pod', { namespace: 'default' }).map((p) => p.metadata.labels?.['job-name']);
    expect(pods).toEqual(['kept']);
  });
});

describe('ingress-nginx readiness against self-deleting admission Jobs', () => {
  test('the patch Job started before the Secret exists still ends with the CA in the webhook', async () => {
    // Patch first: its pod succeeds before any Secret exists, as a restart loop would outlast it.
    await c.kube.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: CONTROLLER_NAMESPACE } }, admissionObjects()[1]!, admissionObjects()[2]!]);
    await eventually(() => c.server.store.get('batch/v1', 'Job', CONTROLLER_NAMESPACE, 'ingress-nginx-admission-patch') === undefined, 'the patch Job gone');
    await c.kube.apply([admissionObjects()[0]!]);
    await c.kube.waitFor(ingressNginx.readiness[1]!.condition, 3000);
  });

  test('completes once the Secret and the webhook CA exist, though the Jobs are gone', async () => {
    await c.kube.apply([...ingressControllerObjects(), ...admissionObjects()]);
    for (const step of ingressNginx.readiness) await c.kube.waitFor(step.condition, 3000);
    await eventually(() => c.server.store.list('batch/v1', 'Job', { namespace: CONTROLLER_NAMESPACE }).length === 0, 'both admission Jobs deleted');
    expect(c.server.store.get('v1', 'Secret', CONTROLLER_NAMESPACE, ADMISSION_SECRET)).toBeDefined();
    const webhook = c.server.store.get('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', undefined, ADMISSION_WEBHOOK);
    expect(JSON.stringify(webhook)).toContain('caBundle');
  });

  test('waiting for the Jobs themselves, as before, can only time out', async () => {
    const err = await c.kube.waitFor({ kind: 'jobComplete', namespace: CONTROLLER_NAMESPACE, name: 'ingress-nginx-admission-create' }, 300).catch((e: unknown) => e);
    expect((err as Error).message).toContain('the Job does not exist');
  });
});
