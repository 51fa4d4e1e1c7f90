// Container images a manifest runs, for `kind load` preloading.

import { podContainers } from './transforms.ts';
import { parseManifest } from './yaml-docs.ts';

export function imagesInManifest(yamlText: string, source = 'manifest'): string[] {
  const images = new Set<string>();
  for (const object of parseManifest(yamlText, source)) {
    for (const container of podContainers(object)) {
      if (typeof container['image'] === 'string') images.add(container['image']);
    }
  }
  return [...images].sort();
}
