// A pod's addresses as the API gives them: status.podIPs (one per family on a dual-stack cluster,
// the primary first), or the lone status.podIP a server may write without the list.
import type { KubeObject } from './types.ts';

export function podIPs(pod: KubeObject): string[] {
  const status = (pod.status ?? {}) as { podIP?: string; podIPs?: { ip: string }[] };
  return status.podIPs?.map((p) => p.ip) ?? (status.podIP === undefined ? [] : [status.podIP]);
}
