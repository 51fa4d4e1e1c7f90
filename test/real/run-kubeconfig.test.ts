// `cnimatrix run --kubeconfig` against a real control plane, spawned as a user runs it: a server
// the kubeconfig cannot be used with (untrusted certificate, rejected or unprivileged user) is an
// environment problem (exit 3) that says which, a cluster with no nodes is refused at once with exit code 2, a node that is not Ready cannot be asked for
// the proxy mode, and what is detected from the cluster's objects is what they say, no more.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { cnimatrix, emptyDir } from '../cli/spawn.ts';
import type { KubeObject } from '../../harness/kube/types.ts';
import type { Matrix } from '../../harness/report/matrix.ts';
import { controlPlane } from './control-plane.ts';
import { createPki } from './pki.ts';
import { realTestsRun } from './require.ts';
import { realServer, type RealServer, type Server } from './servers.ts';

const START_MS = 120_000;
const RUN_MS = 90_000;

const daemonSet = (name: string): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name, namespace: 'kube-system' },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { tolerations: [{ operator: 'Exists' }], containers: [{ name, image: 'registry.k8s.io/pause:3.10' }] } },
  },
});

/** A Node with room for pods but no kubelet: what it is given stays Pending. */
async function registerNode(server: Server, name: string): Promise<void> {
  expect((await server.call('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } } })).status).toBe(201);
  const room = { cpu: '2', memory: '4Gi', pods: '110' };
  const status = { capacity: room, allocatable: room, conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'no kubelet runs here' }] };
  expect((await server.call('PATCH', `/api/v1/nodes/${name}/status`, { status }, 'application/merge-patch+json')).status).toBe(200);
}

(realTestsRun('cnimatrix run --kubeconfig against a real control plane') ? describe : describe.skip)('cnimatrix run --kubeconfig against a real control plane', () => {
  let server: RealServer;
  const workDirs: string[] = [];
  const run = (args: string[]) => {
    const cwd = emptyDir();
    workDirs.push(cwd);
    return cnimatrix(['run', '--kubeconfig', server.cp.kubeconfigPath, '--suites', 'pod-network', ...args], { cwd }).then((result) => ({ ...result, cwd }));
  };

  beforeAll(async () => {
    server = await realServer(controlPlane().withControllerManager().withScheduler());
  }, START_MS);
  afterAll(async () => {
    await server?.stop();
    await Promise.all(workDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  describe('a kubeconfig the server will not serve: exit 3 naming what is wrong, before any phase', () => {
    const withKubeconfig = async (name: string, yaml: string) => {
      const cwd = emptyDir();
      workDirs.push(cwd);
      const path = join(cwd, `${name}.kubeconfig`);
      await writeFile(path, yaml);
      return cnimatrix(['run', '--kubeconfig', path, '--suites', 'pod-network', '--run-id', name], { cwd });
    };

    test('a certificate authority that did not sign the server certificate', async () => {
      const foreign = await createPki(emptyDir());
      const foreignCa = `certificate-authority-data: ${Buffer.from(foreign.caCert).toString('base64')}`;
      const result = await withKubeconfig('foreign-ca', server.cp.kubeconfig.replace(/certificate-authority-data: .*/, foreignCa));
      expect(result.stderr).toMatch(
        new RegExp(`^error: the API server ${server.cp.url.replaceAll('.', '\\.')} presents a certificate that the kubeconfig's certificate authority does not vouch for \\(context "cnimatrix-real" of kubeconfig .*foreign-ca\\.kubeconfig\\): [A-Z_]+\nhint: the cluster's certificate-authority\\(-data\\) in the kubeconfig must be the CA that signed the server's certificate`),
      );
      expect(result.stderr).not.toMatch(/use-system-ca|report it as a bug/);
      expect(result.exitCode).toBe(3);
    }, RUN_MS);

    test('a token the server does not know: 401', async () => {
      const result = await withKubeconfig('bad-token', server.cp.unprivilegedKubeconfig.replace(/token: .*/, 'token: not-a-known-token'));
      expect(result.stderr).toMatch(/^error: the API server \S+ does not accept the kubeconfig's credentials \(context "cnimatrix-real" of kubeconfig .*bad-token\.kubeconfig\): 401 Unauthorized\nhint: the user's token or client certificate is wrong or expired/);
      expect(result.exitCode).toBe(3);
    }, RUN_MS);

    test('a user RBAC grants nothing: 403, asking for administrator rights', async () => {
      const result = await withKubeconfig('nobody', server.cp.unprivilegedKubeconfig);
      expect(result.stderr).toMatch(/^error: the kubeconfig's user may not do what cnimatrix needs on \S+ \(context "cnimatrix-real" of kubeconfig .*nobody\.kubeconfig\): .*forbidden.*\nhint: cnimatrix reads nodes and kube-system, creates namespaces/s);
      expect(result.exitCode).toBe(3);
    }, RUN_MS);
  });

  describe('a cluster with no nodes', () => {
    test.each([
      ['nothing said about it', []],
      ['its CNI and proxy mode given', ['--cni', 'kindnet', '--proxy-mode', 'iptables']],
    ])('is bad input (exit 2) with %s, before anything waits', async (_what, flags) => {
      const result = await run([...flags, '--run-id', 'no-nodes']);
      expect(result.exitCode).toBe(2);
      const report = join(result.cwd, 'reports', 'no-nodes');
      expect(result.stderr).toBe(
        `error: the cluster at ${server.cp.url} (--kubeconfig) has no nodes: no pod can run in it\nhint: join nodes to it (their kubelets register them), or point --kubeconfig at a cluster that has some; the report says the same: ${join(report, 'matrix.md')}`,
      );
      // The run's report exists and is red, saying why: a nightly page is never blank or green.
      const matrix = JSON.parse(await readFile(join(report, 'matrix.json'), 'utf8')) as Matrix;
      expect(matrix.run.ended).toEqual({ exitCode: 2, message: `the cluster at ${server.cp.url} (--kubeconfig) has no nodes: no pod can run in it`, hint: expect.stringMatching(/^join nodes/) });
      expect(matrix.cells).toEqual([]);
      expect(await readFile(join(report, 'matrix.md'), 'utf8')).toMatch(/\*\*Result: failed\*\* — the run ended before any cell ran \(exit 2\): the cluster at \S+ \(--kubeconfig\) has no nodes/);
    }, RUN_MS);
  });

  describe('a node without a kubelet, a CNI DaemonSet and a kube-proxy configuration', () => {
    beforeAll(async () => {
      await registerNode(server, 'lonely');
      const kubeProxyConfig = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-proxy', namespace: 'kube-system' }, data: { 'config.conf': 'kind: KubeProxyConfiguration\nmode: nftables\n' } };
      await server.kube().apply([daemonSet('kindnet'), daemonSet('kube-proxy'), kubeProxyConfig]);
      // The failure quotes the pod's Scheduled event: wait until the kindnet pod is bound.
      const deadline = Date.now() + 30_000;
      while (!(await server.kube().events('kube-system')).some((e) => e.involvedObject.startsWith('Pod/kindnet-') && e.reason === 'Scheduled')) {
        if (Date.now() > deadline) throw new Error('the kindnet pod was never scheduled');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    });

    test('the proxy mode cannot be asked of a node that is not Ready: exit 2 at once, asking for --proxy-mode', async () => {
      const result = await run(['--run-id', 'not-ready']);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain("error: cannot tell the cluster's kube-proxy mode: a node is not Ready (lonely: KubeletNotReady), so their kube-proxy cannot be asked\nhint: name it with --proxy-mode");
    }, RUN_MS);

    test('told the mode, it detects the CNI, then fails wait-ready (exit 4) naming the pod that cannot start', async () => {
      const result = await run(['--run-id', 'detected', '--proxy-mode', 'nftables', '--timeout', 'cniReady=2s']);
      expect(result.exitCode).toBe(4);
      expect(result.stderr).toContain('detected CNI kindnet (from its DaemonSet)');
      expect(result.stderr).toMatch(/kindnet-nftables +wait-ready failed \(2\.\d+s\): timed out after 2s waiting for DaemonSet kube-system\/kindnet to roll out: 0\/1 pods ready; kindnet-[a-z0-9]{5}: Pending \(0\/1 containers ready\) on lonely, last event: Scheduled: Successfully assigned kube-system\/kindnet-[a-z0-9]{5} to lonely\n/);
      expect(result.stderr).toContain('error: 1 of 1 cells failed: kindnet-nftables');
    }, RUN_MS);

    test("a --cni whose objects the cluster does not have fails wait-ready at once, saying so", async () => {
      // Cilium can replace kube-proxy (kindnet cannot: that cell would be refused as unsupported).
      const result = await run(['--cni', 'cilium', '--proxy-mode', 'none', '--run-id', 'no-cilium']);
      expect(result.stderr).toMatch(/cilium-none +wait-ready failed \(\d+\.\ds\): DaemonSet kube-system\/cilium does not exist in this cluster, so cilium's readiness cannot be checked; if the cluster runs another CNI \(or cilium under other names\), pass --cni with the one it runs\n/);
      expect(result.exitCode).toBe(4);
    }, RUN_MS);
  });
});
