// The sim's kernel without SCTP does what real agnhost 2.56 does there (test/real/agnhost-probes.test.ts):
// netexec asked to serve SCTP exits, so that container crash-loops and its pod is never Ready;
// the pod's TCP and UDP containers, and pods that serve only TCP and UDP, run.
import { describe, expect, test } from '@jest/globals';
import { CELL_ENV } from '../../harness/model/cell.ts';
import { createKube } from '../../harness/kube/index.ts';
import { serverPod } from '../../suites/lib/workloads.ts';
import { kernelStartup } from './dataplane/kernel.ts';
import { kernelNoSctp } from './faults/kernel-no-sctp.ts';
import { noCrossNode } from './faults/no-cross-node.ts';
import { startSimCell } from './harness.ts';

process.env[CELL_ENV] ??= JSON.stringify({ runId: 'r1' });

describe('kernelStartup', () => {
  test('without SCTP in the kernel, the container whose netexec serves --sctp-port crash-loops', () => {
    expect(kernelStartup(serverPod({ namespace: 'n', name: 'p', protocols: ['TCP', 'UDP', 'SCTP'] }), [kernelNoSctp])).toEqual({ state: 'crash', containers: ['sctp-80'] });
  });

  test('pods that serve no SCTP start as usual there', () => {
    expect(kernelStartup(serverPod({ namespace: 'n', name: 'p', protocols: ['TCP', 'UDP'] }), [kernelNoSctp])).toBeUndefined();
  });

  test('with SCTP in the kernel, SCTP servers start', () => {
    expect(kernelStartup(serverPod({ namespace: 'n', name: 'p', protocols: ['TCP', 'UDP', 'SCTP'] }), [noCrossNode])).toBeUndefined();
  });
});

describe('a simulated cell with kernel-no-sctp', () => {
  test('its SCTP-serving pods are in CrashLoopBackOff, the others Ready', async () => {
    const sim = await startSimCell({ cni: 'kindnet', proxyMode: 'iptables', faults: ['kernel-no-sctp'] });
    try {
      const kube = createKube({ kubeconfigPath: sim.kubeconfigPath });
      await kube.apply([
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } },
        serverPod({ namespace: 'n', name: 'with-sctp', labels: { app: 'sctp' }, protocols: ['TCP', 'UDP', 'SCTP'] }),
        serverPod({ namespace: 'n', name: 'without-sctp', labels: { app: 'plain' }, protocols: ['TCP', 'UDP'] }),
      ]);
      await kube.waitFor({ kind: 'podsReady', namespace: 'n', labelSelector: 'app=plain' }, 10_000);
      const [pod] = await kube.list('v1', 'Pod', { namespace: 'n', labelSelector: 'app=sctp' });
      const states = (pod?.['status'] as { containerStatuses?: { name: string; ready: boolean; state?: { waiting?: { reason?: string } } }[] } | undefined)?.containerStatuses ?? [];
      expect(states.map((c) => [c.name, c.ready, c.state?.waiting?.reason])).toEqual([
        ['cont-80', true, undefined],
        ['sctp-80', false, 'CrashLoopBackOff'],
      ]);
      // A wait for it ends saying how the container exited and what it last logged.
      const err = (await kube.waitFor({ kind: 'podsReady', namespace: 'n', labelSelector: 'app=sctp' }, 300).catch((e: unknown) => e)) as Error;
      expect(err.message).toMatch(/sctp-80 last exited 1 \(Error\), its last log lines: "Started HTTP server on port 20080 \| \S+ \S+ Error occurred: failed to create listener for SCTP address :80:protocol not supported"/);
    } finally {
      await sim.stop();
    }
  });
});
