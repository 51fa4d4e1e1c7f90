// A Service's endpoints as its EndpointSlices list them. The proxies and CoreDNS act on the slices,
// so a check about a pod's endpoint waits until the slice lists it, and quotes its conditions.
import type { Kube } from '../../harness/kube/types.ts';

export interface SliceEndpoint {
  /** The pod the endpoint points to (targetRef), if any. */
  pod: string | undefined;
  addresses: string[];
  /** The ready condition; absent means ready (EndpointSlice API). */
  ready: boolean;
}

interface RawEndpoint {
  addresses?: string[];
  conditions?: { ready?: boolean };
  targetRef?: { kind?: string; name?: string };
}

export async function serviceEndpoints(kube: Kube, ns: string, service: string): Promise<SliceEndpoint[]> {
  const slices = await kube.list('discovery.k8s.io/v1', 'EndpointSlice', { namespace: ns, labelSelector: `kubernetes.io/service-name=${service}` });
  return slices.flatMap((slice) =>
    ((slice['endpoints'] as RawEndpoint[] | undefined) ?? []).map((e) => ({
      pod: e.targetRef?.kind === 'Pod' ? e.targetRef.name : undefined,
      addresses: e.addresses ?? [],
      ready: e.conditions?.ready !== false,
    })),
  );
}

/** Waits until the Service's EndpointSlices list an endpoint for `pod`, and returns it. */
export async function waitForPodEndpoint(kube: Kube, ns: string, service: string, pod: string, timeoutMs: number): Promise<SliceEndpoint> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const endpoints = await serviceEndpoints(kube, ns, service);
    const found = endpoints.find((e) => e.pod === pod);
    if (found) return found;
    if (Date.now() > deadline) {
      const listed = endpoints.map((e) => e.pod ?? e.addresses.join(',')).join(', ') || 'none';
      throw new Error(`the EndpointSlices of Service ${ns}/${service} never listed pod ${pod} within ${timeoutMs / 1000} s (they list: ${listed})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

export function describeEndpoint(e: SliceEndpoint): string {
  return `${e.pod ?? '(no pod)'} ${e.addresses.join(',') || '(no address)'} ready=${e.ready}`;
}
