// The fake API server's object store: copies in, copies out, resourceVersion/uid/generation bookkeeping.
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.ts';
import type { KubeObject, ObjectStore, StoreChange, StoreListOptions } from './types.ts';

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** Everything except metadata and status: what bumps metadata.generation when it changes. */
function specPart(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

function typeKey(apiVersion: string, kind: string): string {
  return `${groupOf(apiVersion)}/${kind}`;
}

function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

export class MemoryStore implements ObjectStore {
  #types = new Map<string, Map<string, KubeObject>>();
  #listeners = new Set<(change: StoreChange) => void>();
  #rv = 1;

  get resourceVersion(): number {
    return this.#rv;
  }

  #bucket(apiVersion: string, kind: string): Map<string, KubeObject> {
    const key = typeKey(apiVersion, kind);
    let bucket = this.#types.get(key);
    if (!bucket) {
      bucket = new Map();
      this.#types.set(key, bucket);
    }
    return bucket;
  }

  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.#types.get(typeKey(apiVersion, kind))?.get(objectKey(namespace, name));
    return found ? this.#asVersion(clone(found), apiVersion) : undefined;
  }

  list(apiVersion: string, kind: string, opts: StoreListOptions = {}): KubeObject[] {
    const labels = opts.labelSelector ? parseLabelSelector(opts.labelSelector) : [];
    const fields = opts.fieldSelector ? parseFieldSelector(opts.fieldSelector) : [];
    const out: KubeObject[] = [];
    for (const obj of this.#types.get(typeKey(apiVersion, kind))?.values() ?? []) {
      if (opts.namespace !== undefined && obj.metadata.namespace !== opts.namespace) continue;
      if (!matchesLabels(obj.metadata.labels, labels) || !matchesFields(obj, fields)) continue;
      out.push(this.#asVersion(clone(obj), apiVersion));
    }
    return out.sort((a, b) =>
      objectKey(a.metadata.namespace, a.metadata.name).localeCompare(objectKey(b.metadata.namespace, b.metadata.name)),
    );
  }

  /** All namespaced objects of every type in one namespace (for namespace finalization). */
  listNamespace(namespace: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const bucket of this.#types.values()) {
      for (const obj of bucket.values()) if (obj.metadata.namespace === namespace) out.push(clone(obj));
    }
    return out;
  }

  /** Every object of every type. */
  listAll(): KubeObject[] {
    return [...this.#types.values()].flatMap((bucket) => [...bucket.values()].map((o) => clone(o)));
  }

  put(obj: KubeObject): KubeObject {
    const bucket = this.#bucket(obj.apiVersion, obj.kind);
    const key = objectKey(obj.metadata.namespace, obj.metadata.name);
    const previous = bucket.get(key);
    const next = clone(obj);
    const meta = next.metadata;
    if (previous) {
      meta.uid = previous.metadata.uid;
      meta['creationTimestamp'] = previous.metadata['creationTimestamp'];
      const prevGen = (previous.metadata['generation'] as number | undefined) ?? 1;
      meta['generation'] = isDeepStrictEqual(specPart(previous), specPart(next)) ? prevGen : prevGen + 1;
      if (isDeepStrictEqual({ ...previous, metadata: { ...previous.metadata, resourceVersion: undefined } }, { ...next, metadata: { ...meta, resourceVersion: undefined } })) {
        return clone(previous);
      }
    } else {
      meta.uid ??= randomUUID();
      meta['creationTimestamp'] ??= new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      meta['generation'] = 1;
    }
    meta.resourceVersion = String(++this.#rv);
    bucket.set(key, next);
    this.#emit({ type: previous ? 'MODIFIED' : 'ADDED', object: clone(next) });
    return clone(next);
  }

  delete(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const bucket = this.#types.get(typeKey(apiVersion, kind));
    const key = objectKey(namespace, name);
    const found = bucket?.get(key);
    if (!bucket || !found) return undefined;
    bucket.delete(key);
    found.metadata.resourceVersion = String(++this.#rv);
    this.#emit({ type: 'DELETED', object: clone(found) });
    return clone(found);
  }

  onChange(listener: (change: StoreChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(change: StoreChange): void {
    for (const l of this.#listeners) l(change);
  }

  /** Objects are stored once per group; a read through another version reports that version. */
  #asVersion(obj: KubeObject, apiVersion: string): KubeObject {
    obj.apiVersion = apiVersion;
    return obj;
  }
}
