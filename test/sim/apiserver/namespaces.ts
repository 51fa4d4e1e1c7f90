// What a Terminating namespace reports while content with finalizers holds it, in the namespace
// controller's words (its five deletion conditions).
import { timestamp } from './events.ts';
import type { KubeObject } from './types.ts';

interface Condition {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
  lastTransitionTime: string;
}

export function finalizersOf(obj: KubeObject): string[] {
  return (obj.metadata['finalizers'] as string[] | undefined) ?? [];
}

/** "a has 1 resource instances, b has 2 resource instances": counted, sorted, joined. */
function counted(keys: string[], format: (key: string, n: number) => string): string {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts].map(([k, n]) => format(k, n)).sort().join(', ');
}

/**
 * The conditions of a namespace whose `remaining` objects wait for their finalizers; `resourceOf`
 * names an object's resource as `<plural>.<group>` (`configmaps.` for the core group).
 */
export function terminatingConditions(remaining: KubeObject[], resourceOf: (obj: KubeObject) => string): Condition[] {
  const at = timestamp();
  const condition = (type: string, status: 'True' | 'False', reason: string, message: string): Condition => ({ type, status, reason, message, lastTransitionTime: at });
  const resources = counted(remaining.map(resourceOf), (r, n) => `${r} has ${n} resource instances`);
  const finalizers = counted(remaining.flatMap(finalizersOf), (f, n) => `${f} in ${n} resource instances`);
  return [
    condition('NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered', 'All resources successfully discovered'),
    condition('NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions', 'All legacy kube types successfully parsed'),
    condition('NamespaceDeletionContentFailure', 'False', 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'),
    condition('NamespaceContentRemaining', 'True', 'SomeResourcesRemain', `Some resources are remaining: ${resources}`),
    condition('NamespaceFinalizersRemaining', 'True', 'SomeFinalizersRemain', `Some content in the namespace has finalizers remaining: ${finalizers}`),
  ];
}
