// kind exits 1 for every failure, so the cause is read from its stderr ("ERROR: ..." plus
// "Command Output: ..." when a docker or kubeadm call underneath failed).

import { CnimatrixError, ExitCode } from '../model/errors.ts';

interface KindErrorOptions {
  args: readonly string[];
  stderr: string;
  hint: string;
  exitCode?: ExitCode;
  /** Worth retrying: the same command may succeed a little later. */
  transient?: boolean;
  cause?: unknown;
}

export class KindError extends CnimatrixError {
  readonly args: readonly string[];
  readonly stderr: string;
  readonly transient: boolean;

  constructor(message: string, options: KindErrorOptions) {
    super(message, { exitCode: options.exitCode ?? ExitCode.infrastructure, hint: options.hint, cause: options.cause });
    this.name = 'KindError';
    this.args = options.args;
    this.stderr = options.stderr;
    this.transient = options.transient ?? false;
  }
}

/** The kind executable is missing or cannot be run. */
export class KindNotFoundError extends KindError {
  constructor(message: string, options: Omit<KindErrorOptions, 'exitCode' | 'transient'>) {
    super(message, { ...options, exitCode: ExitCode.environmentMissing });
    this.name = 'KindNotFoundError';
  }
}

export class DockerUnreachableError extends KindError {
  constructor(message: string, options: Omit<KindErrorOptions, 'exitCode' | 'transient'>) {
    super(message, { ...options, exitCode: ExitCode.environmentMissing });
    this.name = 'DockerUnreachableError';
  }
}

export class KindClusterExistsError extends KindError {
  readonly clusterName: string;

  constructor(message: string, options: Omit<KindErrorOptions, 'exitCode' | 'transient'> & { clusterName: string }) {
    super(message, options);
    this.name = 'KindClusterExistsError';
    this.clusterName = options.clusterName;
  }
}

export class KindImagePullError extends KindError {
  constructor(message: string, options: Omit<KindErrorOptions, 'exitCode'>) {
    super(message, { ...options, transient: options.transient ?? true });
    this.name = 'KindImagePullError';
  }
}

/** kubeadm failed on a node: the same config on the same host fails the same way, so never retried. */
export class KindKubeadmError extends KindError {
  constructor(message: string, options: Omit<KindErrorOptions, 'exitCode' | 'transient'>) {
    super(message, { ...options, transient: false });
    this.name = 'KindKubeadmError';
  }
}

export class KindTimeoutError extends KindError {
  constructor(message: string, options: Omit<KindErrorOptions, 'exitCode'>) {
    super(message, { ...options, transient: options.transient ?? true });
    this.name = 'KindTimeoutError';
  }
}

const DOCKER_DOWN = /Cannot connect to the Docker daemon|Is the docker daemon running|error during connect: .*docker/i;
const DOCKER_PERMISSION = /permission denied while trying to connect to the Docker daemon socket/i;
const DOCKER_MISSING = /exec: "docker": executable file not found/i;
const CLUSTER_EXISTS = /node\(s\) already exist for a cluster with the name "([^"]+)"/;
const IMAGE_PULL = /failed to pull image|pull access denied|manifest unknown|toomanyrequests|ErrImagePull|ImagePullBackOff/i;
const IMAGE_ABSENT = /pull access denied|manifest unknown|repository does not exist|not found: manifest/i;
const KUBEADM = /failed to (init|join) node with kubeadm/;
const CGROUP_V1 = /cgroup v1|cgroupv1|failCgroupV1/i;
const TIMEOUT = /context deadline exceeded|timed out waiting|i\/o timeout|TLS handshake timeout/i;
const TRANSIENT = /connection reset by peer|unexpected EOF|Service Unavailable|Internal Server Error|connection refused/i;
const CONTAINERD_STORE = /ctr: content digest sha256:[0-9a-f]+ not found/;

/** `kind create cluster --name x` for messages. */
export function describeCommand(args: readonly string[]): string {
  return ['kind', ...args].join(' ');
}

/** kind's own error line(s), without its progress output. */
function kindReason(stderr: string): string {
  const lines = stderr.split('\n').map((line) => line.trim());
  const error = lines.find((line) => line.startsWith('ERROR:'));
  const output = lines.find((line) => line.startsWith('Command Output:'));
  const reason = error?.replace(/^ERROR:\s*/, '') ?? lines.filter(Boolean).at(-1) ?? 'no error output';
  return output === undefined ? reason : `${reason} (${output})`;
}

/** Turns a failed kind invocation (exit code 1) into a typed error with a hint. */
export function classifyKindFailure(args: readonly string[], stderr: string): KindError {
  const command = describeCommand(args);
  const base = { args, stderr };
  const reason = kindReason(stderr);
  if (DOCKER_PERMISSION.test(stderr)) {
    return new DockerUnreachableError(`${command}: this user may not use the Docker daemon: ${reason}`, {
      ...base,
      hint: 'add the user to the "docker" group (then log in again) or run as root',
    });
  }
  if (DOCKER_MISSING.test(stderr)) {
    return new DockerUnreachableError(`${command}: kind could not find the docker CLI`, {
      ...base,
      hint: 'install Docker (e.g. `apt-get install docker.io`) and make sure `docker` is on PATH',
    });
  }
  if (DOCKER_DOWN.test(stderr)) {
    return new DockerUnreachableError(`${command}: the Docker daemon is not reachable: ${reason}`, {
      ...base,
      hint: 'start Docker (`sudo systemctl start docker`, or `dockerd &`) and check that `docker info` works',
    });
  }
  const exists = CLUSTER_EXISTS.exec(stderr);
  if (exists !== null) {
    const clusterName = exists[1] ?? '';
    return new KindClusterExistsError(`${command}: a kind cluster named "${clusterName}" already exists`, {
      ...base,
      clusterName,
      hint: `delete it with \`kind delete cluster --name ${clusterName}\` (or \`cnimatrix clean\` for cnimatrix clusters), or pass --reuse to test it`,
    });
  }
  if (CONTAINERD_STORE.test(stderr)) {
    return new KindError(`${command}: kind could not load the image from Docker's containerd image store: ${reason}`, {
      ...base,
      hint: 'save the image for one platform (`docker image save --platform linux/amd64 -o img.tar IMAGE`) and load it with `kind load image-archive img.tar`',
    });
  }
  if (IMAGE_PULL.test(stderr)) {
    const absent = IMAGE_ABSENT.test(stderr);
    return new KindImagePullError(`${command}: pulling an image failed: ${reason}`, {
      ...base,
      transient: !absent,
      hint: absent
        ? 'the image does not exist or needs credentials: check the image name, tag and digest (--node-image)'
        : 'the registry may be rate-limiting or unreachable: retry later, or pull the image with `docker pull` first',
    });
  }
  // Before TIMEOUT: kubeadm's own "context deadline exceeded" means the kubelet or control plane
  // never came up (e.g. a kubelet refusing a cgroup v1 host), which a retry only repeats.
  if (KUBEADM.test(stderr)) {
    const node = /failed to (init|join)/.exec(stderr)?.[1] === 'join' ? 'a worker could not join' : 'the control plane did not come up';
    return new KindKubeadmError(`${command}: kubeadm failed, ${node}: ${reason}`, {
      ...base,
      hint: CGROUP_V1.test(stderr)
        ? 'the host uses cgroup v1, which kubelets of Kubernetes >= 1.35 refuse: boot the host with cgroup v2 (`stat -fc %T /sys/fs/cgroup` prints cgroup2fs), or use a node image < v1.35 (--node-image)'
        : 'this repeats on retry: the kubelet is the usual cause — on a cgroup v1 host (`stat -fc %T /sys/fs/cgroup` prints tmpfs) kubelets >= 1.35 refuse to start; read the kubelet journal with `kind create cluster --retain` then `kind export logs`',
    });
  }
  if (TIMEOUT.test(stderr)) {
    return new KindTimeoutError(`${command}: timed out: ${reason}`, {
      ...base,
      hint: 'the host may be overloaded: lower --parallel, raise --timeout clusterCreate=..., and check `docker stats`',
    });
  }
  if (TRANSIENT.test(stderr)) {
    return new KindError(`${command}: ${reason}`, {
      ...base,
      transient: true,
      hint: 'a transient Docker error; if it persists, check `docker info` and the Docker daemon log',
    });
  }
  return new KindError(`${command}: ${reason}`, {
    ...base,
    hint: 'read kind\'s full output above; `kind export logs` collects node logs when the cluster still exists',
  });
}
