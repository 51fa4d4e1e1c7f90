// Exec in a container over the API server's WebSocket exec endpoint (client-node's Exec; the
// v5.channel.k8s.io protocol lets stdin be half-closed, v4 is the fallback without stdin close).
import { Readable, Writable } from 'node:stream';
import { Exec, type KubeConfig, type V1Status } from '@kubernetes/client-node';
import pRetry from 'p-retry';
import { isNotFound, isTransient, isUnreachable, KubeApiError, reasonOfStatus } from './errors.ts';
import type { RetryPolicy } from './http.ts';
import type { ApiReachability } from './reachability.ts';
import type { KubeReader } from './diagnose.ts';
import { describePod, formatDuration, podPhase } from './diagnose.ts';
import type { ExecOptions, ExecResult, ExecTarget } from './types.ts';

const DEFAULT_EXEC_TIMEOUT_MS = 60_000;
/** The channel protocol that can half-close stdin. */
const STDIN_PROTOCOL = 'v5.channel.k8s.io';

type ExecSocket = Awaited<ReturnType<Exec['exec']>>;

class Collector extends Writable {
  readonly chunks: Buffer[] = [];

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.chunks.push(Buffer.from(chunk));
    done();
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** Exit code from the status channel: Success → 0; NonZeroExitCode → its ExitCode cause. */
function exitCodeOf(status: V1Status): number | undefined {
  if (status.status === 'Success') return 0;
  if (status.reason !== 'NonZeroExitCode') return undefined;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  const code = Number(cause?.message);
  return Number.isInteger(code) ? code : undefined;
}

/** Errors quote the command, shortened: a batched probe script can be tens of KiB. */
const MAX_COMMAND_CHARS = 300;

function describeCommand(target: ExecTarget, command: string[]): string {
  const full = command.join(' ');
  const shown = full.length > MAX_COMMAND_CHARS ? `${full.slice(0, MAX_COMMAND_CHARS)}… (${full.length} chars)` : full;
  return `exec [${shown}] in ${target.namespace}/${target.pod}${target.container ? ` (container ${target.container})` : ''}`;
}

export class KubeExec {
  readonly #exec: Exec;
  readonly #reader: KubeReader;
  readonly #retry: RetryPolicy;
  readonly #reachability: ApiReachability;

  constructor(kc: KubeConfig, reader: KubeReader, retry: RetryPolicy, reachability: ApiReachability) {
    this.#exec = new Exec(kc);
    this.#reader = reader;
    this.#retry = retry;
    this.#reachability = reachability;
  }

  async run(target: ExecTarget, command: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
    const what = describeCommand(target, command);
    const stdout = new Collector();
    const stderr = new Collector();
    let status: V1Status | undefined;
    const deadline = Date.now() + timeoutMs;
    let attempts = 0;
    const retries = this.#reachability.retries(this.#retry.retries);
    const connect = (): Promise<ExecSocket> =>
      pRetry(
        async () => {
          attempts++;
          const stdin = opts.stdin === undefined ? null : Readable.from([Buffer.from(opts.stdin, 'utf8')]);
          let ws: ExecSocket;
          try {
            ws = await this.#exec.exec(target.namespace, target.pod, target.container ?? '', command, stdout, stderr, stdin, false, (s) => {
              status = s;
            });
          } catch (err) {
            const connectError = await this.#connectError(target, what, err);
            if (!isUnreachable(connectError)) this.#reachability.answered();
            throw connectError;
          }
          this.#reachability.answered();
          return ws;
        },
        { retries, minTimeout: this.#retry.minTimeoutMs, factor: 2, shouldRetry: ({ error }) => isTransient(error) && Date.now() < deadline },
      );
    const ws = await connect().catch((err: unknown) => {
      throw this.#reachability.gaveUp(err instanceof KubeApiError ? err.withAttempts(attempts) : err, retries === 0);
    });
    // Before v5 the channel protocol has no way to close stdin: the command would wait for an end
    // of input that never comes, and its output would be lost with the timeout.
    if (opts.stdin !== undefined && ws.protocol !== STDIN_PROTOCOL) {
      ws.terminate();
      throw new Error(
        `${what} needs to send stdin, which this API server cannot end: it speaks ${ws.protocol || 'no channel protocol'} for exec, ` +
          `and only ${STDIN_PROTOCOL} can close stdin (upgrade the API server, or exec without stdin)`,
      );
    }
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`${what} timed out after ${formatDuration(timeoutMs)} (the command was still running; the connection was closed)`));
      }, Math.max(0, deadline - Date.now()));
      const finish = (): void => {
        clearTimeout(timer);
        resolve();
      };
      if (ws.readyState === ws.CLOSED) finish();
      else ws.on('close', finish);
    });
    if (!status) {
      // Seen on a real API server when the kubelet cannot be dialled and stdin was sent: at times no status at all.
      const notRunning = await this.#notRunning(target).catch(() => undefined);
      throw new Error(
        `${what}: the connection closed without an exit status (stdout: ${JSON.stringify(stdout.text().slice(0, 200))}, stderr: ${JSON.stringify(stderr.text().slice(0, 200))})` +
          (notRunning ? ` (${notRunning})` : ''),
      );
    }
    const exitCode = exitCodeOf(status);
    if (exitCode === undefined) {
      // E.g. InternalError "error dialing backend": no kubelet answered. A pod that never ran tells why.
      const notRunning = await this.#notRunning(target).catch(() => undefined);
      throw new Error(`${what} failed: ${status.reason ?? status.status ?? 'Failure'}: ${status.message ?? 'no message'}${notRunning ? ` (${notRunning})` : ''}`);
    }
    return { stdout: stdout.text(), stderr: stderr.text(), exitCode };
  }

  /** A failed upgrade says only "Unexpected server response: 404"; the pod itself tells why. */
  async #connectError(target: ExecTarget, what: string, err: unknown): Promise<KubeApiError> {
    const raw = (err as { message?: string; error?: Error }).error ?? err;
    const message = (raw as Error).message ?? String(raw);
    const code = (raw as NodeJS.ErrnoException).code;
    const httpStatus = Number(/Unexpected server response: (\d+)/.exec(message)?.[1] ?? 0);
    const ref = `Pod ${target.namespace}/${target.pod}`;
    if (code) return new KubeApiError({ verb: 'exec', ref, status: 0, reason: code, apiMessage: `${what}: ${message}`, cause: raw });
    let detail = message;
    try {
      const pod = await this.#reader.get({ apiVersion: 'v1', kind: 'Pod', namespace: target.namespace, name: target.pod });
      if (!pod) detail = `pods "${target.pod}" not found`;
      else if (podPhase(pod) !== 'Running') detail = `the pod is not running: ${await describePod(this.#reader, pod)}`;
      else if (target.container) {
        const names = ((pod['spec'] as { containers?: Array<{ name: string }> }).containers ?? []).map((c) => c.name);
        if (!names.includes(target.container)) detail = `the pod has no container ${target.container} (containers: ${names.join(', ')})`;
      }
    } catch (lookupErr) {
      if (!isNotFound(lookupErr)) detail = `${message} (and the pod could not be read: ${(lookupErr as Error).message})`;
    }
    // The refusal's Status body is not handed on by the WebSocket client: its code gives the reason.
    const reason = httpStatus ? (reasonOfStatus(httpStatus) ?? 'UpgradeFailed') : 'ConnectionFailed';
    return new KubeApiError({ verb: 'exec', ref, status: httpStatus, reason, apiMessage: `${what}: ${detail}`, cause: raw });
  }

  /** "the pod is not running: <pod described>", or undefined for a Running (or absent) pod. */
  async #notRunning(target: ExecTarget): Promise<string | undefined> {
    const pod = await this.#reader.get({ apiVersion: 'v1', kind: 'Pod', namespace: target.namespace, name: target.pod });
    return pod && podPhase(pod) !== 'Running' ? `the pod is not running: ${await describePod(this.#reader, pod)}` : undefined;
  }
}
