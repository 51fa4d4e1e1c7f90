// The readiness probes of the agnhost pods the suites create must be ones netexec can pass: its
// /healthz answers 412 for as long as it runs no UDP or SCTP server (recorded from the real
// binary in test/real/agnhost-probes.test.ts).
import { beforeAll, describe, expect, test } from '@jest/globals';
import { CELL_ENV, type CellInfo } from '../../harness/model/cell.ts';
import type { KubeObject } from '../../harness/kube/types.ts';
import { modelPodObject } from '../../suites/network-policy/model.ts';
import { serverPod, type L4Protocol } from '../../suites/lib/workloads.ts';

const cell: CellInfo = {
  id: 'calico-iptables',
  cni: 'calico',
  cniVersion: 'v3.32.2',
  proxyMode: 'iptables',
  capabilities: ['networkPolicy', 'sctp'],
  runId: 'r1',
  strict: false,
  dockerNetwork: 'kind',
  clusterName: 'c',
};

beforeAll(() => {
  process.env[CELL_ENV] = JSON.stringify(cell);
});

interface Container {
  name: string;
  args: string[];
  readinessProbe?: Record<string, unknown>;
}

const containersOf = (pod: KubeObject) => (pod.spec as { containers: Container[] }).containers;

/** netexec's /healthz turns 200 once its UDP (default port 8081) or SCTP server runs. */
function healthzCanPass(args: string[]): boolean {
  const udp = args.find((a) => a.startsWith('--udp-port='))?.split('=')[1] ?? '8081';
  return udp !== '-1' || args.some((a) => a.startsWith('--sctp-port='));
}

describe('serverPod readiness probes', () => {
  test.each([
    [['TCP'], { tcpSocket: { port: 80 }, periodSeconds: 1 }],
    [['TCP', 'UDP'], { httpGet: { path: '/healthz', port: 80 }, periodSeconds: 1 }],
    [['TCP', 'UDP', 'SCTP'], { httpGet: { path: '/healthz', port: 80 }, periodSeconds: 1 }],
    [['TCP', 'SCTP'], { tcpSocket: { port: 80 }, periodSeconds: 1 }],
  ] as [L4Protocol[], Record<string, unknown>][])('%j → %j', (protocols, probe) => {
    const [container] = containersOf(serverPod({ namespace: 'n', name: 'p', protocols }));
    expect(container?.readinessProbe).toEqual(probe);
  });

  test('every netexec container of the policy model has a probe its netexec can pass', () => {
    const containers = containersOf(modelPodObject('x', 'a')).filter((c) => c.args[0] === 'netexec');
    expect(containers.map((c) => c.name)).toEqual(['cont-80', 'sctp-80', 'cont-81', 'sctp-81', 'cont-5432', 'cont-8080']);
    for (const container of containers) {
      const probe = container.readinessProbe ?? {};
      if ('httpGet' in probe) expect({ name: container.name, healthz: healthzCanPass(container.args) }).toEqual({ name: container.name, healthz: true });
      else expect(probe).toMatchObject({ tcpSocket: { port: Number(container.name.slice('cont-'.length)) } });
    }
    // The guide ports serve TCP only, so they must not wait for /healthz.
    expect(containers.filter((c) => c.readinessProbe && 'tcpSocket' in c.readinessProbe).map((c) => c.name)).toEqual(['cont-5432', 'cont-8080']);
  });
});

describe('serverPod SCTP', () => {
  // netexec's SCTP server exits on a read error: it must not share a process with TCP and UDP.
  test('SCTP is served by a container of its own, with /healthz on its companion HTTP port', () => {
    const containers = containersOf(serverPod({ namespace: 'n', name: 'p', ports: [80], protocols: ['TCP', 'UDP', 'SCTP'] }));
    expect(containers.map((c) => [c.name, c.args])).toEqual([
      ['cont-80', ['netexec', '--http-port=80', '--udp-port=80']],
      ['sctp-80', ['netexec', '--http-port=20080', '--udp-port=-1', '--sctp-port=80']],
    ]);
    expect(containers[1]?.readinessProbe).toEqual({ httpGet: { path: '/healthz', port: 20080 }, periodSeconds: 1 });
    const ports = (c: Container) => (c as unknown as { ports: { name: string; protocol: string }[] }).ports.map((p) => `${p.name}/${p.protocol}`);
    expect(containers.map(ports)).toEqual([['serve-80-tcp/TCP', 'serve-80-udp/UDP'], ['serve-80-sctp/SCTP']]);
  });

  test('a port whose companion HTTP port would be out of range is refused', () => {
    expect(() => serverPod({ namespace: 'n', name: 'p', ports: [50000], protocols: ['TCP', 'SCTP'] })).toThrow('port 50000 cannot serve SCTP');
  });
});
