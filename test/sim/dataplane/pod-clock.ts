// When pods were created, to the millisecond. creationTimestamp has whole seconds only, and the
// upgrade faults time a node's agent replacement (dataplane/agent-rollout.ts) against ticks of a
// tenth of a second; so the dataplane watches the store's writes and notes each pod's creation.
import type { KubeObject, ObjectStore } from '../apiserver/index.ts';

export class PodCreationClock {
  readonly #createdAt = new Map<string, number>();
  readonly #watched = new WeakSet<ObjectStore>();

  /** Notes the creation of every pod created in `store` from now on (once per store). */
  watch(store: ObjectStore): void {
    if (this.#watched.has(store)) return;
    this.#watched.add(store);
    store.onChange(({ type, object }) => {
      if (object.kind !== 'Pod' || object.metadata.uid === undefined) return;
      if (type === 'ADDED') this.#createdAt.set(object.metadata.uid, Date.now());
      else if (type === 'DELETED') this.#createdAt.delete(object.metadata.uid);
    });
  }

  /** The creation time noted for the pod; undefined for pods created before the watch began. */
  createdAt(pod: KubeObject): number | undefined {
    return pod.metadata.uid === undefined ? undefined : this.#createdAt.get(pod.metadata.uid);
  }
}
