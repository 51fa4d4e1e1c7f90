// A thin wrapper over the `kind` executable: one method per kind command, typed errors, and
// retries (with exponential backoff) only for failures that can pass on their own.

import { execa } from 'execa';
import pRetry from 'p-retry';
import { formatDuration } from '../config/duration.ts';
import { classifyKindFailure, describeCommand, KindError, KindNotFoundError, KindTimeoutError } from './errors.ts';

export interface KindOptions {
  /** Path of the kind executable; default: $KIND_BIN, else `kind` on PATH. */
  bin?: string;
  /** Retries after the first attempt for transient failures (default 2). */
  retries?: number;
  /** Delay before the first retry; doubles each time (default 2000 ms). */
  minTimeoutMs?: number;
  /** Extra environment for kind (and $KIND_BIN lookup); the process environment is inherited. */
  env?: Record<string, string | undefined>;
  /** Called before each retry, e.g. to log it. */
  onRetry?: (event: RetryEvent) => void;
}

export interface RetryEvent {
  command: string;
  /** The attempt that failed, from 1. */
  attempt: number;
  retriesLeft: number;
  error: KindError;
}

export interface CreateClusterOptions {
  name: string;
  /** kind v1alpha4 Cluster config, passed on stdin (`--config -`). */
  configYaml: string;
  image?: string;
  /** How long kind waits for the control plane to be Ready: milliseconds or a kind duration ("5m"). */
  wait?: number | string;
  kubeconfigPath?: string;
  /** Kill kind if one attempt runs longer than this, counted from the node image being present. */
  timeoutMs?: number;
  /** Bound on getting the node image (a first pull) before timeoutMs starts; default 30 minutes. */
  imagePullTimeoutMs?: number;
  /** Keep failed nodes for `kind export logs` (kind deletes them otherwise). */
  retain?: boolean;
  /** Aborting kills kind (and an already aborted signal never starts it): a Ctrl-C that came first. */
  signal?: AbortSignal;
}

export interface KindVersion {
  /** e.g. "0.33.0" */
  version: string;
  /** kind's whole answer, e.g. "kind v0.33.0 go1.25 linux/amd64". */
  raw: string;
}

export interface Kind {
  readonly bin: string;
  version(): Promise<KindVersion>;
  createCluster(options: CreateClusterOptions): Promise<void>;
  /** Succeeds when the cluster does not exist (as kind does). */
  deleteCluster(name: string): Promise<void>;
  getClusters(): Promise<string[]>;
  /** `internal` gives the address reachable from the kind Docker network. */
  getKubeconfig(name: string, options?: { internal?: boolean }): Promise<string>;
  exportLogs(name: string, dir: string): Promise<string>;
  loadImages(name: string, images: readonly string[], signal?: AbortSignal): Promise<void>;
}

interface Invocation {
  args: string[];
  input?: string;
  timeoutMs?: number;
  /**
   * Start the timeoutMs clock only once a stderr line matches `after`; until then `maxWaitMs`
   * bounds the attempt. Lets a slow first download not count against the phase deadline.
   */
  clock?: { after: RegExp; maxWaitMs: number };
  signal?: AbortSignal;
  /**
   * Run kind in a process group of its own: a terminal's Ctrl-C goes to the whole foreground group,
   * and a cleanup it cut short would leave the cluster behind.
   */
  ownProcessGroup?: boolean;
}

/** kind ends its "Ensuring node image" step (pulling the image if absent) before anything else. */
const NODE_IMAGE_READY = /✓ Ensuring node image|Preparing nodes/;
/** Bound on the first pull of a node image (about 1 GB), which the create deadline excludes. */
export const NODE_IMAGE_PULL_TIMEOUT_MS = 30 * 60_000;

export function createKind(options: KindOptions = {}): Kind {
  const env = options.env ?? {};
  const bin = options.bin ?? env.KIND_BIN ?? process.env.KIND_BIN ?? 'kind';
  const retries = options.retries ?? 2;
  const minTimeout = options.minTimeoutMs ?? 2000;

  async function runOnce({ args, input, timeoutMs, clock, signal, ownProcessGroup }: Invocation): Promise<string> {
    let clockStarted = clock === undefined;
    let expired: number | undefined;
    let timer: NodeJS.Timeout | undefined;
    const arm = (ms: number): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        expired = ms;
        subprocess.kill();
      }, ms);
    };
    const watchStderr = function* (line: string) {
      if (!clockStarted && clock !== undefined && timeoutMs !== undefined && clock.after.test(line)) {
        clockStarted = true;
        arm(timeoutMs);
      }
      yield line;
    };
    const subprocess = execa(bin, args, {
      reject: false,
      env,
      forceKillAfterDelay: 5000,
      stderr: watchStderr,
      ...(signal === undefined ? {} : { cancelSignal: signal }),
      ...(ownProcessGroup === true ? { detached: true } : {}),
      ...(input === undefined ? { stdin: 'ignore' as const } : { input }),
    });
    if (timeoutMs !== undefined) arm(clockStarted || clock === undefined ? timeoutMs : clock.maxWaitMs);
    const result = await subprocess.finally(() => clearTimeout(timer));
    if (result.exitCode === 0) return result.stdout;
    const stderr = result.stderr;
    if (result.code === 'ENOENT' || result.code === 'EACCES') {
      throw new KindNotFoundError(`kind executable ${result.code === 'ENOENT' ? 'not found' : 'not executable'}: ${bin}`, {
        args,
        stderr,
        hint: 'install kind >= 0.33 (https://kind.sigs.k8s.io/docs/user/quick-start/#installation) and put it on PATH, or set KIND_BIN to its path',
      });
    }
    if (expired !== undefined) {
      const pulling = !clockStarted;
      throw new KindTimeoutError(
        pulling
          ? `${describeCommand(args)}: the node image was not ready within ${formatDuration(expired)}`
          : `${describeCommand(args)}: did not finish within ${formatDuration(expired)}`,
        {
          args,
          stderr,
          transient: false,
          hint: pulling
            ? 'the node image download is slow or stuck: pull it first (`docker pull <node image>`) and check the registry connection'
            : 'the host may be overloaded: lower --parallel or raise the phase timeout (--timeout clusterCreate=...)',
        },
      );
    }
    // A signal that reached kind between its start and its leaving the terminal's process group.
    if (ownProcessGroup === true && result.signal !== undefined) {
      throw new KindError(`${describeCommand(args)}: stopped by ${result.signal} as it started`, { args, stderr, transient: true, hint: `run \`${describeCommand(args)}\` by hand` });
    }
    if (result.exitCode === undefined) {
      throw new KindError(`${describeCommand(args)}: ${result.shortMessage}`, { args, stderr, hint: 'check that kind runs by hand' });
    }
    throw classifyKindFailure(args, stderr);
  }

  function run(invocation: Invocation, beforeRetry?: () => Promise<void>): Promise<string> {
    let attempt = 0;
    return pRetry(
      async () => {
        attempt++;
        if (attempt > 1 && beforeRetry !== undefined) await beforeRetry();
        return runOnce(invocation);
      },
      {
        retries,
        minTimeout,
        factor: 2,
        shouldRetry: ({ error }) => error instanceof KindError && error.transient,
        onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
          if (error instanceof KindError && error.transient && retriesLeft > 0) {
            options.onRetry?.({ command: describeCommand(invocation.args), attempt: attemptNumber, retriesLeft, error });
          }
        },
      },
    );
  }

  async function deleteCluster(name: string): Promise<void> {
    await run({ args: ['delete', 'cluster', '--name', name], ownProcessGroup: true });
  }

  return {
    bin,

    async version() {
      const raw = (await run({ args: ['version'] })).trim();
      const match = /\bv?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)/.exec(raw);
      if (match?.[1] === undefined) {
        throw new KindError(`kind version: cannot read a version from "${raw}"`, {
          args: ['version'],
          stderr: '',
          hint: `check that ${bin} is kind`,
        });
      }
      return { version: match[1], raw };
    },

    async createCluster(create) {
      const args = ['create', 'cluster', '--name', create.name, '--config', '-'];
      if (create.image !== undefined) args.push('--image', create.image);
      if (create.wait !== undefined) args.push('--wait', typeof create.wait === 'number' ? formatDuration(create.wait) : create.wait);
      if (create.kubeconfigPath !== undefined) args.push('--kubeconfig', create.kubeconfigPath);
      if (create.retain === true) args.push('--retain');
      // A failed attempt can leave nodes behind (always with --retain); clear them before retrying.
      // The deadline counts from the node image being present: a first pull is not slowness of the host.
      const clock = { after: NODE_IMAGE_READY, maxWaitMs: (create.imagePullTimeoutMs ?? NODE_IMAGE_PULL_TIMEOUT_MS) + (create.timeoutMs ?? 0) };
      await run(
        {
          args,
          input: create.configYaml,
          ...(create.timeoutMs === undefined ? {} : { timeoutMs: create.timeoutMs, clock }),
          ...(create.signal === undefined ? {} : { signal: create.signal }),
        },
        () => deleteCluster(create.name),
      );
    },

    deleteCluster,

    async getClusters() {
      // kind prints "No kind clusters found." on stderr and nothing on stdout when there are none.
      const stdout = await run({ args: ['get', 'clusters'] });
      return stdout
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '');
    },

    async getKubeconfig(name, kubeconfigOptions = {}) {
      const args = ['get', 'kubeconfig', '--name', name];
      if (kubeconfigOptions.internal === true) args.push('--internal');
      return run({ args });
    },

    async exportLogs(name, dir) {
      await run({ args: ['export', 'logs', dir, '--name', name] });
      return dir;
    },

    async loadImages(name, images, signal) {
      if (images.length === 0) return;
      await run({ args: ['load', 'docker-image', ...images, '--name', name], ...(signal === undefined ? {} : { signal }) });
    },
  };
}
