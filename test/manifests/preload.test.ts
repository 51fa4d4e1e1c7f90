// --preload of digest-pinned images: kind cannot load `name:tag@sha256:…` (kind #2394, #4028), so
// the image is loaded by its tag and preloaded cells' manifests name that tag.
import { describe, expect, test } from '@jest/globals';
import YAML from 'yaml';
import { calico } from '../../clusters/calico.ts';
import { componentImages } from '../../clusters/versions.ts';
import { preloadReference, retagForPreload } from '../../harness/manifests/index.ts';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('preloadReference', () => {
  test('drops the digest of a tagged reference and leaves the rest alone', () => {
    expect(preloadReference(`registry.k8s.io/ingress-nginx/controller:v1.15.1@${DIGEST}`)).toBe('registry.k8s.io/ingress-nginx/controller:v1.15.1');
    expect(preloadReference(`localhost:5000/x/y:1@${DIGEST}`)).toBe('localhost:5000/x/y:1');
    expect(preloadReference('quay.io/calico/node:v3.32.1')).toBe('quay.io/calico/node:v3.32.1');
    // No tag to load it by: kept as it is.
    expect(preloadReference(`localhost:5000/x/y@${DIGEST}`)).toBe(`localhost:5000/x/y@${DIGEST}`);
  });

  test('every digest-pinned component image has a tag to preload by', () => {
    for (const image of Object.values(componentImages).flat()) expect(preloadReference(image)).not.toContain('@sha256:');
  });
});

describe('retagForPreload', () => {
  test('renames digest-pinned container images to their tag; other manifests come back unchanged', () => {
    const manifest = `apiVersion: batch/v1
kind: Job
metadata: { name: create, namespace: ingress-nginx }
spec:
  template:
    spec:
      containers: [{ name: create, image: "registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.6.9@${DIGEST}" }]
`;
    const out = YAML.parse(retagForPreload(manifest)) as { spec: { template: { spec: { containers: Array<{ image: string }> } } } };
    expect(out.spec.template.spec.containers[0]?.image).toBe('registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.6.9');
    const plain = 'apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec:\n  containers: [{ name: c, image: "busybox:1" }]\n';
    expect(retagForPreload(plain)).toBe(plain);
  });
});

test('Calico preloads the Tigera operator image its manifest runs, not only the workloads the operator creates', () => {
  expect(calico.images).toContain('quay.io/tigera/operator:v1.42.3');
});
