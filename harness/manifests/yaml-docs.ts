// Multi-document Kubernetes YAML in and out. Kubernetes reads manifests with YAML 1.1 rules
// (`0644` is octal, `yes` is a boolean), so cnimatrix parses and writes them the same way.

import YAML from 'yaml';
import { CnimatrixError, ExitCode } from '../model/errors.ts';

export type ManifestObject = Record<string, unknown>;

export function parseManifest(text: string, source: string): ManifestObject[] {
  const docs = YAML.parseAllDocuments(text, { version: '1.1' });
  const objects: ManifestObject[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      throw new CnimatrixError(`manifest ${source} is not valid YAML: ${doc.errors[0]?.message ?? 'parse error'}`, {
        exitCode: ExitCode.infrastructure,
        hint: 'check the pin: the URL may serve an error page instead of the manifest',
      });
    }
    const value: unknown = doc.toJS({ maxAliasCount: 1000 });
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new CnimatrixError(`manifest ${source} has a document that is not a Kubernetes object`, {
        exitCode: ExitCode.infrastructure,
        hint: 'check the pin: the URL may serve something other than a manifest',
      });
    }
    objects.push(...listItems(value as ManifestObject, source));
  }
  return objects;
}

/**
 * A `kind: List` (or any `…List` with items) stands for its items, as kubectl reads it; rajch/weave
 * ships its manifest as one. Transforms then see the objects themselves.
 */
function listItems(value: ManifestObject, source: string): ManifestObject[] {
  const kind = value['kind'];
  if (typeof kind !== 'string' || !kind.endsWith('List') || !Array.isArray(value['items'])) return [value];
  const items = value['items'] as unknown[];
  for (const [i, item] of items.entries()) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new CnimatrixError(`manifest ${source}: item ${i + 1} of its ${kind} is not a Kubernetes object`, {
        exitCode: ExitCode.infrastructure,
        hint: 'check the pin: the URL may serve something other than a manifest',
      });
    }
  }
  return items as ManifestObject[];
}

export function stringifyManifest(objects: ManifestObject[]): string {
  return objects.map((o) => YAML.stringify(o, { version: '1.1', lineWidth: 0 })).join('---\n');
}
