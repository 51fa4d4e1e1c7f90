// Edits cnimatrix makes to a pinned manifest before applying it, declared as data so the plan can
// show them. harness/manifests applies them; each one must match at least one object, so a pin
// bump that renames an object fails loudly instead of silently skipping the edit.

/** Selects objects in a manifest; namespace is compared only when given. */
export interface ObjectSelector {
  kind: string;
  name: string;
  namespace?: string;
}

export type ManifestTransform =
  /** Set (add or replace) string keys in a ConfigMap's data. */
  | { op: 'setConfigMapData'; target: ObjectSelector; data: Record<string, string> }
  /** Merge keys into a JSON document stored under one ConfigMap data key (e.g. flannel's net-conf.json). */
  | { op: 'mergeConfigMapJson'; target: ObjectSelector; key: string; merge: Record<string, unknown> }
  /**
   * Set (add or replace) env vars on a workload's containers. Without `container`, every container
   * and init container of the pod template gets them.
   */
  | { op: 'setContainerEnv'; target: ObjectSelector; container?: string; env: Record<string, string> }
  /** Set imagePullPolicy on every container and init container of a workload's pod template. */
  | { op: 'setImagePullPolicy'; target: ObjectSelector; policy: 'Always' | 'IfNotPresent' | 'Never' }
  /** Set the value at a path of keys below the object root, creating missing maps. */
  | { op: 'setField'; target: ObjectSelector; path: string[]; value: unknown }
  /** Replace every scalar string exactly equal to `from` (in the target, or in every object). */
  | { op: 'replaceValue'; target?: ObjectSelector; from: string; to: string };

export function describeTransform(t: ManifestTransform): string {
  const where = (s: ObjectSelector | undefined) =>
    s === undefined ? 'every object' : `${s.kind} ${s.namespace === undefined ? '' : `${s.namespace}/`}${s.name}`;
  switch (t.op) {
    case 'setConfigMapData':
      return `set ${Object.entries(t.data).map(([k, v]) => `${k}=${v}`).join(', ')} in ${where(t.target)}`;
    case 'mergeConfigMapJson':
      return `merge ${JSON.stringify(t.merge)} into ${t.key} of ${where(t.target)}`;
    case 'setContainerEnv':
      return `set env ${Object.entries(t.env).map(([k, v]) => `${k}=${v}`).join(', ')} on ${t.container ?? 'all containers'} of ${where(t.target)}`;
    case 'setImagePullPolicy':
      return `set imagePullPolicy=${t.policy} on all containers of ${where(t.target)}`;
    case 'setField':
      return `set ${t.path.join('.')}=${JSON.stringify(t.value)} in ${where(t.target)}`;
    case 'replaceValue':
      return `replace "${t.from}" with "${t.to}" in ${where(t.target)}`;
  }
}
