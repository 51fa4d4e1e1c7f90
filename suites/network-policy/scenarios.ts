// The NetworkPolicy scenario catalogue: each entry is data (policies, label changes, probes);
// the expected truth tables come from the policy engine, never from the scenario.
import type { NetworkPolicy, NetworkPolicySpec, PortProbe } from '../../harness/netpol/index.ts';
import { coveringCidr, MODEL_POD_KEYS, networkOf, OWN_PORT_NAME, OWN_PORTS, type ModelNamespace } from './model.ts';
import type { Scenario } from './scenario.ts';

function policy(namespace: ModelNamespace, name: string, spec: NetworkPolicySpec): NetworkPolicy {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

const TCP80: PortProbe = { port: 80, protocol: 'TCP' };
const TCP81: PortProbe = { port: 81, protocol: 'TCP' };
const UDP80: PortProbe = { port: 80, protocol: 'UDP' };
const UDP81: PortProbe = { port: 81, protocol: 'UDP' };
const SCTP80: PortProbe = { port: 80, protocol: 'SCTP' };
const SCTP81: PortProbe = { port: 81, protocol: 'SCTP' };
const TCP5432: PortProbe = { port: 5432, protocol: 'TCP' };
const TCP8080: PortProbe = { port: 8080, protocol: 'TCP' };
/** Every number the per-pod named port has on some pod. */
const OWN_PORT_PROBES: PortProbe[] = Object.values(OWN_PORTS).map((port) => ({ port, protocol: 'TCP' }));

const NP = ['networkPolicy'] as const;
const NP_SCTP = ['networkPolicy', 'sctp'] as const;
/** Scenarios whose ipBlocks are built from pod IPs. */
const NP_IPBLOCK_PODS = ['networkPolicy', 'ipBlockMatchesPodIPs'] as const;

/** The name every probe of DNS resolution uses: always served by the cluster's DNS. */
const CLUSTER_DNS_NAME = 'kubernetes.default.svc.cluster.local';

const denyIngress = (ns: ModelNamespace, name = 'deny-ingress') => policy(ns, name, { podSelector: {}, policyTypes: ['Ingress'] });
const denyEgress = (ns: ModelNamespace, name = 'deny-egress') => policy(ns, name, { podSelector: {}, policyTypes: ['Egress'] });

export const scenarios: Scenario[] = [
  {
    name: 'default deny ingress',
    description: 'An empty podSelector with policyTypes [Ingress] and no rules isolates every pod of x for ingress.',
    needs: [...NP],
    steps: [{ apply: [denyIngress('x')] }, { probe: [TCP80, UDP80] }],
  },
  {
    name: 'default deny egress',
    description: 'An empty podSelector with policyTypes [Egress] and no rules stops every pod of x from sending (probed by IP, no DNS needed).',
    needs: [...NP],
    steps: [{ apply: [denyEgress('x')] }, { probe: [TCP80, UDP80] }],
  },
  {
    name: 'allow all ingress over default deny',
    description: 'A default deny of x takes effect; then a rule with no from/ports admits everything again next to it.',
    needs: [...NP],
    steps: [
      { apply: [denyIngress('x')] },
      { probe: [TCP80] },
      { apply: [policy('x', 'allow-all-ingress', { podSelector: {}, ingress: [{}] })] },
      { probe: [TCP80, UDP81] },
    ],
  },
  {
    name: 'allow all egress over default deny',
    description: 'A default deny egress of x takes effect; then an egress rule with no to/ports admits every destination again.',
    needs: [...NP],
    steps: [
      { apply: [denyEgress('x')] },
      { probe: [TCP80] },
      { apply: [policy('x', 'allow-all-egress', { podSelector: {}, policyTypes: ['Egress'], egress: [{}] })] },
      { probe: [TCP80, UDP81] },
    ],
  },
  {
    name: 'pod selector',
    description: 'x/a admits ingress only from pods labelled pod=b of its own namespace.',
    needs: [...NP],
    steps: [
      { apply: [policy('x', 'allow-from-b', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }] })] },
      { probe: [TCP80, UDP80] },
    ],
  },
  {
    name: 'namespace selector',
    description: 'x/a admits ingress from every pod of namespaces labelled ns=y.',
    needs: [...NP],
    steps: [
      { apply: [policy('x', 'allow-from-ns-y', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }] })] },
      { probe: [TCP80] },
    ],
  },
  {
    name: 'matchExpressions In and NotIn',
    description: 'x/a admits pods not labelled pod=c from namespaces ns In (y, z).',
    needs: [...NP],
    steps: [
      {
        apply: [
          policy('x', 'expressions-in-notin', {
            podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['a'] }] },
            ingress: [
              {
                from: [
                  {
                    namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'In', values: ['y', 'z'] }] },
                    podSelector: { matchExpressions: [{ key: 'pod', operator: 'NotIn', values: ['c'] }] },
                  },
                ],
              },
            ],
          }),
        ],
      },
      { probe: [TCP80] },
    ],
  },
  {
    name: 'matchExpressions Exists and DoesNotExist',
    description: 'Pods of x without a role label are isolated; they admit pods that carry a role label, from any namespace with an ns label.',
    needs: [...NP],
    steps: [
      { relabelPod: { pod: 'x/c', labels: { role: 'exempt' } } },
      { relabelPod: { pod: 'y/b', labels: { role: 'client' } } },
      {
        apply: [
          policy('x', 'expressions-exists', {
            podSelector: { matchExpressions: [{ key: 'role', operator: 'DoesNotExist' }] },
            ingress: [
              {
                from: [
                  {
                    namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'Exists' }] },
                    podSelector: { matchExpressions: [{ key: 'role', operator: 'Exists' }] },
                  },
                ],
              },
            ],
          }),
        ],
      },
      { probe: [TCP80] },
    ],
  },
  {
    name: 'peers AND: namespaceSelector with podSelector in one peer',
    description: 'One peer with both selectors admits only pod=b pods of namespace y (both must match).',
    needs: [...NP],
    steps: [
      {
        apply: [
          policy('x', 'peer-and', {
            podSelector: { matchLabels: { pod: 'a' } },
            ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'b' } } }] }],
          }),
        ],
      },
      { probe: [TCP80] },
    ],
  },
  {
    name: 'peers OR: namespaceSelector and podSelector as two peers',
    description: 'Two peers admit every pod of namespace y, or pod=b pods of x (either may match).',
    needs: [...NP],
    steps: [
      {
        apply: [
          policy('x', 'peer-or', {
            podSelector: { matchLabels: { pod: 'a' } },
            ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }, { podSelector: { matchLabels: { pod: 'b' } } }] }],
          }),
        ],
      },
      { probe: [TCP80] },
    ],
  },
  {
    name: 'named port ingress',
    description: 'x/a admits any source on its container port named serve-81-tcp only: 81/TCP allowed, 80/TCP and 81/UDP denied.',
    needs: [...NP],
    steps: [
      { apply: [policy('x', 'allow-named-81', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ ports: [{ port: 'serve-81-tcp', protocol: 'TCP' }] }] })] },
      { probe: [TCP80, TCP81, UDP81] },
    ],
  },
  {
    name: 'named port egress',
    description: 'Pods of y may send only to destination ports named serve-80-udp (resolved on each destination pod).',
    needs: [...NP],
    steps: [
      { apply: [policy('y', 'egress-named-80-udp', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'serve-80-udp', protocol: 'UDP' }] }] })] },
      { probe: [TCP80, UDP80, UDP81] },
    ],
  },
  {
    name: 'named port resolved on each destination pod',
    description:
      `Pods of x admit only their own port named ${OWN_PORT_NAME}, a different number on each pod (a ${OWN_PORTS.a}, b ${OWN_PORTS.b}, c ${OWN_PORTS.c}): ` +
      'each opens exactly its own number, whatever the source.',
    needs: [...NP],
    steps: [
      { apply: [policy('x', 'allow-own-api', { podSelector: {}, ingress: [{ ports: [{ port: OWN_PORT_NAME, protocol: 'TCP' }] }] })] },
      { probe: OWN_PORT_PROBES },
    ],
  },
  {
    name: 'named port resolved on each destination pod, egress',
    description: `Pods of y may send only to each destination's own port named ${OWN_PORT_NAME} (a ${OWN_PORTS.a}, b ${OWN_PORTS.b}, c ${OWN_PORTS.c}), not to the number it has on the source.`,
    needs: [...NP],
    steps: [
      { apply: [policy('y', 'egress-own-api', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: OWN_PORT_NAME, protocol: 'TCP' }] }] })] },
      { probe: OWN_PORT_PROBES },
    ],
  },
  // The boundary rule adds the ports below, at both ends, in the middle and above each range
  // (80, 81, 85, 90, 91 here) to every probe step; the steps list only what else they check.
  {
    name: 'endPort range',
    description: 'x/a admits TCP ports 81..90 only: 81, 85 and 90 allowed, 80 and 91 denied, and UDP 81 denied.',
    needs: [...NP],
    steps: [
      { apply: [policy('x', 'allow-81-to-90', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ ports: [{ protocol: 'TCP', port: 81, endPort: 90 }] }] })] },
      { probe: [UDP81] },
    ],
  },
  {
    name: 'endPort range egress',
    description: 'Pods of z may send only to TCP ports 81..90: 81, 85 and 90 allowed, 80 and 91 denied, and UDP 81 denied.',
    needs: [...NP],
    steps: [
      { apply: [policy('z', 'egress-81-to-90', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'TCP', port: 81, endPort: 90 }] }] })] },
      { probe: [UDP81] },
    ],
  },
  {
    name: 'ipBlock ingress with except',
    description: 'x/a admits the CIDR covering every model pod except the /32 of y/b (built from the live pod IPs).',
    needs: [...NP_IPBLOCK_PODS],
    steps: (model) => [
      {
        apply: [
          policy('x', 'ipblock-except', {
            podSelector: { matchLabels: { pod: 'a' } },
            ingress: [{ from: [{ ipBlock: { cidr: coveringCidr(MODEL_POD_KEYS.map((key) => model.ips[key])), except: [`${model.ips['y/b']}/32`] } }] }],
          }),
        ],
      },
      { probe: [TCP80] },
    ],
  },
  {
    name: 'ipBlock egress with except',
    description: 'Pods of z may send to the CIDR covering every model pod except the /32 of x/c.',
    needs: [...NP_IPBLOCK_PODS],
    steps: (model) => [
      {
        apply: [
          policy('z', 'egress-ipblock-except', {
            podSelector: {},
            policyTypes: ['Egress'],
            egress: [{ to: [{ ipBlock: { cidr: coveringCidr(MODEL_POD_KEYS.map((key) => model.ips[key])), except: [`${model.ips['x/c']}/32`] } }] }],
          }),
        ],
      },
      { probe: [TCP80] },
    ],
  },
  {
    name: 'egress allows only DNS',
    description: 'Pods of x may send only to port 53 (UDP and TCP): pod traffic is denied, cluster DNS still resolves.',
    needs: [...NP],
    steps: [
      {
        apply: [
          policy('x', 'egress-dns-only', {
            podSelector: {},
            policyTypes: ['Egress'],
            egress: [{ ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }],
          }),
        ],
      },
      { probe: [TCP80, UDP80] },
      { resolve: { from: 'x/a', name: CLUSTER_DNS_NAME } },
    ],
  },
  {
    name: 'several policies at once',
    description: 'Ingress rules of two policies on y add up; an egress policy on z applies at the same time.',
    needs: [...NP],
    steps: [
      {
        apply: [
          policy('y', 'a-from-x', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'x' } } }] }] }),
          policy('y', 'all-from-c', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'c' } } }], ports: [{ protocol: 'TCP', port: 80 }] }] }),
          policy('z', 'egress-to-y', {
            podSelector: { matchLabels: { pod: 'b' } },
            policyTypes: ['Egress'],
            egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }],
          }),
        ],
      },
      { probe: [TCP80, UDP80] },
    ],
  },
  {
    name: 'policy update and delete',
    description: 'x/a first admits pod=b, then (same policy updated) pod=c, then (policy deleted) everyone.',
    needs: [...NP],
    steps: [
      { apply: [policy('x', 'changing', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }] })] },
      { probe: [TCP80] },
      { apply: [policy('x', 'changing', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'c' } } }] }] })] },
      { probe: [TCP80] },
      { delete: ['x/changing'] },
      { probe: [TCP80] },
    ],
  },
  {
    name: 'pod label change',
    description: 'x/a admits pods labelled role=client from any namespace; y/c gains then loses that label.',
    needs: [...NP],
    steps: [
      {
        apply: [
          policy('x', 'allow-clients', {
            podSelector: { matchLabels: { pod: 'a' } },
            ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { role: 'client' } } }] }],
          }),
        ],
      },
      { probe: [TCP80] },
      { relabelPod: { pod: 'y/c', labels: { role: 'client' } } },
      { probe: [TCP80] },
      { relabelPod: { pod: 'y/c', labels: { role: null } } },
      { probe: [TCP80] },
    ],
  },
  {
    name: 'namespace label change',
    description: 'x/a admits namespaces labelled team=blue; z gains then loses that label.',
    needs: [...NP],
    steps: [
      { apply: [policy('x', 'allow-team-blue', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'blue' } } }] }] })] },
      { probe: [TCP80] },
      { relabelNamespace: { namespace: 'z', labels: { team: 'blue' } } },
      { probe: [TCP80] },
      { relabelNamespace: { namespace: 'z', labels: { team: null } } },
      { probe: [TCP80] },
    ],
  },
  {
    name: 'UDP is enforced',
    description: 'x/a admits TCP 80 only: UDP 80 must be denied, not let through.',
    needs: [...NP],
    steps: [
      { apply: [policy('x', 'tcp-80-only', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ ports: [{ protocol: 'TCP', port: 80 }] }] })] },
      { probe: [TCP80, UDP80, UDP81] },
    ],
  },
  {
    name: 'SCTP default deny and allow',
    description: 'x is denied ingress; x/b then admits SCTP 80 from namespace y.',
    needs: [...NP_SCTP],
    steps: [
      { apply: [denyIngress('x')] },
      { probe: [SCTP80, SCTP81] },
      {
        apply: [
          policy('x', 'sctp-80-from-y', {
            podSelector: { matchLabels: { pod: 'b' } },
            ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }], ports: [{ protocol: 'SCTP', port: 80 }] }],
          }),
        ],
      },
      { probe: [SCTP80, SCTP81, TCP80] },
    ],
  },
  // The four policies of the network guide, rules as written; the guide's namespaces and pod
  // roles are labels put on the model (production → x, backend → y, frontend → x).
  {
    name: 'guide: deny-all-ingress',
    description: 'The guide\'s deny-all-ingress, in x (standing for "production").',
    needs: [...NP],
    steps: [
      { apply: [policy('x', 'deny-all-ingress', { podSelector: {}, policyTypes: ['Ingress'] })] },
      { probe: [TCP80, TCP8080, UDP80] },
    ],
  },
  {
    name: 'guide: allow-from-frontend',
    description: 'The guide\'s allow-from-frontend in y ("backend"): y/a is app=api; namespace x carries name=frontend.',
    needs: [...NP],
    steps: [
      { relabelNamespace: { namespace: 'x', labels: { name: 'frontend' } } },
      { relabelPod: { pod: 'y/a', labels: { app: 'api' } } },
      {
        apply: [
          policy('y', 'allow-from-frontend', {
            podSelector: { matchLabels: { app: 'api' } },
            policyTypes: ['Ingress'],
            ingress: [{ from: [{ namespaceSelector: { matchLabels: { name: 'frontend' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
          }),
        ],
      },
      { probe: [TCP8080, TCP80] },
    ],
  },
  {
    name: 'guide: restrict-egress',
    description: 'The guide\'s restrict-egress in x ("production"): x/a is app=web, x/b and y/b are app=database; DNS to kube-dns stays allowed.',
    needs: [...NP],
    steps: [
      { relabelPod: { pod: 'x/a', labels: { app: 'web' } } },
      { relabelPod: { pod: 'x/b', labels: { app: 'database' } } },
      { relabelPod: { pod: 'y/b', labels: { app: 'database' } } },
      {
        apply: [
          policy('x', 'restrict-egress', {
            podSelector: { matchLabels: { app: 'web' } },
            policyTypes: ['Egress'],
            egress: [
              { to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }] },
              { to: [{ podSelector: { matchLabels: { app: 'database' } } }], ports: [{ protocol: 'TCP', port: 5432 }] },
            ],
          }),
        ],
      },
      { probe: [TCP5432, TCP80] },
      { resolve: { from: 'x/a', name: CLUSTER_DNS_NAME } },
    ],
  },
  {
    name: 'guide: complex-policy',
    description:
      'The guide\'s complex-policy in z: z/a is role=db; x is name=frontend with x/b role=frontend, y/b is role=frontend in another namespace; ' +
      'the ipBlock is the CIDR of the model pods except the /32 of y/c.',
    needs: [...NP_IPBLOCK_PODS],
    steps: (model) => [
      { relabelNamespace: { namespace: 'x', labels: { name: 'frontend' } } },
      { relabelPod: { pod: 'z/a', labels: { role: 'db' } } },
      { relabelPod: { pod: 'x/b', labels: { role: 'frontend' } } },
      { relabelPod: { pod: 'y/b', labels: { role: 'frontend' } } },
      {
        apply: [
          policy('z', 'complex-policy', {
            podSelector: { matchLabels: { role: 'db' } },
            policyTypes: ['Ingress'],
            ingress: [
              {
                from: [{ namespaceSelector: { matchLabels: { name: 'frontend' } }, podSelector: { matchLabels: { role: 'frontend' } } }],
                ports: [{ protocol: 'TCP', port: 5432 }],
              },
              {
                from: [{ ipBlock: { cidr: networkOf(model.ips['y/c'], 24), except: [`${model.ips['y/c']}/32`] } }],
                ports: [{ protocol: 'TCP', port: 5432 }],
              },
            ],
          }),
        ],
      },
      { probe: [TCP5432, TCP80] },
    ],
  },
];
