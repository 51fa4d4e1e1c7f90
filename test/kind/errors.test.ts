import { describe, expect, test } from '@jest/globals';
import { classifyKindFailure, DockerUnreachableError, KindError, KindImagePullError, KindKubeadmError } from '../../harness/kind/index.ts';

const ARGS = ['create', 'cluster', '--name', 'x'];

describe('classifyKindFailure', () => {
  test('a user outside the docker group gets a hint about the group', () => {
    const error = classifyKindFailure(
      ARGS,
      'ERROR: failed to create cluster: failed to list nodes: command "docker ps -a" failed with error: exit status 1\n' +
        'Command Output: permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock',
    );
    expect(error).toBeInstanceOf(DockerUnreachableError);
    expect(error.hint).toContain('"docker" group');
  });

  test('the containerd image store failure of kind load points to image archives', () => {
    const error = classifyKindFailure(
      ['load', 'docker-image', 'a:1', '--name', 'x'],
      'ERROR: failed to load image: command "docker exec --privileged -i x-control-plane ctr --namespace=k8s.io images import --all-platforms --digests --snapshotter=overlayfs -" failed with error: exit status 1\n' +
        'Command Output: ctr: content digest sha256:1a2b3c not found',
    );
    expect(error.constructor).toBe(KindError);
    expect(error.transient).toBe(false);
    expect(error.hint).toContain('kind load image-archive');
  });

  test('kubeadm failing on a node is deterministic: not transient, and a cgroup v1 mention gets the cgroup v2 fix', () => {
    const error = classifyKindFailure(
      ARGS,
      'ERROR: failed to create cluster: failed to init node with kubeadm: command "docker exec --privileged x-control-plane kubeadm init" failed with error: exit status 1\n' +
        'Command Output: kubelet is configured to not run on a host using cgroup v1. cgroup v1 support is unsupported; error execution phase wait-control-plane: context deadline exceeded',
    );
    expect(error).toBeInstanceOf(KindKubeadmError);
    expect(error.transient).toBe(false);
    expect(error.hint).toContain('boot the host with cgroup v2');
    const join = classifyKindFailure(ARGS, 'ERROR: failed to create cluster: failed to join node with kubeadm: exit status 1');
    expect(join.message).toContain('a worker could not join');
  });

  test('a registry rate limit is a transient pull failure', () => {
    const error = classifyKindFailure(
      ARGS,
      'ERROR: failed to create cluster: failed to pull image "kindest/node:v1.37.0": command "docker pull kindest/node:v1.37.0" failed with error: exit status 1\n' +
        'Command Output: Error response from daemon: toomanyrequests: You have reached your pull rate limit.',
    );
    expect(error).toBeInstanceOf(KindImagePullError);
    expect(error.transient).toBe(true);
  });

  test('the message quotes kind\'s ERROR line and the command output', () => {
    const error = classifyKindFailure(ARGS, 'Creating cluster "x" ...\nERROR: failed to create cluster: boom\nCommand Output: details');
    expect(error.message).toBe('kind create cluster --name x: failed to create cluster: boom (Command Output: details)');
  });
});
