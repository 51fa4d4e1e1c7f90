// EndpointSlice controller: one slice per selector-backed Service, listing the matching pods that
// have an IP, with ready/serving conditions and the Service's ports resolved to container ports.
import type { KubeObject, ObjectStore } from '../types.ts';
import type { PodSpec } from './scheduling.ts';
import { controllerRef, podPhase, podReady, randomSuffix } from './shared.ts';

const MANAGED_BY = 'endpointslice-controller.k8s.io';

interface ServiceSpec {
  selector?: Record<string, string>;
  ports?: Array<{ name?: string; port: number; protocol?: string; targetPort?: number | string }>;
}

function resolveTargetPort(target: number | string | undefined, fallback: number, pods: KubeObject[]): number | undefined {
  if (target === undefined) return fallback;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const pod of pods) {
    for (const c of (pod['spec'] as PodSpec).containers ?? []) {
      const found = c.ports?.find((p) => p.name === target);
      if (found) return found.containerPort;
    }
  }
  return undefined;
}

export function reconcileEndpointSlices(store: ObjectStore): void {
  for (const svc of store.list('v1', 'Service')) {
    const s = (svc['spec'] as ServiceSpec | undefined) ?? {};
    if (!s.selector || Object.keys(s.selector).length === 0) continue;
    const namespace = svc.metadata.namespace!;
    const selector = Object.entries(s.selector).map(([k, v]) => `${k}=${v}`).join(',');
    const pods = store
      .list('v1', 'Pod', { namespace, labelSelector: selector })
      .filter((p) => (p['status'] as { podIP?: string } | undefined)?.podIP && podPhase(p) !== 'Succeeded' && podPhase(p) !== 'Failed' && !p.metadata['deletionTimestamp']);
    const endpoints = pods.map((p) => {
      const ready = podReady(p);
      return {
        addresses: [(p['status'] as { podIP: string }).podIP],
        conditions: { ready, serving: ready, terminating: false },
        nodeName: (p['spec'] as PodSpec).nodeName,
        targetRef: { kind: 'Pod', namespace, name: p.metadata.name, uid: p.metadata.uid },
      };
    });
    const ports = (s.ports ?? []).flatMap((p) => {
      const port = resolveTargetPort(p.targetPort, p.port, pods);
      return port === undefined ? [] : [{ name: p.name ?? '', port, protocol: p.protocol ?? 'TCP' }];
    });
    const existing = store.list('discovery.k8s.io/v1', 'EndpointSlice', {
      namespace,
      labelSelector: `kubernetes.io/service-name=${svc.metadata.name},endpointslice.kubernetes.io/managed-by=${MANAGED_BY}`,
    })[0];
    store.put({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        ...(existing?.metadata ?? {}),
        name: existing?.metadata.name ?? `${svc.metadata.name}-${randomSuffix()}`,
        namespace,
        labels: { 'kubernetes.io/service-name': svc.metadata.name, 'endpointslice.kubernetes.io/managed-by': MANAGED_BY },
        ownerReferences: [controllerRef(svc)],
      },
      addressType: 'IPv4',
      endpoints,
      ports,
    });
  }
}
