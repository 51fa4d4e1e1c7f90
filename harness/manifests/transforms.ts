// Applies a profile's declared ManifestTransforms to a manifest's text.

import type { ManifestTransform, ObjectSelector } from '../../clusters/transform.ts';
import { describeTransform } from '../../clusters/transform.ts';
import { CnimatrixError, ExitCode } from '../model/errors.ts';
import { parseManifest, stringifyManifest, type ManifestObject } from './yaml-docs.ts';

type Json = Record<string, unknown>;

function isMap(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function matches(object: ManifestObject, selector: ObjectSelector): boolean {
  const metadata = isMap(object['metadata']) ? object['metadata'] : {};
  return (
    object['kind'] === selector.kind &&
    metadata['name'] === selector.name &&
    (selector.namespace === undefined || metadata['namespace'] === selector.namespace)
  );
}

function transformError(t: ManifestTransform, source: string, problem: string): CnimatrixError {
  return new CnimatrixError(`cannot ${describeTransform(t)} in manifest ${source}: ${problem}`, {
    exitCode: ExitCode.infrastructure,
    hint: 'the pinned manifest no longer has the shape the profile expects; check the pin and the profile\'s transforms together',
  });
}

/** Pod spec of a workload or Pod; undefined for other kinds. */
function podSpec(object: ManifestObject): Json | undefined {
  const spec = object['spec'];
  if (!isMap(spec)) return undefined;
  if (object['kind'] === 'Pod') return spec;
  const jobTemplate = spec['jobTemplate'];
  const template = isMap(jobTemplate) && isMap(jobTemplate['spec']) ? jobTemplate['spec']['template'] : spec['template'];
  return isMap(template) && isMap(template['spec']) ? template['spec'] : undefined;
}

export function podContainers(object: ManifestObject): Json[] {
  const spec = podSpec(object);
  if (spec === undefined) return [];
  const list = (key: string) => (Array.isArray(spec[key]) ? (spec[key] as unknown[]).filter(isMap) : []);
  return [...list('initContainers'), ...list('containers')];
}

function setEnv(container: Json, env: Record<string, string>): void {
  const current = Array.isArray(container['env']) ? (container['env'] as unknown[]).filter(isMap) : [];
  for (const [name, value] of Object.entries(env)) {
    const existing = current.find((e) => e['name'] === name);
    if (existing === undefined) {
      current.push({ name, value });
    } else {
      delete existing['valueFrom'];
      existing['value'] = value;
    }
  }
  container['env'] = current;
}

function replaceStrings(value: unknown, from: string, to: string): { value: unknown; count: number } {
  if (value === from) return { value: to, count: 1 };
  if (Array.isArray(value)) {
    let count = 0;
    const out = value.map((v) => {
      const r = replaceStrings(v, from, to);
      count += r.count;
      return r.value;
    });
    return { value: out, count };
  }
  if (isMap(value)) {
    let count = 0;
    for (const key of Object.keys(value)) {
      const r = replaceStrings(value[key], from, to);
      count += r.count;
      value[key] = r.value;
    }
    return { value, count };
  }
  return { value, count: 0 };
}

function applyOne(objects: ManifestObject[], t: ManifestTransform, source: string): void {
  const targets = t.target === undefined ? objects : objects.filter((o) => matches(o, t.target as ObjectSelector));
  if (targets.length === 0) throw transformError(t, source, 'no object matches the target');

  switch (t.op) {
    case 'setConfigMapData':
      for (const cm of targets) {
        const data = isMap(cm['data']) ? cm['data'] : {};
        Object.assign(data, t.data);
        cm['data'] = data;
      }
      return;
    case 'mergeConfigMapJson':
      for (const cm of targets) {
        const data = cm['data'];
        const raw = isMap(data) ? data[t.key] : undefined;
        if (typeof raw !== 'string') throw transformError(t, source, `data key ${t.key} is missing`);
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw);
        } catch {
          throw transformError(t, source, `data key ${t.key} is not JSON`);
        }
        if (!isMap(parsed)) throw transformError(t, source, `data key ${t.key} is not a JSON object`);
        (data as Json)[t.key] = `${JSON.stringify({ ...parsed, ...t.merge }, null, 2)}\n`;
      }
      return;
    case 'setContainerEnv':
      for (const workload of targets) {
        const containers = podContainers(workload).filter((c) => t.container === undefined || c['name'] === t.container);
        if (containers.length === 0) {
          throw transformError(t, source, t.container === undefined ? 'the target has no containers' : `no container named ${t.container}`);
        }
        for (const container of containers) setEnv(container, t.env);
      }
      return;
    case 'setImagePullPolicy':
      for (const workload of targets) {
        const containers = podContainers(workload);
        if (containers.length === 0) throw transformError(t, source, 'the target has no containers');
        for (const container of containers) container['imagePullPolicy'] = t.policy;
      }
      return;
    case 'setField':
      for (const object of targets) {
        let node: Json = object;
        for (const key of t.path.slice(0, -1)) {
          const next = node[key];
          if (next === undefined || next === null) {
            node[key] = {};
          } else if (!isMap(next)) {
            throw transformError(t, source, `${key} is not a map`);
          }
          node = node[key] as Json;
        }
        const last = t.path[t.path.length - 1];
        if (last === undefined) throw transformError(t, source, 'empty path');
        node[last] = t.value;
      }
      return;
    case 'replaceValue': {
      let count = 0;
      for (const object of targets) count += replaceStrings(object, t.from, t.to).count;
      if (count === 0) throw transformError(t, source, `no value equals "${t.from}"`);
      return;
    }
  }
}

/**
 * Returns the manifest with every transform applied in order. Each transform must change at
 * least one object; otherwise the pin and the profile disagree and this throws (exit code 4).
 */
export function applyTransforms(yamlText: string, transforms: ManifestTransform[], source = 'manifest'): string {
  if (transforms.length === 0) return yamlText;
  const objects = parseManifest(yamlText, source);
  for (const t of transforms) applyOne(objects, t, source);
  return stringifyManifest(objects);
}
