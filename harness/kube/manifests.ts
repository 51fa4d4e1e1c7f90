// Multi-document YAML → objects, checked, in the order apply needs: CRDs, then Namespaces, then
// everything else in the order given.
import { parseAllDocuments } from 'yaml';
import { BadInputError } from '../model/errors.ts';
import type { KubeObject } from './types.ts';

export const CRD_API_VERSION = 'apiextensions.k8s.io/v1';
export const RUN_LABEL = 'cnimatrix.io/run';

export function isCrd(obj: KubeObject): boolean {
  return obj.kind === 'CustomResourceDefinition' && obj.apiVersion.startsWith('apiextensions.k8s.io/');
}

function describeDoc(index: number, value: unknown): string {
  const kind = (value as { kind?: unknown } | null)?.kind;
  return `manifest document ${index + 1}${typeof kind === 'string' ? ` (kind ${kind})` : ''}`;
}

function checkObject(index: number, value: unknown): KubeObject {
  const o = value as Partial<KubeObject> | null;
  const where = describeDoc(index, value);
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new BadInputError(`${where} is not a mapping`, 'Each YAML document must be one Kubernetes object.');
  if (typeof o.apiVersion !== 'string' || o.apiVersion === '') throw new BadInputError(`${where} has no apiVersion`, 'Set apiVersion, e.g. apps/v1.');
  if (typeof o.kind !== 'string' || o.kind === '') throw new BadInputError(`${where} has no kind`, 'Set kind, e.g. Deployment.');
  if (typeof o.metadata?.name !== 'string' || o.metadata.name === '') {
    throw new BadInputError(`${where} has no metadata.name`, 'apply needs a name for every object (generateName is not supported by server-side apply).');
  }
  return o as KubeObject;
}

/** Parses YAML (or takes objects), expands `List` kinds, drops empty documents. */
export function parseManifests(manifests: string | KubeObject[]): KubeObject[] {
  let values: unknown[];
  if (typeof manifests === 'string') {
    values = [];
    for (const [i, doc] of parseAllDocuments(manifests).entries()) {
      if (doc.errors.length > 0) throw new BadInputError(`manifest document ${i + 1} is not valid YAML: ${doc.errors[0]!.message}`);
      values.push(doc.toJS());
    }
  } else {
    values = manifests;
  }
  const out: KubeObject[] = [];
  for (const [i, value] of values.entries()) {
    if (value === null || value === undefined) continue;
    const kind = (value as { kind?: unknown }).kind;
    if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray((value as { items?: unknown }).items)) {
      for (const item of (value as { items: unknown[] }).items) out.push(checkObject(i, item));
    } else {
      out.push(checkObject(i, value));
    }
  }
  return out;
}

/** CRDs first, Namespaces second, the rest in the given order. */
export function applyOrder(objects: KubeObject[]): number[] {
  const rank = (o: KubeObject): number => (isCrd(o) ? 0 : o.kind === 'Namespace' && o.apiVersion === 'v1' ? 1 : 2);
  return objects.map((o, i) => ({ i, r: rank(o) })).sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.i);
}

export function withRunLabel(obj: KubeObject, runId: string | undefined): KubeObject {
  if (!runId) return obj;
  return { ...obj, metadata: { ...obj.metadata, labels: { ...obj.metadata.labels, [RUN_LABEL]: runId } } };
}
