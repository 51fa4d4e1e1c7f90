// --preload and digest-pinned images (`name:tag@sha256:…`): `kind load docker-image` cannot load
// an image by digest (kind #2394: it reports "loading" and loads nothing; kind #4028: the image
// lands under a made-up import name and kubelet cannot use it). So digest-pinned images are loaded
// by their tag, and the manifests applied to a preloaded cell name that same tag.

import { podContainers } from './transforms.ts';
import { parseManifest, stringifyManifest } from './yaml-docs.ts';

const DIGEST = /@sha256:[0-9a-f]{64}$/;

/** `name:tag@sha256:…` → `name:tag`; anything else unchanged (a digest-only reference has no tag to use). */
export function preloadReference(image: string): string {
  if (!DIGEST.test(image)) return image;
  const withoutDigest = image.replace(DIGEST, '');
  const lastSegment = withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1);
  return lastSegment.includes(':') ? withoutDigest : image;
}

/** The manifest with every container image that preloading loads by tag renamed to that tag. */
export function retagForPreload(yamlText: string, source = 'manifest'): string {
  const objects = parseManifest(yamlText, source);
  let changed = false;
  for (const object of objects) {
    for (const container of podContainers(object)) {
      const image = container['image'];
      if (typeof image !== 'string' || preloadReference(image) === image) continue;
      container['image'] = preloadReference(image);
      changed = true;
    }
  }
  return changed ? stringifyManifest(objects) : yamlText;
}
