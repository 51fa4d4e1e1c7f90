import type { SimFault } from './types.ts';

export const serviceUdpNotForwarded: SimFault = {
  name: 'service-udp-not-forwarded',
  description: 'UDP to a Service (ClusterIP or NodePort) is never delivered to an endpoint: it times out, DNS through kube-dns included.',
  connection: (attempt, verdict) =>
    attempt.service && attempt.protocol === 'UDP' ? { ...verdict, outcome: 'timeout', reason: 'UDP Service traffic is not forwarded' } : verdict,
};
