import { describe, expect, test } from '@jest/globals';
import { isCnimatrixCluster } from '../../harness/kind/index.ts';
import { newRecorder, RECORDER_BIN } from '../kind/recorder.ts';
import { cnimatrix, CLI_TIMEOUT_MS } from './spawn.ts';

const OTHERS = ['kind', 'dev-cluster', 'cnimatrix-notes', 'cnimatrix-r1-calico-bpf'];
const OURS = ['cnimatrix-r1-kindnet-nftables', 'cnimatrix-r1-x-cilium-none', 'cnimatrix-20260101-120000-weave-iptables'];

function fakeKind(extra: Record<string, string> = {}) {
  const recorder = newRecorder({ KIND_RECORDER_CLUSTERS: [...OTHERS, ...OURS].join(','), ...extra });
  return { recorder, env: { ...recorder.env, KIND_BIN: RECORDER_BIN } };
}

const deletes = (recorder: ReturnType<typeof newRecorder>) =>
  recorder.calls().filter((call) => call.argv[0] === 'delete').map((call) => call.argv.at(-1));

describe('cnimatrix clean', () => {
  test('deletes every cnimatrix cluster and nothing else', async () => {
    const { recorder, env } = fakeKind();
    const result = await cnimatrix(['clean'], { env });
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split('\n')).toEqual(OURS.map((name) => `deleted ${name}`));
    expect(deletes(recorder)).toEqual(OURS);
  }, CLI_TIMEOUT_MS);

  test('--run limits it to one run, even when run ids share a prefix', async () => {
    const { recorder, env } = fakeKind();
    const result = await cnimatrix(['clean', '--run', 'r1'], { env });
    expect(result.stdout).toBe('deleted cnimatrix-r1-kindnet-nftables');
    expect(deletes(recorder)).toEqual(['cnimatrix-r1-kindnet-nftables']);
  }, CLI_TIMEOUT_MS);

  test('--dry-run lists and deletes nothing', async () => {
    const { recorder, env } = fakeKind();
    const result = await cnimatrix(['clean', '--dry-run', '--run', 'r1-x'], { env });
    expect(result).toMatchObject({ exitCode: 0, stdout: 'would delete cnimatrix-r1-x-cilium-none' });
    expect(deletes(recorder)).toEqual([]);
  }, CLI_TIMEOUT_MS);

  test('says so when there is nothing to clean', async () => {
    const { env } = fakeKind();
    const result = await cnimatrix(['clean', '--run', 'gone'], { env });
    expect(result).toMatchObject({ exitCode: 0, stdout: 'no clusters of run gone found' });
  }, CLI_TIMEOUT_MS);

  test('Docker down exits 3 with kind\'s reason', async () => {
    const { env } = fakeKind({ KIND_RECORDER_SCENARIO: 'docker-down', KIND_RECORDER_FAIL_ON: 'get' });
    const result = await cnimatrix(['clean'], { env });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('the Docker daemon is not reachable');
    expect(result.stderr).toContain('hint: start Docker');
  }, CLI_TIMEOUT_MS);

  test('a failed delete is reported and exits 4 after the others are deleted', async () => {
    const { recorder, env } = fakeKind({ KIND_RECORDER_SCENARIO: 'permanent', KIND_RECORDER_FAIL_ON: 'delete' });
    const result = await cnimatrix(['clean'], { env });
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toContain('could not delete cnimatrix-r1-kindnet-nftables');
    expect(result.stderr).toContain('error: 3 clusters could not be deleted');
    expect(deletes(recorder)).toEqual(OURS);
  }, CLI_TIMEOUT_MS);
});

test('isCnimatrixCluster matches only names clusterNameFor builds', () => {
  expect(isCnimatrixCluster('cnimatrix-r1-calico-ipvs')).toBe(true);
  expect(isCnimatrixCluster('cnimatrix-r1-calico-ipvs', 'r1')).toBe(true);
  expect(isCnimatrixCluster('cnimatrix-r1-calico-ipvs', 'r')).toBe(false);
  expect(isCnimatrixCluster('cnimatrix-calico-ipvs')).toBe(false);
  expect(isCnimatrixCluster('kind-cnimatrix-r1-calico-ipvs')).toBe(false);
  expect(isCnimatrixCluster('cnimatrix-r1-calico-ebpf')).toBe(false);
});
