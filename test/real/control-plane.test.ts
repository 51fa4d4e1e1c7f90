// The control-plane fixture itself: it starts in seconds, serves the admin over TLS with client
// certificates, and leaves no process and no file behind.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { createKube } from '../../harness/kube/index.ts';
import { controlPlane } from './control-plane.ts';
import { realTestsRun } from './require.ts';

/** Processes whose command line names `dir`: every component's does (data dir, certificates, kubeconfig). */
function processesUsing(dir: string): number[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir);
    } catch {
      return false; // gone meanwhile
    }
  }).map(Number);
}

(realTestsRun('the real control-plane fixture') ? describe : describe.skip)('real control plane fixture', () => {
  test('etcd, kube-apiserver, controller-manager and scheduler start, serve the admin, and stop without a trace', async () => {
    const cp = await controlPlane().withControllerManager().withScheduler().start();
    let running: number[] = [];
    try {
      process.stdout.write(`[real] etcd + kube-apiserver + kube-controller-manager + kube-scheduler ready in ${cp.startMs} ms\n`);
      expect(cp.startMs).toBeGreaterThan(0);
      running = processesUsing(cp.dir);
      expect(running).toHaveLength(4);
      const kube = createKube({ kubeconfigPath: cp.kubeconfigPath });
      expect(kube.server).toBe(cp.url);
      // The controller-manager's serviceaccount controller ran; the scheduler holds its lease.
      expect(await kube.get({ apiVersion: 'v1', kind: 'ServiceAccount', namespace: 'default', name: 'default' })).toBeDefined();
      expect(await kube.get({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: 'kube-system', name: 'kube-scheduler' })).toBeDefined();
    } finally {
      await cp.stop();
    }
    expect(running.filter((pid) => existsSync(`/proc/${pid}`))).toEqual([]);
    expect(existsSync(cp.dir)).toBe(false);
    await cp.stop(); // twice is harmless
  }, 120_000);
});
