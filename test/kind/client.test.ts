import { describe, expect, jest, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  createKind,
  DockerUnreachableError,
  KindClusterExistsError,
  KindError,
  KindImagePullError,
  KindNotFoundError,
  KindKubeadmError,
  KindTimeoutError,
  type RetryEvent,
} from '../../harness/kind/index.ts';
import { newRecorder, RECORDER_BIN, type Recorder } from './recorder.ts';

// Every check spawns real processes (the fake kind is a Node script); a busy machine makes that slow.
jest.setTimeout(30_000);

const CONFIG = 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n- role: worker\n';
const NAME = 'cnimatrix-r1-calico-iptables';

function kindFor(recorder: Recorder, extra: { retries?: number; onRetry?: (event: RetryEvent) => void } = {}) {
  return createKind({ bin: RECORDER_BIN, env: recorder.env, minTimeoutMs: 1, ...extra });
}

const creates = (recorder: Recorder) => recorder.calls().filter((call) => call.argv[0] === 'create');

describe('createCluster', () => {
  test('passes name, image, wait and kubeconfig as flags and the config on stdin', async () => {
    const recorder = newRecorder();
    await kindFor(recorder).createCluster({
      name: NAME,
      configYaml: CONFIG,
      image: 'kindest/node:v1.37.0',
      wait: 330_000,
      kubeconfigPath: '/tmp/kc',
    });
    expect(recorder.calls()).toEqual([
      {
        argv: ['create', 'cluster', '--name', NAME, '--config', '-', '--image', 'kindest/node:v1.37.0', '--wait', '5m30s', '--kubeconfig', '/tmp/kc'],
        stdin: CONFIG,
      },
    ]);
  });

  test('a cluster that already exists is a KindClusterExistsError, not retried', async () => {
    const recorder = newRecorder({ KIND_RECORDER_SCENARIO: 'exists' });
    const error = await kindFor(recorder).createCluster({ name: NAME, configYaml: CONFIG }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KindClusterExistsError);
    const exists = error as KindClusterExistsError;
    expect(exists.clusterName).toBe(NAME);
    expect(exists.exitCode).toBe(4);
    expect(exists.transient).toBe(false);
    expect(exists.message).toContain(`a kind cluster named "${NAME}" already exists`);
    expect(exists.hint).toContain(`kind delete cluster --name ${NAME}`);
    expect(creates(recorder)).toHaveLength(1);
  });

  test('Docker down is a DockerUnreachableError with exit code 3, not retried', async () => {
    const recorder = newRecorder({ KIND_RECORDER_SCENARIO: 'docker-down' });
    const error = await kindFor(recorder).createCluster({ name: NAME, configYaml: CONFIG }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DockerUnreachableError);
    expect((error as DockerUnreachableError).exitCode).toBe(3);
    expect((error as DockerUnreachableError).message).toContain('the Docker daemon is not reachable');
    expect((error as DockerUnreachableError).hint).toContain('docker info');
    expect(creates(recorder)).toHaveLength(1);
  });

  test('a transient image pull failure is retried, clearing leftovers before each retry', async () => {
    const recorder = newRecorder({ KIND_RECORDER_SCENARIO: 'transient', KIND_RECORDER_FAILURES: '2' });
    const retries: RetryEvent[] = [];
    await kindFor(recorder, { retries: 2, onRetry: (event) => retries.push(event) }).createCluster({ name: NAME, configYaml: CONFIG });
    expect(recorder.calls().map((call) => call.argv.slice(0, 2).join(' '))).toEqual([
      'create cluster',
      'delete cluster',
      'create cluster',
      'delete cluster',
      'create cluster',
    ]);
    expect(retries.map((event) => event.attempt)).toEqual([1, 2]);
    expect(retries[0]?.error).toBeInstanceOf(KindImagePullError);
    expect(retries[0]?.command).toBe(`kind create cluster --name ${NAME} --config -`);
  });

  test('gives up after the configured retries with the typed error', async () => {
    const recorder = newRecorder({ KIND_RECORDER_SCENARIO: 'transient', KIND_RECORDER_FAILURES: '5' });
    const error = await kindFor(recorder, { retries: 1 }).createCluster({ name: NAME, configYaml: CONFIG }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KindImagePullError);
    expect((error as KindImagePullError).message).toContain('pulling an image failed');
    expect((error as KindImagePullError).message).toContain('TLS handshake timeout');
    expect(creates(recorder)).toHaveLength(2);
  });

  test('a transient Docker timeout is a KindTimeoutError and is retried', async () => {
    const recorder = newRecorder({ KIND_RECORDER_SCENARIO: 'transient', KIND_RECORDER_TRANSIENT: 'timeout', KIND_RECORDER_FAILURES: '1' });
    const retries: RetryEvent[] = [];
    await kindFor(recorder, { onRetry: (event) => retries.push(event) }).createCluster({ name: NAME, configYaml: CONFIG });
    expect(retries).toHaveLength(1);
    expect(retries[0]?.error).toBeInstanceOf(KindTimeoutError);
    expect(creates(recorder)).toHaveLength(2);
  });

  test('a kubeadm failure (its own deadline exceeded) is not retried and hints at the kubelet, not an overloaded host', async () => {
    const recorder = newRecorder({ KIND_RECORDER_SCENARIO: 'kubeadm' });
    const retries: RetryEvent[] = [];
    const error = await kindFor(recorder, { onRetry: (event) => retries.push(event) }).createCluster({ name: NAME, configYaml: CONFIG }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KindKubeadmError);
    expect((error as KindKubeadmError).message).toContain('kubeadm failed, the control plane did not come up');
    expect((error as KindKubeadmError).hint).toContain('cgroup v1');
    expect((error as KindKubeadmError).hint).not.toContain('overloaded');
    expect(retries).toHaveLength(0);
    expect(creates(recorder)).toHaveLength(1);
  });

  test('the create deadline starts once the node image is present: a slow first pull does not time out', async () => {
    const recorder = newRecorder({ KIND_RECORDER_SCENARIO: 'slow-pull', KIND_RECORDER_PULL_MS: '1500' });
    await kindFor(recorder).createCluster({ name: NAME, configYaml: CONFIG, timeoutMs: 700 });
    expect(creates(recorder)).toHaveLength(1);
  });

  test('a node image that never arrives is bounded by the pull timeout and says so', async () => {
    const recorder = newRecorder({ KIND_RECORDER_SCENARIO: 'pull-hang' });
    const error = await kindFor(recorder).createCluster({ name: NAME, configYaml: CONFIG, timeoutMs: 300, imagePullTimeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KindTimeoutError);
    expect((error as KindTimeoutError).message).toContain('the node image was not ready within 600ms');
    expect((error as KindTimeoutError).hint).toContain('docker pull');
  });

  test('an image that does not exist is not retried', async () => {
    const recorder = newRecorder({ KIND_RECORDER_SCENARIO: 'image-absent' });
    const error = await kindFor(recorder).createCluster({ name: NAME, configYaml: CONFIG, image: 'kindest/node:v9.9.9' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KindImagePullError);
    expect((error as KindImagePullError).transient).toBe(false);
    expect((error as KindImagePullError).hint).toContain('--node-image');
    expect(creates(recorder)).toHaveLength(1);
  });

  test('an unrecognised failure is a plain KindError carrying kind\'s reason, not retried', async () => {
    const recorder = newRecorder({ KIND_RECORDER_SCENARIO: 'permanent' });
    const error = await kindFor(recorder).createCluster({ name: NAME, configYaml: CONFIG }).catch((e: unknown) => e);
    expect((error as Error).constructor).toBe(KindError);
    expect((error as KindError).exitCode).toBe(4);
    expect((error as KindError).message).toContain('non-overlapping IPv4 address pool');
    expect((error as KindError).stderr).toContain('ERROR: failed to create cluster');
    expect(creates(recorder)).toHaveLength(1);
  });

  test('an attempt that outlives its deadline is killed and reported as a KindTimeoutError', async () => {
    const recorder = newRecorder({ KIND_RECORDER_SCENARIO: 'hang' });
    const error = await kindFor(recorder).createCluster({ name: NAME, configYaml: CONFIG, timeoutMs: 500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KindTimeoutError);
    expect((error as KindTimeoutError).message).toContain('did not finish within 500ms');
    expect(creates(recorder)).toHaveLength(1);
  });

  test('an abort kills a running create at once, without a retry', async () => {
    const recorder = newRecorder({ KIND_RECORDER_SCENARIO: 'hang' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    const error = await kindFor(recorder).createCluster({ name: NAME, configYaml: CONFIG, timeoutMs: 60_000, signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KindError);
    expect(error).not.toBeInstanceOf(KindTimeoutError);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(creates(recorder)).toHaveLength(1);
  });

  test('a signal aborted before the call (Ctrl-C during the step before) never creates a cluster', async () => {
    const recorder = newRecorder();
    const error = await kindFor(recorder).createCluster({ name: NAME, configYaml: CONFIG, signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KindError);
    expect(creates(recorder)).toHaveLength(0);
  });
});

describe('other commands', () => {
  test('version reads the semantic version', async () => {
    const recorder = newRecorder();
    expect(await kindFor(recorder).version()).toEqual({ version: '0.33.0', raw: 'kind v0.33.0 go1.25 linux/amd64' });
  });

  test('deleting a cluster that does not exist succeeds', async () => {
    const recorder = newRecorder();
    await expect(kindFor(recorder).deleteCluster('absent')).resolves.toBeUndefined();
    expect(recorder.calls().map((call) => call.argv)).toEqual([['delete', 'cluster', '--name', 'absent']]);
  });

  test('a transient failure of delete is retried too', async () => {
    const recorder = newRecorder({ KIND_RECORDER_SCENARIO: 'transient', KIND_RECORDER_FAIL_ON: 'delete' });
    await kindFor(recorder).deleteCluster(NAME);
    expect(recorder.calls()).toHaveLength(2);
  });

  test('a delete killed by a Ctrl-C that reached it as it started is run again', async () => {
    // The terminal's SIGINT can land between the spawn and kind's leaving the foreground process group.
    const recorder = newRecorder({ KIND_RECORDER_SCENARIO: 'sigint', KIND_RECORDER_FAIL_ON: 'delete' });
    await expect(kindFor(recorder).deleteCluster(NAME)).resolves.toBeUndefined();
    expect(recorder.calls()).toHaveLength(2);
  });

  test('getClusters lists clusters, and none when kind reports none', async () => {
    const empty = newRecorder();
    expect(await kindFor(empty).getClusters()).toEqual([]);
    const some = newRecorder({ KIND_RECORDER_CLUSTERS: 'kind,cnimatrix-a-kindnet-iptables' });
    expect(await kindFor(some).getClusters()).toEqual(['kind', 'cnimatrix-a-kindnet-iptables']);
  });

  test('getKubeconfig asks for the internal address when told to', async () => {
    const recorder = newRecorder({ KIND_RECORDER_CLUSTERS: NAME });
    const kubeconfig = await kindFor(recorder).getKubeconfig(NAME, { internal: true });
    expect(kubeconfig).toContain(`server: https://${NAME}-control-plane:6443`);
    expect(recorder.calls()[0]?.argv).toEqual(['get', 'kubeconfig', '--name', NAME, '--internal']);
  });

  test('exportLogs writes into the given directory', async () => {
    const recorder = newRecorder();
    const dir = path.join(recorder.dir, 'bundle');
    expect(await kindFor(recorder).exportLogs(NAME, dir)).toBe(dir);
    expect(existsSync(path.join(dir, 'kind-version.txt'))).toBe(true);
    expect(recorder.calls()[0]?.argv).toEqual(['export', 'logs', dir, '--name', NAME]);
  });

  test('loadImages loads all images in one call, and makes none for an empty list', async () => {
    const recorder = newRecorder();
    const kind = kindFor(recorder);
    await kind.loadImages(NAME, []);
    expect(recorder.calls()).toEqual([]);
    await kind.loadImages(NAME, ['registry.k8s.io/e2e-test-images/agnhost:2.56', 'busybox:1.36']);
    expect(recorder.calls()[0]?.argv).toEqual([
      'load',
      'docker-image',
      'registry.k8s.io/e2e-test-images/agnhost:2.56',
      'busybox:1.36',
      '--name',
      NAME,
    ]);
  });

  test('getClusters with Docker down fails with DockerUnreachableError', async () => {
    const recorder = newRecorder({ KIND_RECORDER_SCENARIO: 'docker-down', KIND_RECORDER_FAIL_ON: 'get' });
    await expect(kindFor(recorder).getClusters()).rejects.toBeInstanceOf(DockerUnreachableError);
  });
});

describe('finding the executable', () => {
  test('a missing executable is a KindNotFoundError with exit code 3 that says how to get kind', async () => {
    const error = await createKind({ bin: '/nonexistent/kind' }).version().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KindNotFoundError);
    expect((error as KindNotFoundError).exitCode).toBe(3);
    expect((error as KindNotFoundError).message).toBe('kind executable not found: /nonexistent/kind');
    expect((error as KindNotFoundError).hint).toContain('KIND_BIN');
  });

  test('KIND_BIN in the given environment selects the executable', async () => {
    const recorder = newRecorder();
    const kind = createKind({ env: { ...recorder.env, KIND_BIN: RECORDER_BIN } });
    expect(kind.bin).toBe(RECORDER_BIN);
    await kind.version();
    expect(recorder.calls()).toHaveLength(1);
  });
});
