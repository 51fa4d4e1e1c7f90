// Which images a node can start without a registry: those its node image holds (what kind's own
// pods run) and those `kind load docker-image` put there. With the registry-unreachable fault any
// other image cannot be pulled, and kubelet keeps the pod Pending, ImagePullBackOff, as on the real
// lane when a run lacks --preload.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeObject, PodStartup } from '../apiserver/index.ts';
import type { SimFault } from '../faults/types.ts';

/** "docker.io/library/x" and "docker.io/x" are "x" to containerd's name resolution. */
function canonical(image: string): string {
  return image.replace(/^docker\.io\/(library\/)?/, '');
}

function podImages(pod: KubeObject): string[] {
  const spec = pod.spec as { containers?: { image?: string }[]; initContainers?: { image?: string }[] } | undefined;
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])].flatMap((c) => (c.image === undefined ? [] : [c.image]));
}

/** The images of the objects seeded at create time: what the node image holds. */
export function nodeImageImages(seeded: readonly KubeObject[]): Set<string> {
  const images = new Set<string>();
  for (const obj of seeded) {
    const template = (obj.spec as { template?: KubeObject } | undefined)?.template;
    for (const image of podImages(obj.kind === 'Pod' ? obj : (template ?? obj))) images.add(canonical(image));
  }
  return images;
}

/** Images `kind load docker-image` put on the cluster's nodes (the sim's kind records them). */
export function loadedImages(clusterDir: string): string[] {
  const file = join(clusterDir, 'images.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as string[]) : [];
}

/** With registry-unreachable: Pending in ImagePullBackOff when one of the pod's images is not `present`. */
export function registryStartup(pod: KubeObject, faults: readonly SimFault[], present: () => Iterable<string>): PodStartup | undefined {
  if (!faults.some((f) => f.registryUnreachable)) return undefined;
  const have = new Set([...present()].map(canonical));
  const missing = podImages(pod).find((image) => !have.has(canonical(image)));
  return missing === undefined ? undefined : { state: 'waiting', reason: 'ImagePullBackOff', message: `Back-off pulling image "${missing}"` };
}
