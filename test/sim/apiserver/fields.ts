// Field ownership for server-side apply, simplified: a manager owns leaf paths (maps are walked,
// lists are atomic) recorded in metadata.managedFields as FieldsV1. Apply conflicts arise when
// another manager owns a path whose value the apply would change; force takes the path over.
import { isDeepStrictEqual } from 'node:util';
import { clone } from './store.ts';
import type { KubeObject } from './types.ts';

type Path = string[];
type Json = Record<string, unknown>;

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Json;
  subresource?: string;
}

export interface FieldConflict {
  manager: string;
  path: string;
}

/** Metadata the server owns; never part of anyone's field set. */
const SERVER_METADATA = new Set(['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink']);

function isMap(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function leafPaths(value: Json, prefix: Path = []): Path[] {
  const out: Path[] = [];
  for (const [key, child] of Object.entries(value)) {
    if (prefix.length === 0 && (key === 'apiVersion' || key === 'kind')) continue;
    if (prefix.length === 1 && prefix[0] === 'metadata' && (SERVER_METADATA.has(key) || key === 'name' || key === 'namespace')) continue;
    const path = [...prefix, key];
    if (isMap(child) && Object.keys(child).length > 0) out.push(...leafPaths(child, path));
    else out.push(path);
  }
  return out;
}

function valueAt(obj: unknown, path: Path): unknown {
  let cur = obj;
  for (const key of path) {
    if (!isMap(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

function removeAt(obj: Json, path: Path): void {
  let cur: unknown = obj;
  for (const key of path.slice(0, -1)) {
    if (!isMap(cur)) return;
    cur = cur[key];
  }
  if (isMap(cur)) delete cur[path[path.length - 1]!];
}

function toFieldsV1(paths: Path[]): Json {
  const root: Json = {};
  for (const path of paths) {
    let cur = root;
    for (const key of path) {
      const k = `f:${key}`;
      cur[k] ??= {};
      cur = cur[k] as Json;
    }
  }
  return root;
}

function fromFieldsV1(fields: Json, prefix: Path = []): Path[] {
  const out: Path[] = [];
  for (const [k, child] of Object.entries(fields)) {
    if (!k.startsWith('f:')) continue;
    const path = [...prefix, k.slice(2)];
    if (isMap(child) && Object.keys(child).length > 0) out.push(...fromFieldsV1(child, path));
    else out.push(path);
  }
  return out;
}

const keyOf = (p: Path): string => JSON.stringify(p);
const dotted = (p: Path): string => `.${p.join('.')}`;

/** Deep-merges `patch` into `target`: maps merge, everything else replaces; null deletes (RFC 7386). */
export function mergePatch(target: Json, patch: Json): Json {
  const out = clone(target);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (isMap(value) && isMap(out[key])) out[key] = mergePatch(out[key] as Json, value);
    else if (isMap(value)) out[key] = mergePatch({}, value);
    else out[key] = clone(value);
  }
  return out;
}

interface Ownership {
  entry: ManagedFieldsEntry;
  paths: Map<string, Path>;
}

function readOwnership(obj: KubeObject | undefined): Ownership[] {
  const entries = (obj?.metadata['managedFields'] as ManagedFieldsEntry[] | undefined) ?? [];
  return entries.map((entry) => ({ entry, paths: new Map(fromFieldsV1(entry.fieldsV1).map((p) => [keyOf(p), p])) }));
}

function writeOwnership(obj: KubeObject, owners: Ownership[]): void {
  const entries = owners
    .filter((o) => o.paths.size > 0)
    .map((o) => ({ ...o.entry, fieldsV1: toFieldsV1([...o.paths.values()]) }));
  if (entries.length > 0) obj.metadata['managedFields'] = entries;
  else delete obj.metadata['managedFields'];
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

function ownerFor(owners: Ownership[], manager: string, operation: 'Apply' | 'Update', apiVersion: string, subresource?: string): Ownership {
  let own = owners.find((o) => o.entry.manager === manager && o.entry.operation === operation && o.entry.subresource === subresource);
  if (!own) {
    own = { entry: { manager, operation, apiVersion, time: now(), fieldsType: 'FieldsV1', fieldsV1: {}, ...(subresource ? { subresource } : {}) }, paths: new Map() };
    owners.push(own);
  }
  own.entry.time = now();
  own.entry.apiVersion = apiVersion;
  return own;
}

/**
 * Server-side apply of `applied` (already stripped of fields the caller may not set) onto `current`.
 * Returns the new object, or the conflicts when another manager owns a field whose value would change
 * and force is off.
 */
export function serverSideApply(
  current: KubeObject | undefined,
  applied: KubeObject,
  manager: string,
  force: boolean,
  subresource?: string,
): { object: KubeObject } | { conflicts: FieldConflict[] } {
  const owners = readOwnership(current);
  const appliedPaths = leafPaths(applied as unknown as Json);
  const appliedKeys = new Set(appliedPaths.map(keyOf));
  const conflicts: FieldConflict[] = [];
  for (const other of owners) {
    if (other.entry.manager === manager && other.entry.operation === 'Apply') continue;
    for (const path of appliedPaths) {
      if (!other.paths.has(keyOf(path))) continue;
      if (isDeepStrictEqual(valueAt(current, path), valueAt(applied, path))) continue;
      conflicts.push({ manager: other.entry.manager, path: dotted(path) });
      if (force) other.paths.delete(keyOf(path));
    }
  }
  if (conflicts.length > 0 && !force) return { conflicts };

  const mine = ownerFor(owners, manager, 'Apply', applied.apiVersion, subresource);
  let base = clone((current ?? { apiVersion: applied.apiVersion, kind: applied.kind, metadata: { ...applied.metadata } }) as unknown as Json);
  for (const [key, path] of mine.paths) {
    if (appliedKeys.has(key)) continue;
    const ownedElsewhere = owners.some((o) => o !== mine && o.paths.has(key));
    if (!ownedElsewhere) removeAt(base, path);
  }
  base = mergePatch(base, applied as unknown as Json);
  mine.paths = new Map(appliedPaths.map((p) => [keyOf(p), p]));
  const object = base as unknown as KubeObject;
  writeOwnership(object, owners);
  return { object };
}

/** Records that `manager` changed the fields that differ between `before` and `after` (an Update). */
export function recordUpdate(before: KubeObject | undefined, after: KubeObject, manager: string, subresource?: string): void {
  const owners = readOwnership(before);
  const changed = leafPaths(after as unknown as Json).filter((p) => !isDeepStrictEqual(valueAt(before, p), valueAt(after, p)));
  if (changed.length > 0) {
    const mine = ownerFor(owners, manager, 'Update', after.apiVersion, subresource);
    for (const p of changed) {
      for (const o of owners) if (o !== mine) o.paths.delete(keyOf(p));
      mine.paths.set(keyOf(p), p);
    }
  }
  writeOwnership(after, owners);
}

/** Equal but for what every write stamps: resourceVersion, generation and managedFields times. */
export function sameApartFromWriteTimes(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject): KubeObject => {
    const c = clone(o);
    delete c.metadata.resourceVersion;
    delete c.metadata['generation'];
    for (const entry of (c.metadata['managedFields'] as Array<Partial<ManagedFieldsEntry>> | undefined) ?? []) delete entry.time;
    return c;
  };
  return isDeepStrictEqual(strip(a), strip(b));
}
