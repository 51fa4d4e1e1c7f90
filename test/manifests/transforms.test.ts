import { describe, expect, test } from '@jest/globals';
import YAML from 'yaml';
import { applyTransforms, imagesInManifest } from '../../harness/manifests/index.ts';

const MANIFEST = `apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
  namespace: ns
data:
  keep: "yes"
  net-conf.json: |
    {
      "Network": "10.244.0.0/16",
      "Backend": { "Type": "vxlan" }
    }
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
  namespace: ns
spec:
  template:
    spec:
      initContainers:
        - name: init
          image: example/init:1
      containers:
        - name: main
          image: example/agent:1
          env:
            - name: EXISTING
              valueFrom:
                configMapKeyRef: { name: cfg, key: keep }
        - name: sidecar
          image: example/sidecar:1
      volumes:
        - name: cfg
          configMap:
            name: cfg
            defaultMode: 0644
`;

const docs = (text: string) => YAML.parseAllDocuments(text, { version: '1.1' }).map((d) => d.toJS() as Record<string, any>);

describe('applyTransforms', () => {
  test('setConfigMapData adds and replaces keys, keeping YAML 1.1 meaning of the rest', () => {
    const out = docs(applyTransforms(MANIFEST, [{ op: 'setConfigMapData', target: { kind: 'ConfigMap', name: 'cfg' }, data: { a: '1' } }]));
    expect(out[0]?.['data']['a']).toBe('1');
    expect(out[0]?.['data']['keep']).toBe('yes');
    // 0644 is octal for Kubernetes; the round trip must keep 420, not turn it into 644.
    expect(out[1]?.['spec']['template']['spec']['volumes'][0]['configMap']['defaultMode']).toBe(0o644);
  });

  test('mergeConfigMapJson merges into the embedded JSON document', () => {
    const out = docs(
      applyTransforms(MANIFEST, [
        { op: 'mergeConfigMapJson', target: { kind: 'ConfigMap', name: 'cfg', namespace: 'ns' }, key: 'net-conf.json', merge: { EnableNFTables: true } },
      ]),
    );
    expect(JSON.parse(out[0]?.['data']['net-conf.json'])).toEqual({ Network: '10.244.0.0/16', Backend: { Type: 'vxlan' }, EnableNFTables: true });
  });

  test('setContainerEnv on one container adds vars; on all containers it replaces valueFrom', () => {
    const one = docs(applyTransforms(MANIFEST, [{ op: 'setContainerEnv', target: { kind: 'DaemonSet', name: 'agent' }, container: 'sidecar', env: { X: '1' } }]));
    const spec1 = one[1]?.['spec']['template']['spec'];
    expect(spec1['containers'][1]['env']).toEqual([{ name: 'X', value: '1' }]);
    expect(spec1['containers'][0]['env']).toEqual([{ name: 'EXISTING', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'keep' } } }]);

    const all = docs(applyTransforms(MANIFEST, [{ op: 'setContainerEnv', target: { kind: 'DaemonSet', name: 'agent' }, env: { EXISTING: 'v', Y: '2' } }]));
    const spec = all[1]?.['spec']['template']['spec'];
    for (const c of [...spec['initContainers'], ...spec['containers']]) {
      expect(c['env']).toEqual(expect.arrayContaining([{ name: 'Y', value: '2' }]));
    }
    expect(spec['containers'][0]['env']).toEqual([{ name: 'EXISTING', value: 'v' }, { name: 'Y', value: '2' }]);
  });

  test('setField creates missing maps; replaceValue swaps exact scalars', () => {
    const out = docs(
      applyTransforms(MANIFEST, [
        { op: 'setField', target: { kind: 'DaemonSet', name: 'agent' }, path: ['spec', 'template', 'spec', 'nodeSelector', 'ingress-ready'], value: 'true' },
        { op: 'replaceValue', from: 'example/agent:1', to: 'example/agent:2' },
      ]),
    );
    expect(out[1]?.['spec']['template']['spec']['nodeSelector']).toEqual({ 'ingress-ready': 'true' });
    expect(out[1]?.['spec']['template']['spec']['containers'][0]['image']).toBe('example/agent:2');
  });

  test.each([
    [{ op: 'setConfigMapData', target: { kind: 'ConfigMap', name: 'missing' }, data: { a: '1' } }, /no object matches the target/],
    [{ op: 'setConfigMapData', target: { kind: 'ConfigMap', name: 'cfg', namespace: 'other' }, data: { a: '1' } }, /no object matches/],
    [{ op: 'mergeConfigMapJson', target: { kind: 'ConfigMap', name: 'cfg' }, key: 'keep', merge: {} }, /data key keep is not JSON/],
    [{ op: 'setContainerEnv', target: { kind: 'DaemonSet', name: 'agent' }, container: 'nope', env: { A: 'b' } }, /no container named nope/],
    [{ op: 'replaceValue', from: 'absent', to: 'x' }, /no value equals "absent"/],
  ] as const)('a transform that matches nothing fails loudly: %j', (transform, message) => {
    expect(() => applyTransforms(MANIFEST, [transform as never], 'test-manifest')).toThrow(message);
    try {
      applyTransforms(MANIFEST, [transform as never], 'test-manifest');
    } catch (error) {
      expect((error as { exitCode: number }).exitCode).toBe(4);
      expect((error as Error).message).toContain('in manifest test-manifest');
    }
  });

  test('no transforms returns the text unchanged; invalid YAML is reported', () => {
    expect(applyTransforms(MANIFEST, [])).toBe(MANIFEST);
    expect(() => applyTransforms('a: [1\n', [{ op: 'replaceValue', from: 'a', to: 'b' }], 'broken')).toThrow(/manifest broken is not valid YAML/);
  });
});

// The shape of rajch/weave's weave-daemonset-k8s-1.11.yaml: one `kind: List` holding every object.
const LIST_MANIFEST = `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ServiceAccount
    metadata: { name: weave-net, namespace: kube-system }
  - apiVersion: apps/v1
    kind: DaemonSet
    metadata: { name: weave-net, namespace: kube-system }
    spec:
      template:
        spec:
          initContainers:
            - name: weave-init
              image: 'example/weave-kube:latest'
              env:
          containers:
            - name: weave
              image: 'example/weave-kube:latest'
            - name: weave-npc
              image: 'example/weave-npc:latest'
`;

describe('kind: List manifests', () => {
  test('transforms reach the objects inside a List, which come out as separate documents', () => {
    const out = applyTransforms(LIST_MANIFEST, [
      { op: 'setContainerEnv', target: { kind: 'DaemonSet', name: 'weave-net', namespace: 'kube-system' }, container: 'weave', env: { IPALLOC_RANGE: '10.244.0.0/16' } },
    ]);
    const docs = YAML.parseAllDocuments(out).map((d) => d.toJS() as { kind: string; spec?: { template: { spec: { containers: Array<{ name: string; env?: unknown }> } } } });
    expect(docs.map((d) => d.kind)).toEqual(['ServiceAccount', 'DaemonSet']);
    expect(docs[1]?.spec?.template.spec.containers[0]?.env).toEqual([{ name: 'IPALLOC_RANGE', value: '10.244.0.0/16' }]);
  });

  test('images inside a List are listed; a List item that is not an object is refused', () => {
    expect(imagesInManifest(LIST_MANIFEST)).toEqual(['example/weave-kube:latest', 'example/weave-npc:latest']);
    expect(() => applyTransforms('apiVersion: v1\nkind: List\nitems: [3]\n', [{ op: 'replaceValue', from: 'a', to: 'b' }], 'odd')).toThrow(/item 1 of its List is not a Kubernetes object/);
  });
});

describe('imagesInManifest', () => {
  test('lists container and init container images once, sorted', () => {
    expect(imagesInManifest(MANIFEST)).toEqual(['example/agent:1', 'example/init:1', 'example/sidecar:1']);
  });
});
