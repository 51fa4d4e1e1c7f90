// Event recording the way components do it: one Event per (object, reason, message), count bumped on repeats.
import { randomBytes } from 'node:crypto';
import type { KubeObject, ObjectStore } from './types.ts';

export function timestamp(at = new Date()): string {
  return at.toISOString().replace(/\.\d+Z$/, 'Z');
}

export function recordEvent(store: ObjectStore, obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, component = 'cnimatrix-sim'): void {
  const namespace = obj.metadata.namespace ?? 'default';
  const now = timestamp();
  const existing = store
    .list('v1', 'Event', { namespace })
    .find((e) => {
      const io = e['involvedObject'] as { uid?: string } | undefined;
      return io?.uid === obj.metadata.uid && e['reason'] === reason && e['message'] === message;
    });
  if (existing) {
    store.put({ ...existing, count: ((existing['count'] as number | undefined) ?? 1) + 1, lastTimestamp: now });
    return;
  }
  store.put({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${obj.metadata.name}.${randomBytes(8).toString('hex')}`, namespace },
    involvedObject: {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      name: obj.metadata.name,
      ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
      uid: obj.metadata.uid,
    },
    type,
    reason,
    message,
    source: { component },
    reportingComponent: component,
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  });
}
