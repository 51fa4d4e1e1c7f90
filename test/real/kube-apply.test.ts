// Contract tests of the kube adapter's writes, discovery and error mapping, run against a real
// kube-apiserver and against the sim alike: what passes on one and fails on the other is a
// discrepancy of the sim (or of the adapter's assumptions).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createKube, isNotFound, KubeApiError } from '../../harness/kube/index.ts';
import type { KubeObject } from '../../harness/kube/types.ts';
import { realTestsRun } from './require.ts';
import { answerShape, realServer, simServer, type RealServer, type Server } from './servers.ts';

const START_MS = 120_000;

const ns = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const configMap = (namespace: string, name: string, data: Record<string, string>, labels?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, ...(labels ? { labels } : {}) }, data,
});

const WIDGETS = `
apiVersion: example.cnimatrix.io/v1
kind: Widget
metadata: { name: sprocket, namespace: widgets }
spec: { size: 3 }
---
apiVersion: v1
kind: Namespace
metadata: { name: widgets }
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: widgets.example.cnimatrix.io }
spec:
  group: example.cnimatrix.io
  scope: Namespaced
  names: { kind: Widget, plural: widgets, singular: widget }
  versions:
    - name: v1
      served: true
      storage: true
      schema: { openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true } }
`;

const RFC1123_HELP = `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;

const managers = (obj: KubeObject | undefined): string[] =>
  ((obj?.metadata['managedFields'] as Array<{ manager: string; operation: string }> | undefined) ?? []).map((m) => `${m.manager}/${m.operation}`).sort();

const applyAs = (server: Server, manager: string, body: string, force = false) =>
  server.call('PATCH', `/api/v1/namespaces/ssa/configmaps/shared?fieldManager=${manager}&force=${force}`, body, 'application/apply-patch+yaml');

const sharedYaml = (value: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\n  namespace: ssa\ndata:\n  owner: "${value}"\n`;

async function rejection(promise: Promise<unknown>): Promise<KubeApiError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  if (!(err instanceof KubeApiError)) throw new Error(`expected a KubeApiError, got ${String(err)}`);
  return err;
}

(realTestsRun('kube adapter contract: apply, discovery, errors') ? describe : describe.skip)('kube adapter: apply, discovery and errors', () => {
  const servers = {} as { real: RealServer; sim: Server };

  beforeAll(async () => {
    [servers.real, servers.sim] = await Promise.all([realServer(), simServer()]);
  }, START_MS);
  afterAll(async () => {
    await Promise.all(Object.values(servers).map((s) => s.stop()));
  });

  describe.each(['real', 'sim'] as const)('%s API server', (which) => {
    const server = (): Server => servers[which];

    describe('server-side apply', () => {
      beforeAll(async () => {
        await server().kube().apply([ns('ssa')]);
      });

      test('creates the object, owned by the cnimatrix field manager and labelled with the run id', async () => {
        const [cm] = await server().kube({ runId: 'run-7' }).apply([configMap('ssa', 'created', { a: '1' })]);
        expect(cm?.metadata.uid).toBeTruthy();
        expect(cm?.metadata.labels).toEqual({ 'cnimatrix.io/run': 'run-7' });
        expect(managers(cm)).toEqual(['cnimatrix/Apply']);
      });

      test('applying the same manifest again writes nothing: the resourceVersion stays', async () => {
        const kube = server().kube();
        const [first] = await kube.apply([configMap('ssa', 'unchanged', { a: '1' })]);
        // Past a second boundary: a server that re-stamped managedFields times would write again.
        await new Promise((resolve) => setTimeout(resolve, 1100));
        const [second] = await kube.apply([configMap('ssa', 'unchanged', { a: '1' })]);
        expect(second?.metadata.resourceVersion).toBe(first?.metadata.resourceVersion);
      });

      test('a field no longer applied is removed', async () => {
        const kube = server().kube();
        await kube.apply([configMap('ssa', 'shrinking', { keep: 'yes', drop: 'yes' }, { tier: 'a', legacy: 'yes' })]);
        const [after] = await kube.apply([configMap('ssa', 'shrinking', { keep: 'yes' }, { tier: 'a' })]);
        expect(after?.['data']).toEqual({ keep: 'yes' });
        expect(after?.metadata.labels).toEqual({ tier: 'a' });
      });

      test("another manager's field: a plain apply conflicts, the adapter's forced apply takes it over", async () => {
        expect((await applyAs(server(), 'helm', sharedYaml('helm'))).status).toBe(201);
        const conflict = await applyAs(server(), 'kubectl', sharedYaml('kubectl'));
        expect(answerShape(conflict)).toEqual({
          status: 409, kind: 'Status', reason: 'Conflict', code: 409,
          message: 'Apply failed with 1 conflict: conflict with "helm": .data.owner',
          details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "helm"', field: '.data.owner' }] },
        });
        const [taken] = await server().kube().apply([configMap('ssa', 'shared', { owner: 'cnimatrix' })]);
        expect(taken?.['data']).toEqual({ owner: 'cnimatrix' });
        // helm owned nothing else, so its entry is gone.
        expect(managers(taken)).toEqual(['cnimatrix/Apply']);
      });

      test('apply without a field manager is refused as invalid options', async () => {
        const res = await server().call('PATCH', '/api/v1/namespaces/ssa/configmaps/nameless', sharedYaml('x').replace('shared', 'nameless'), 'application/apply-patch+yaml');
        expect(answerShape(res)).toEqual({
          status: 422, kind: 'Status', reason: 'Invalid', code: 422,
          message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
          details: { group: 'meta.k8s.io', kind: 'PatchOptions', causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }] },
        });
      });
    });

    describe('CRDs and their custom resources', () => {
      test('a CRD is Established before its custom resource is applied, whatever the document order', async () => {
        const applied = await server().kube().apply(WIDGETS);
        expect(applied.map((o) => o.kind)).toEqual(['Widget', 'Namespace', 'CustomResourceDefinition']);
        const widget = await server().kube().get({ apiVersion: 'example.cnimatrix.io/v1', kind: 'Widget', namespace: 'widgets', name: 'sprocket' });
        expect(widget?.['spec']).toEqual({ size: 3 });
      });

      test("a custom resource whose CRD is missing is a 404 naming the kind and the CRD; the server's 404 is plain text", async () => {
        const err = await rejection(server().kube().apply([{ apiVersion: 'missing.cnimatrix.io/v1', kind: 'Gadget', metadata: { name: 'g', namespace: 'default' } }]));
        expect(isNotFound(err)).toBe(true);
        expect(err.message).toBe('discover Gadget (missing.cnimatrix.io/v1) failed: 404 NotFound: the server has no resource type for kind Gadget in missing.cnimatrix.io/v1 (is its CustomResourceDefinition installed and Established?)');
        expect(answerShape(await server().call('GET', '/apis/missing.cnimatrix.io/v1'))).toEqual({ status: 404, text: '404 page not found\n' });
      });
    });

    describe('discovery', () => {
      test('kinds of known group-versions resolve; an unknown kind in a known group-version is a 404', async () => {
        const kube = server().kube();
        expect((await kube.list('apps/v1', 'Deployment', { namespace: 'default' }))).toEqual([]);
        expect((await kube.list('v1', 'Namespace')).map((n) => n.metadata.name)).toEqual(expect.arrayContaining(['default', 'kube-system']));
        // (get would answer undefined: an object of a kind the server does not know is absent.)
        const err = await rejection(kube.list('v1', 'Gadget'));
        expect(err.message).toBe('discover Gadget (v1) failed: 404 NotFound: the server has no resource type for kind Gadget in v1 (a built-in API: this server does not serve it, perhaps too old or with it disabled; `kubectl api-versions` lists what it serves)');
      });

      test('a built-in group-version the server no longer serves (policy/v1beta1, removed in 1.25) is blamed on the server, not on a CRD', async () => {
        const err = await rejection(server().kube().list('policy/v1beta1', 'PodSecurityPolicy'));
        expect(isNotFound(err)).toBe(true);
        expect(err.message).toMatch(/kind PodSecurityPolicy in policy\/v1beta1 \(a built-in API: this server does not serve it/);
        expect(err.message).not.toMatch(/CustomResourceDefinition/);
      });

      test('the discovery documents have the shape clients read', async () => {
        const core = await server().call('GET', '/api');
        expect(core.body['kind']).toBe('APIVersions');
        expect(core.body['versions']).toEqual(['v1']);
        const apps = await server().call('GET', '/apis/apps');
        expect(apps.body).toEqual({ kind: 'APIGroup', apiVersion: 'v1', name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } });
        const v1 = await server().call('GET', '/api/v1');
        const pods = (v1.body['resources'] as Array<{ name: string; kind: string; namespaced: boolean }>).filter((r) => r.name.startsWith('pods'));
        expect(pods.map((r) => `${r.name}:${r.kind}:${r.namespaced}`)).toEqual(expect.arrayContaining(['pods:Pod:true', 'pods/exec:PodExecOptions:true', 'pods/log:Pod:true', 'pods/status:Pod:true']));
      });
    });

    describe('errors the adapter raises', () => {
      beforeAll(async () => {
        await server().kube().apply([ns('errors')]);
      });

      test('404: patching a missing object names the object and the server message', async () => {
        const err = await rejection(server().kube().patch({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'errors', name: 'nope' }, { spec: {} }));
        expect(err.message).toBe('patch Deployment errors/nope failed: 404 NotFound: deployments.apps "nope" not found');
      });

      test('404: writing into a namespace that does not exist', async () => {
        const err = await rejection(server().kube().apply([configMap('no-such-ns', 'x', {})]));
        expect(err.message).toBe('apply ConfigMap no-such-ns/x failed: 404 NotFound: namespaces "no-such-ns" not found');
      });

      test('409 Conflict: a stale resourceVersion, raised at once', async () => {
        const kube = server().kube();
        const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'errors', name: 'versioned' };
        const [cm] = await kube.apply([configMap('errors', 'versioned', { v: '1' })]);
        await kube.patch(ref, { data: { v: '2' } });
        const err = await rejection(kube.patch(ref, { metadata: { resourceVersion: cm!.metadata.resourceVersion }, data: { v: '3' } }));
        expect([err.status, err.reason, err.attempts]).toEqual([409, 'Conflict', 1]);
        expect(err.message).toBe('patch ConfigMap errors/versioned failed: 409 Conflict: Operation cannot be fulfilled on configmaps "versioned": the object has been modified; please apply your changes to the latest version and try again');
      });

      test("409 AlreadyExists: mode 'create' keeps the existing object", async () => {
        const kube = server().kube();
        const [created] = await kube.apply([configMap('errors', 'created-once', { v: 'first' })], { mode: 'create' });
        const [kept] = await kube.apply([configMap('errors', 'created-once', { v: 'second' })], { mode: 'create' });
        expect(kept?.metadata.uid).toBe(created?.metadata.uid);
        expect(kept?.['data']).toEqual({ v: 'first' });
      });

      test('422 Invalid: a bad name is raised at once with the validation message', async () => {
        const err = await rejection(server().kube().apply([configMap('errors', 'Bad_Name', {})]));
        expect([err.status, err.reason, err.attempts]).toEqual([422, 'Invalid', 1]);
        expect(err.message).toBe(`apply ConfigMap errors/Bad_Name failed: 422 Invalid: ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": ${RFC1123_HELP}`);
      });

      test("403 Forbidden: a namespace being deleted takes no new objects; mode 'create' says it is being deleted", async () => {
        const kube = server().kube();
        // A finalizer holds the namespace Terminating on the sim; the real one has no namespace controller here.
        await kube.apply([ns('closing'), { ...configMap('closing', 'holder', {}), metadata: { name: 'holder', namespace: 'closing', finalizers: ['cnimatrix.io/hold'] } }]);
        await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: 'closing' });
        const err = await rejection(kube.apply([configMap('closing', 'late', {})]));
        expect([err.status, err.reason, err.attempts]).toEqual([403, 'Forbidden', 1]);
        expect(err.message).toBe('apply ConfigMap closing/late failed: 403 Forbidden: configmaps "late" is forbidden: unable to create new content in namespace closing because it is being terminated');
        const again = await rejection(kube.apply([ns('closing')], { mode: 'create' }));
        expect(again.message).toMatch(/^create Namespace closing failed: 409 AlreadyExists: object is being deleted: namespaces "closing" already exists \(since \d{4}-\d\d-\d\dT[\d:]+Z\); wait for it to be gone and create it again$/);
      });

      test('delete of an absent object is fine; delete with wait returns once it is gone', async () => {
        const kube = server().kube();
        const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'errors', name: 'doomed' };
        await kube.delete({ ...ref, name: 'never-was' });
        await kube.apply([configMap('errors', 'doomed', {})]);
        await kube.delete(ref, { wait: true, timeoutMs: 5000 });
        expect(await kube.get(ref)).toBeUndefined();
      });

      test('merge patch: null deletes a label, lists are replaced', async () => {
        const kube = server().kube();
        const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'errors', name: 'patched' };
        await kube.apply([configMap('errors', 'patched', { a: '1' }, { tier: 'web', zone: 'x' })]);
        const patched = await kube.patch(ref, { metadata: { labels: { zone: null, tier: 'api' }, finalizers: ['cnimatrix.io/a'] } });
        expect(patched.metadata.labels).toEqual({ tier: 'api' });
        const replaced = await kube.patch(ref, { metadata: { finalizers: ['cnimatrix.io/b'] } });
        expect(replaced.metadata['finalizers']).toEqual(['cnimatrix.io/b']);
        await kube.patch(ref, { metadata: { finalizers: null } });
      });
    });
  });

  describe('the same raw request answers alike on both', () => {
    const cm = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...extra } });
    const requests: Array<[string, string, string, unknown?, string?]> = [
      ['a create over an existing object', 'POST', '/api/v1/namespaces/shapes/configmaps', cm('taken')],
      ['a create over an object being deleted', 'POST', '/api/v1/namespaces', ns('shapes-closing')],
      ['a create with an invalid name', 'POST', '/api/v1/namespaces/shapes/configmaps', cm('Bad_Name')],
      ['a create without a name', 'POST', '/api/v1/namespaces/shapes/configmaps', cm('')],
      ['a create in a missing namespace', 'POST', '/api/v1/namespaces/no-such-ns/configmaps', cm('x')],
      ['a create in a namespace being deleted', 'POST', '/api/v1/namespaces/shapes-closing/configmaps', cm('late')],
      ['an update with a stale resourceVersion', 'PUT', '/api/v1/namespaces/shapes/configmaps/taken', cm('taken', { resourceVersion: '1' })],
      ['a name that differs from the URL', 'PUT', '/api/v1/namespaces/shapes/configmaps/taken', cm('other')],
      ['a get of a missing object of a named group', 'GET', '/apis/apps/v1/namespaces/shapes/deployments/nope'],
      ['a delete of a missing object', 'DELETE', '/api/v1/namespaces/shapes/configmaps/nope'],
      ['a version a served group lacks', 'GET', '/apis/apps/v2'],
      ['a resource a served group-version lacks', 'GET', '/api/v1/namespaces/shapes/gadgets'],
      ['a group the server does not serve', 'GET', '/apis/missing.cnimatrix.io/v1/gadgets'],
      ['a path outside the API', 'GET', '/nothing'],
    ];

    beforeAll(async () => {
      for (const server of Object.values(servers)) {
        // The finalizer keeps the sim's namespace Terminating; the real one has no namespace controller here.
        const holder = { ...configMap('shapes-closing', 'holder', {}), metadata: { name: 'holder', namespace: 'shapes-closing', finalizers: ['cnimatrix.io/hold'] } };
        await server.kube().apply([ns('shapes'), ns('shapes-closing'), configMap('shapes', 'taken', {}), holder]);
        await server.kube().delete({ apiVersion: 'v1', kind: 'Namespace', name: 'shapes-closing' });
      }
    });

    // Rows padded to five: jest takes a callback with more parameters than its row has for a done() test.
    test.each(requests.map(([what, method, path, body, contentType]) => [what, method, path, body, contentType] as const))('%s', async (_what, method, path, body, contentType) => {
      const real = await servers.real.call(method, path, body, contentType);
      expect(real.status).toBeGreaterThanOrEqual(400);
      expect(answerShape(await servers.sim.call(method, path, body, contentType))).toEqual(answerShape(real));
    });
  });

  describe('real API server only: authentication and authorization', () => {
    test('403 Forbidden: a user without RBAC grants, raised at once with the RBAC message', async () => {
      const kube = createKube({ kubeconfig: servers.real.cp.unprivilegedKubeconfig });
      const err = await rejection(kube.list('v1', 'Node'));
      expect([err.status, err.reason, err.attempts]).toEqual([403, 'Forbidden', 1]);
      expect(err.message).toBe('list Node in the cluster failed: 403 Forbidden: nodes is forbidden: User "cnimatrix-nobody" cannot list resource "nodes" in API group "" at the cluster scope');
    });

    test('401 Unauthorized: an unknown token, raised at once', async () => {
      const kube = createKube({ kubeconfig: servers.real.cp.unprivilegedKubeconfig.replace(/token: .*/, 'token: not-a-known-token') });
      const err = await rejection(kube.get({ apiVersion: 'v1', kind: 'Namespace', name: 'default' }));
      expect([err.status, err.reason, err.attempts]).toEqual([401, 'Unauthorized', 1]);
      expect(err.message).toBe('discover v1 failed: 401 Unauthorized: Unauthorized');
    });
  });
});
