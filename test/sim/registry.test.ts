// The sim without a registry does what the real lane's nodes do (docs/reality.md): a pod starts only
// when each of its images is one of the node image's own or was put there by `kind load`.
import { describe, expect, test } from '@jest/globals';
import type { KubeObject } from '../../harness/kube/types.ts';
import { nodeImageImages, registryStartup } from './cluster/registry.ts';
import { seedObjects } from './cluster/seed.ts';
import { parseKindConfig } from './kind/config.ts';
import { noCrossNode } from './faults/no-cross-node.ts';
import { registryUnreachable } from './faults/registry-unreachable.ts';

const pod = (images: string[], init: string[] = []): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'n' },
  spec: { initContainers: init.map((image, i) => ({ name: `init-${i}`, image })), containers: images.map((image, i) => ({ name: `c-${i}`, image })) },
});

describe('registryStartup', () => {
  const loaded = () => ['ghcr.io/flannel-io/flannel:v0.27.4', 'docker.io/library/busybox:1.36'];

  test('a pod whose every image is present starts; docker.io names match their short form', () => {
    expect(registryStartup(pod(['ghcr.io/flannel-io/flannel:v0.27.4', 'busybox:1.36']), [registryUnreachable], loaded)).toBeUndefined();
  });

  test('an image neither built in nor loaded keeps the pod in ImagePullBackOff, naming it, init containers first', () => {
    expect(registryStartup(pod(['ghcr.io/flannel-io/flannel:v0.27.4'], ['ghcr.io/flannel-io/flannel-cni-plugin:v1.8.0-flannel1']), [registryUnreachable], loaded)).toEqual({
      state: 'waiting',
      reason: 'ImagePullBackOff',
      message: 'Back-off pulling image "ghcr.io/flannel-io/flannel-cni-plugin:v1.8.0-flannel1"',
    });
  });

  test('with a registry (the fault off), any image starts', () => {
    expect(registryStartup(pod(['quay.io/unknown:1']), [noCrossNode], loaded)).toBeUndefined();
  });

  test("the node image holds what kind's own pods run: kube-proxy, CoreDNS, kindnet", () => {
    const config = parseKindConfig('kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n- role: worker\n');
    const images = [...nodeImageImages(seedObjects({ clusterName: 'c', config, nodeNames: ['c-control-plane', 'c-worker'] }))];
    expect(images.some((image) => image.startsWith('registry.k8s.io/kube-proxy:'))).toBe(true);
    expect(images.some((image) => image.includes('coredns'))).toBe(true);
    expect(images.some((image) => image.includes('kindnetd'))).toBe(true);
  });
});
