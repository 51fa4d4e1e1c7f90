// The fake API server on its own, over plain HTTP and WebSocket: what the adapter and the simulated
// cluster rely on beyond the adapter's contract tests.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import WebSocket from 'ws';
import { startApiServer, type ApiServer, type KubeObject } from './index.ts';

let api: ApiServer;

async function call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${api.url}${path}`, {
    method,
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'Content-Type': contentType } } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { text } };
}

function node(name: string, index: number, ready: boolean): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    spec: { podCIDR: `10.244.${index}.0/24` },
    status: { addresses: [{ type: 'InternalIP', address: `172.18.0.${index + 2}` }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 2000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs}ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  api = await startApiServer({
    serviceSubnet: '10.112.0.0/16',
    exec: async ({ command, stdin }) => ({ stdout: `${command.join(' ')}|${stdin ?? ''}`, stderr: '', exitCode: 0 }),
  });
  api.store.put(node('n1', 1, true));
  api.store.put(node('n2', 2, false));
});
afterAll(async () => {
  await api.stop();
});

describe('discovery and meta endpoints', () => {
  test('core, groups and group-version resource lists', async () => {
    expect((await call('GET', '/api')).body['versions']).toEqual(['v1']);
    const groups = ((await call('GET', '/apis')).body['groups'] as Array<{ name: string }>).map((g) => g.name);
    expect(groups).toEqual(expect.arrayContaining(['apps', 'batch', 'networking.k8s.io', 'discovery.k8s.io', 'apiextensions.k8s.io', 'policy', 'coordination.k8s.io']));
    const core = (await call('GET', '/api/v1')).body['resources'] as Array<{ name: string; namespaced: boolean }>;
    expect(core.find((r) => r.name === 'nodes')?.namespaced).toBe(false);
    expect(core.map((r) => r.name)).toEqual(expect.arrayContaining(['pods', 'pods/exec', 'pods/log', 'pods/status', 'services', 'endpoints']));
  });

  test('healthz, version; a 404 Status under served groups, a plain-text 404 elsewhere', async () => {
    expect((await call('GET', '/healthz')).body['text']).toBe('ok');
    expect((await call('GET', '/version')).body['gitVersion']).toMatch(/^v1\./);
    for (const path of ['/apis/apps/v2', '/apis/apps/v1/nothings', '/api/v2']) {
      const missing = await call('GET', path);
      expect([path, missing.status, missing.body]).toEqual([path, 404, expect.objectContaining({ kind: 'Status', reason: 'NotFound', message: 'the server could not find the requested resource', details: {}, code: 404 })]);
    }
    for (const path of ['/apis/nothing.example/v1/things', '/apis/nothing.example', '/nothing']) {
      expect([path, await call('GET', path)]).toEqual([path, { status: 404, body: { text: '404 page not found\n' } }]);
    }
  });

  test('a malformed selector is a 400 naming the bad term', async () => {
    const res = await call('GET', `/api/v1/pods?labelSelector=${encodeURIComponent('app in web')}`);
    expect(res.status).toBe(400);
    expect(res.body['message']).toBe('unable to parse requirement: "app in web"');
  });

  test('the apiserver-owned namespaces and the kubernetes Service exist from the start', async () => {
    const names = ((await call('GET', '/api/v1/namespaces')).body['items'] as KubeObject[]).map((n) => n.metadata.name);
    expect(names).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    const svc = (await call('GET', '/api/v1/namespaces/default/services/kubernetes')).body;
    expect((svc['spec'] as { clusterIP: string }).clusterIP).toBe('10.112.0.1');
  });
});

describe('writes', () => {
  const cm = (data: Record<string, string>, rv?: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c1', ...(rv ? { resourceVersion: rv } : {}) }, data });

  test('POST twice: 409 AlreadyExists with the real Status shape', async () => {
    expect((await call('POST', '/api/v1/namespaces/default/configmaps', cm({ a: '1' }))).status).toBe(201);
    const again = await call('POST', '/api/v1/namespaces/default/configmaps', cm({ a: '1' }));
    expect(again.status).toBe(409);
    expect(again.body).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'configmaps "c1" already exists',
      reason: 'AlreadyExists', details: { name: 'c1', kind: 'configmaps' }, code: 409,
    });
  });

  test('PUT with a stale resourceVersion is a 409 Conflict; with the current one it succeeds', async () => {
    const current = (await call('GET', '/api/v1/namespaces/default/configmaps/c1')).body as unknown as KubeObject;
    const rv = current.metadata.resourceVersion!;
    expect((await call('PUT', '/api/v1/namespaces/default/configmaps/c1', cm({ a: '2' }, rv))).status).toBe(200);
    const stale = await call('PUT', '/api/v1/namespaces/default/configmaps/c1', cm({ a: '3' }, rv));
    expect(stale.status).toBe(409);
    expect(stale.body['reason']).toBe('Conflict');
  });

  test('server-side apply: conflicts between managers unless forced', async () => {
    const applyAs = (manager: string, replicas: number, force: boolean): Promise<{ status: number; body: Record<string, unknown> }> =>
      call('PATCH', `/apis/policy/v1/namespaces/default/poddisruptionbudgets/pdb?fieldManager=${manager}&force=${force}`,
        `apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: pdb\nspec:\n  minAvailable: ${replicas}\n`, 'application/apply-patch+yaml');
    expect((await applyAs('alice', 1, false)).status).toBe(201);
    expect((await applyAs('alice', 2, false)).status).toBe(200);
    const conflict = await applyAs('bob', 3, false);
    expect(conflict.status).toBe(409);
    expect(conflict.body['message']).toBe('Apply failed with 1 conflict: conflict with "alice": .spec.minAvailable');
    expect((await applyAs('bob', 2, false)).status).toBe(200); // same value: shared ownership, no conflict
    const forced = await applyAs('bob', 3, true);
    expect(forced.status).toBe(200);
    expect((forced.body['spec'] as { minAvailable: number }).minAvailable).toBe(3);
  });

  test('server-side apply: unchanged is not written; without a field manager it is Invalid; conflicts name only fields', async () => {
    const apply = (query: string, value: string) => call('PATCH', `/api/v1/namespaces/default/configmaps/applied${query}`, `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  a: "${value}"\n`, 'application/apply-patch+yaml');
    const first = await apply('?fieldManager=alice', '1');
    await new Promise((r) => setTimeout(r, 1100)); // managedFields times have one-second resolution
    const again = await apply('?fieldManager=alice', '1');
    expect((again.body as unknown as KubeObject).metadata.resourceVersion).toBe((first.body as unknown as KubeObject).metadata.resourceVersion);
    expect((await apply('', '1')).body).toMatchObject({ code: 422, reason: 'Invalid', message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch' });
    expect((await apply('?fieldManager=bob', '2')).body['details']).toEqual({ causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.data.a' }] });
  });

  test('finalizers: a deleted object stays, marked, until its last finalizer goes; its namespace says what holds it', async () => {
    await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'held' } });
    await call('POST', '/api/v1/namespaces/held/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers: ['example.io/hold'] } });
    await call('DELETE', '/api/v1/namespaces/held');
    const conditions = await until(() => (api.store.get('v1', 'Namespace', undefined, 'held')?.['status'] as { conditions?: Array<{ type: string; status: string; message: string }> } | undefined)?.conditions, 'namespace conditions');
    expect(conditions.filter((c) => c.status === 'True').map((c) => `${c.type}: ${c.message}`)).toEqual([
      'NamespaceContentRemaining: Some resources are remaining: configmaps. has 1 resource instances',
      'NamespaceFinalizersRemaining: Some content in the namespace has finalizers remaining: example.io/hold in 1 resource instances',
    ]);
    expect(api.store.get('v1', 'ConfigMap', 'held', 'c')?.metadata['deletionTimestamp']).toBeDefined();
    await call('PATCH', '/api/v1/namespaces/held/configmaps/c', { metadata: { finalizers: null } }, 'application/merge-patch+json');
    expect(api.store.get('v1', 'ConfigMap', 'held', 'c')).toBeUndefined();
    await until(() => api.store.get('v1', 'Namespace', undefined, 'held') === undefined || undefined, 'namespace gone');
  });

  test('status changes only through /status', async () => {
    await call('POST', '/apis/policy/v1/namespaces/default/poddisruptionbudgets', { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 's' }, spec: { minAvailable: 1 }, status: { currentHealthy: 9 } });
    expect((await call('GET', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/s')).body['status']).toBeUndefined();
    const patched = await call('PATCH', '/apis/policy/v1/namespaces/default/poddisruptionbudgets/s/status', { status: { currentHealthy: 2 }, spec: { minAvailable: 5 } }, 'application/merge-patch+json');
    expect(patched.body['status']).toEqual({ currentHealthy: 2 });
    expect(patched.body['spec']).toEqual({ minAvailable: 1 });
  });

  test('a CRD is served once Established and its objects go with it', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'things.example.io' },
      spec: { group: 'example.io', scope: 'Cluster', names: { kind: 'Thing', plural: 'things' }, versions: [{ name: 'v1alpha1', served: true, storage: true }] },
    };
    expect((await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd)).status).toBe(201);
    expect((await call('GET', '/apis/example.io/v1alpha1/things')).status).toBe(404);
    await until(() => api.store.get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, 'things.example.io')?.['status'] !== undefined || undefined, 'CRD established');
    expect((await call('POST', '/apis/example.io/v1alpha1/things', { apiVersion: 'example.io/v1alpha1', kind: 'Thing', metadata: { name: 't' } })).status).toBe(201);
    expect((await call('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/things.example.io')).status).toBe(200);
    expect(api.store.list('example.io/v1alpha1', 'Thing')).toEqual([]);
    expect((await call('GET', '/apis/example.io/v1alpha1/things')).status).toBe(404);
  });

  test('a CRD named other than plural.group is Invalid', async () => {
    const bad = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'wrong.example.io' }, spec: { group: 'example.io', scope: 'Cluster', names: { kind: 'Thing', plural: 'things' }, versions: [{ name: 'v1' }] } };
    const res = await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', bad);
    expect(res.status).toBe(422);
    expect(res.body['message']).toContain('must be spec.names.plural+"."+spec.group');
  });
});

describe('controllers', () => {
  beforeAll(async () => {
    await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ctl' } });
  });

  test('Services get ClusterIPs from the service subnet, NodePorts, and EndpointSlices of ready pods', async () => {
    const svc = await call('POST', '/api/v1/namespaces/ctl/services', {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' },
      spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    });
    const spec = svc.body['spec'] as { clusterIP: string; ports: Array<{ nodePort: number; protocol: string }> };
    expect(spec.clusterIP).toMatch(/^10\.112\./);
    expect(spec.ports[0]).toMatchObject({ nodePort: 30000, protocol: 'TCP' });
    const headless = await call('POST', '/api/v1/namespaces/ctl/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'hl' }, spec: { clusterIP: 'None', selector: { app: 'web' }, ports: [{ port: 80 }] } });
    expect((headless.body['spec'] as { clusterIP: string }).clusterIP).toBe('None');
    await call('POST', '/api/v1/namespaces/ctl/pods', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', labels: { app: 'web' } },
      spec: { containers: [{ name: 'main', image: 'agnhost', ports: [{ name: 'http', containerPort: 8080 }] }] },
    });
    const slice = await until(() => api.store.list('discovery.k8s.io/v1', 'EndpointSlice', { namespace: 'ctl', labelSelector: 'kubernetes.io/service-name=web' })
      .find((s) => (s['endpoints'] as Array<{ conditions: { ready: boolean } }>)[0]?.conditions.ready), 'ready endpoint');
    expect(slice['ports']).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect((slice['endpoints'] as Array<{ addresses: string[]; nodeName: string }>)[0]).toMatchObject({ addresses: ['10.244.1.2'], nodeName: 'n1' });
  });

  test('a DaemonSet runs on NotReady nodes only when it tolerates the not-ready taint; its non-hostNetwork pod waits for the network', async () => {
    const ds = (name: string, tolerations: unknown[]): unknown => ({
      apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name },
      spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { tolerations, containers: [{ name: 'c', image: 'x' }] } } },
    });
    await call('POST', '/apis/apps/v1/namespaces/ctl/daemonsets', ds('picky', []));
    await call('POST', '/apis/apps/v1/namespaces/ctl/daemonsets', ds('any', [{ operator: 'Exists' }]));
    const picky = await until(() => api.store.get('apps/v1', 'DaemonSet', 'ctl', 'picky')?.['status'] as { desiredNumberScheduled: number } | undefined, 'picky status');
    expect(picky.desiredNumberScheduled).toBe(1);
    const onN2 = await until(() => api.store.list('v1', 'Pod', { namespace: 'ctl', labelSelector: 'app=any', fieldSelector: 'spec.nodeName=n2' })[0], 'any pod bound on n2');
    await until(() => api.store.list('v1', 'Event', { namespace: 'ctl' }).find((e) => e['reason'] === 'FailedCreatePodSandBox'), 'sandbox event');
    expect((api.store.get('v1', 'Pod', 'ctl', onN2.metadata.name)!['status'] as { phase: string }).phase).toBe('Pending');
  });

  test('a Deployment replaces its pods when the template changes and its pods go when it is deleted', async () => {
    const deploy = (image: string): unknown => ({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image }] } } },
    });
    const apply = (image: string): Promise<unknown> => call('PATCH', '/apis/apps/v1/namespaces/ctl/deployments/d?fieldManager=test', deploy(image), 'application/apply-patch+yaml');
    await apply('v1');
    const first = await until(() => { const p = api.store.list('v1', 'Pod', { namespace: 'ctl', labelSelector: 'app=d' }); return p.length === 2 ? p : undefined; }, 'two pods');
    await apply('v2');
    await until(() => {
      const p = api.store.list('v1', 'Pod', { namespace: 'ctl', labelSelector: 'app=d' });
      return p.length === 2 && p.every((x) => !first.some((f) => f.metadata.name === x.metadata.name)) || undefined;
    }, 'pods replaced');
    await call('DELETE', '/apis/apps/v1/namespaces/ctl/deployments/d');
    expect(api.store.list('v1', 'Pod', { namespace: 'ctl', labelSelector: 'app=d' })).toEqual([]);
  });
});

describe('exec protocol', () => {
  beforeAll(async () => {
    api.store.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'sh', namespace: 'ctl' }, spec: { nodeName: 'n1', containers: [{ name: 'main' }] }, status: { phase: 'Running' } });
  });

  function execFrames(protocol: string, query: string, stdin?: string): Promise<{ protocol: string; frames: Array<[number, string]> }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${api.url.replace('http', 'ws')}/api/v1/namespaces/ctl/pods/sh/exec?${query}`, [protocol]);
      const frames: Array<[number, string]> = [];
      ws.on('open', () => {
        if (stdin !== undefined) {
          ws.send(Buffer.concat([Buffer.from([0]), Buffer.from(stdin)]));
          ws.send(Buffer.from([255, 0]));
        }
      });
      ws.on('message', (data: Buffer) => frames.push([data[0]!, data.subarray(1).toString()]));
      ws.on('close', () => resolve({ protocol: ws.protocol, frames }));
      ws.on('error', reject);
    });
  }

  test('v5 with stdin half-closed by the close channel', async () => {
    const r = await execFrames('v5.channel.k8s.io', 'command=cat&command=-&stdin=true&stdout=true', 'data');
    expect(r.protocol).toBe('v5.channel.k8s.io');
    expect(r.frames).toEqual([[1, 'cat -|data'], [3, '{"metadata":{},"status":"Success"}']]);
  });

  test('v4 without stdin', async () => {
    const r = await execFrames('v4.channel.k8s.io', 'command=hostname&stdout=true');
    expect(r.protocol).toBe('v4.channel.k8s.io');
    expect(r.frames[0]).toEqual([1, 'hostname|']);
  });

  test('without an upgrade, the pod, container and node are checked before "Upgrade request required"', async () => {
    api.store.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pending', namespace: 'ctl' }, spec: { nodeSelector: { none: 'fits' }, containers: [{ name: 'a' }, { name: 'b' }] }, status: { phase: 'Pending' } });
    const refusal = async (path: string) => (await call('GET', `/api/v1/namespaces/ctl/pods/${path}&command=true`)).body['message'];
    expect(await refusal('nope/exec?stdout=true')).toBe('pods "nope" not found');
    expect(await refusal('pending/exec?stdout=true')).toBe('a container name must be specified for pod pending, choose one of: [a b]');
    expect(await refusal('pending/exec?container=c')).toBe('container c is not valid for pod pending');
    expect(await refusal('pending/exec?container=a')).toBe('pod pending does not have a host assigned');
    expect(await refusal('sh/exec?stdout=true')).toBe('Upgrade request required');
  });

  test('a missing pod refuses the upgrade with 404', async () => {
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${api.url.replace('http', 'ws')}/api/v1/namespaces/ctl/pods/nope/exec?command=x`, ['v5.channel.k8s.io']);
      ws.on('error', () => undefined); // terminate() below reports the aborted handshake as an error
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
        ws.terminate();
      });
    });
    expect(status).toBe(404);
  });
});
