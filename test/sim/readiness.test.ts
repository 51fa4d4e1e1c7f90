// The sim's readiness of netexec containers: a probe passes as it does on real agnhost 2.56
// (test/real/agnhost-probes.test.ts), and the pod controller keeps a pod with a never-passing
// probe Running but not Ready.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { CELL_ENV } from '../../harness/model/cell.ts';
import { serverPod, type L4Protocol } from '../../suites/lib/workloads.ts';
import { startApiServer, type ApiServer, type KubeObject } from './apiserver/index.ts';
import { neverReadyContainers, readinessStartup } from './dataplane/readiness.ts';

function netexecPod(containers: { name: string; args: string[]; readinessProbe?: Record<string, unknown>; ports?: unknown[] }[]): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default' },
    spec: { containers: containers.map((c) => ({ image: 'registry.k8s.io/e2e-test-images/agnhost:2.56', ports: [], ...c })) },
  };
}

const healthz = (port: number) => ({ httpGet: { path: '/healthz', port } });

describe('neverReadyContainers', () => {
  test.each([
    ['/healthz with a UDP server', ['netexec', '--http-port=80', '--udp-port=80'], healthz(80), []],
    ['/healthz with an SCTP server only', ['netexec', '--http-port=80', '--udp-port=-1', '--sctp-port=80'], healthz(80), []],
    ['/healthz on the default UDP port', ['netexec', '--http-port=80'], healthz(80), []],
    ['/healthz without UDP or SCTP', ['netexec', '--http-port=80', '--udp-port=-1'], healthz(80), ['c']],
    ['/readyz without UDP or SCTP', ['netexec', '--http-port=80', '--udp-port=-1'], { httpGet: { path: '/readyz', port: 80 } }, ['c']],
    ['another path without UDP', ['netexec', '--http-port=80', '--udp-port=-1'], { httpGet: { path: '/hostname', port: 80 } }, []],
    ['tcpSocket on the HTTP port', ['netexec', '--http-port=80', '--udp-port=-1'], { tcpSocket: { port: 80 } }, []],
    ['tcpSocket where nothing listens', ['netexec', '--http-port=80', '--udp-port=80'], { tcpSocket: { port: 81 } }, ['c']],
  ] as const)('%s', (_what, args, readinessProbe, unready) => {
    expect(neverReadyContainers(netexecPod([{ name: 'c', args: [...args], readinessProbe }]))).toEqual(unready);
  });

  test('a probe may target another container of the pod; probes of other images pass', () => {
    const pod = netexecPod([
      { name: 'tcp', args: ['netexec', '--http-port=81', '--udp-port=-1'], readinessProbe: healthz(80) },
      { name: 'udp', args: ['netexec', '--http-port=80', '--udp-port=80'] },
    ]);
    expect(neverReadyContainers(pod)).toEqual([]);
    const other = { ...netexecPod([]), spec: { containers: [{ name: 'nginx', image: 'nginx', readinessProbe: healthz(10254) }] } };
    expect(neverReadyContainers(other)).toEqual([]);
  });

  test('every container serverPod builds becomes ready', () => {
    process.env[CELL_ENV] ??= JSON.stringify({ runId: 'r1' });
    for (const protocols of [['TCP'], ['TCP', 'UDP'], ['TCP', 'UDP', 'SCTP']] as L4Protocol[][]) {
      expect([protocols, neverReadyContainers(serverPod({ namespace: 'n', name: 'p', ports: [80, 5432], protocols }))]).toEqual([protocols, []]);
    }
  });
});

describe('the pod controller with readinessStartup', () => {
  let api: ApiServer;

  beforeAll(async () => {
    api = await startApiServer({ podStartup: readinessStartup, timing: { podStartMs: 0 } });
    api.store.put({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } },
      spec: { podCIDR: '10.244.1.0/24' },
      status: { addresses: [{ type: 'InternalIP', address: '172.18.0.2' }], conditions: [{ type: 'Ready', status: 'True' }] },
    });
  });

  afterAll(async () => {
    await api.stop();
  });

  test('a TCP-only netexec probed on /healthz runs but never becomes Ready', async () => {
    api.store.put(netexecPod([
      { name: 'cont-80', args: ['netexec', '--http-port=80', '--udp-port=80'], readinessProbe: healthz(80) },
      { name: 'cont-5432', args: ['netexec', '--http-port=5432', '--udp-port=-1'], readinessProbe: healthz(5432) },
    ]));
    const status = await new Promise<Record<string, unknown>>((resolve) => {
      const poll = () => {
        const current = api.store.get('v1', 'Pod', 'default', 'p')?.['status'] as Record<string, unknown> | undefined;
        if (current?.['phase'] === 'Running') resolve(current);
        else setTimeout(poll, 20);
      };
      poll();
    });
    expect(status['conditions']).toEqual(expect.arrayContaining([
      expect.objectContaining({ type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [cont-5432]' }),
    ]));
    expect((status['containerStatuses'] as { name: string; ready: boolean }[]).map((c) => [c.name, c.ready])).toEqual([['cont-80', true], ['cont-5432', false]]);
  });
});
