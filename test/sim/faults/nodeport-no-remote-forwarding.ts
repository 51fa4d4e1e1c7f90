import type { SimFault } from './types.ts';

export const nodePortNoRemoteForwarding: SimFault = {
  name: 'nodeport-no-remote-forwarding',
  description: 'A NodePort reaches only endpoints on the node it was sent to: with externalTrafficPolicy Cluster, nodes without an endpoint drop it.',
  nodePortEndpoints: (service, node, allowed) => allowed.filter((e) => e.node === node),
};
