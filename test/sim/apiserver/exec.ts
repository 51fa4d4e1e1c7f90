// Exec over WebSocket with the Kubernetes channel protocol: channel 0 stdin, 1 stdout, 2 stderr,
// 3 a Status JSON; with v5.channel.k8s.io the client half-closes stdin by sending [255, 0].
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { resourceDetails, statusBody, type StatusBody } from './status.ts';
import type { ExecHandler, KubeObject, ObjectStore } from './types.ts';

/** What a current API server speaks, most preferred first; older ones stop at v4 (no stdin close). */
export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const CLOSE_CHANNEL = 255;

interface ExecCall {
  pod: KubeObject;
  container: string;
  command: string[];
  stdin: boolean;
}

function rejectUpgrade(socket: Duplex, status: StatusBody): void {
  const body = JSON.stringify(status);
  const reason = status.code === 404 ? 'Not Found' : 'Bad Request';
  socket.end(`HTTP/1.1 ${status.code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

const podDetails = (name: string) => resourceDetails({ group: '', plural: 'pods' }, name);

/**
 * The pod and container an exec request names, or the Status the API server refuses it with, in the
 * real server's order of checks: the pod, its container, its node. Upgraded or not, a request
 * gets these answers.
 */
export function locateExec(store: ObjectStore, namespace: string, podName: string, url: URL): { pod: KubeObject; container: string } | StatusBody {
  const pod = store.get('v1', 'Pod', namespace, podName);
  if (!pod) return statusBody(404, `pods "${podName}" not found`, { details: podDetails(podName) });
  const spec = (pod['spec'] as { nodeName?: string; containers?: Array<{ name: string }> } | undefined) ?? {};
  const containers = (spec.containers ?? []).map((c) => c.name);
  let container = url.searchParams.get('container') ?? '';
  if (container === '') {
    if (containers.length !== 1) return statusBody(400, `a container name must be specified for pod ${podName}, choose one of: [${containers.join(' ')}]`);
    container = containers[0]!;
  }
  if (!containers.includes(container)) return statusBody(400, `container ${container} is not valid for pod ${podName}`);
  if (!spec.nodeName) return statusBody(400, `pod ${podName} does not have a host assigned`);
  // The real server reports a missing node in these words (the node's name, as if it were a pod's).
  if (!store.get('v1', 'Node', undefined, spec.nodeName)) return statusBody(404, `pods "${spec.nodeName}" not found`, { details: podDetails(spec.nodeName) });
  return { pod, container };
}

/** What the exec request names, or the Status the upgrade is refused with (by the server or, here, its kubelet). */
function resolveCall(store: ObjectStore, namespace: string, podName: string, url: URL): ExecCall | StatusBody {
  const located = locateExec(store, namespace, podName, url);
  if ('kind' in located) return located;
  const phase = (located.pod['status'] as { phase?: string } | undefined)?.phase;
  if (phase !== 'Running') return statusBody(400, `unable to upgrade connection: pod ${namespace}/${podName} is not running (phase ${phase ?? 'unknown'})`);
  const command = url.searchParams.getAll('command');
  if (command.length === 0) return statusBody(400, 'you must specify at least 1 command');
  return { ...located, command, stdin: url.searchParams.get('stdin') === 'true' };
}

function frame(channel: number, data: string | Buffer): Buffer {
  const payload = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return Buffer.concat([Buffer.from([channel]), payload]);
}

function exitStatus(command: string[], exitCode: number): object {
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

export class ExecEndpoint {
  readonly #protocols: readonly string[];
  readonly #wss: WebSocketServer;
  readonly #store: ObjectStore;
  readonly #handler: ExecHandler;

  constructor(store: ObjectStore, handler: ExecHandler, protocols: readonly string[] = EXEC_PROTOCOLS) {
    this.#protocols = protocols;
    this.#wss = new WebSocketServer({ noServer: true, handleProtocols: (offered: Set<string>) => protocols.find((p) => offered.has(p)) ?? false });
    this.#store = store;
    this.#handler = handler;
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, namespace: string, podName: string): void {
    const call = resolveCall(this.#store, namespace, podName, url);
    if ('kind' in call) {
      rejectUpgrade(socket, call);
      return;
    }
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (!this.#protocols.some((p) => offered.includes(p))) {
      rejectUpgrade(socket, statusBody(400, `unable to upgrade connection: none of the offered subprotocols [${offered.join(', ')}] is supported (want ${this.#protocols.join(' or ')})`));
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#serve(ws, call));
  }

  #serve(ws: WebSocket, call: ExecCall): void {
    const stdinChunks: Buffer[] = [];
    let started = false;
    const run = (): void => {
      if (started) return;
      started = true;
      const stdin = call.stdin ? { stdin: Buffer.concat(stdinChunks).toString('utf8') } : {};
      this.#handler({ pod: call.pod, container: call.container, command: call.command, store: this.#store, ...stdin }).then(
        (reply) => {
          if (ws.readyState !== ws.OPEN) return;
          if (reply.stdout !== '') ws.send(frame(1, reply.stdout));
          if (reply.stderr !== '') ws.send(frame(2, reply.stderr));
          ws.send(frame(3, JSON.stringify(exitStatus(call.command, reply.exitCode))));
          ws.close(1000);
        },
        (err: unknown) => {
          if (ws.readyState !== ws.OPEN) return;
          const status = { metadata: {}, status: 'Failure', reason: 'InternalError', message: `Internal error occurred: ${(err as Error).message}`, code: 500 };
          ws.send(frame(3, JSON.stringify(status)));
          ws.close(1000);
        },
      );
    };
    ws.on('message', (data: RawData) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
      if (buf.length === 0) return;
      if (buf[0] === 0) stdinChunks.push(buf.subarray(1));
      else if (buf[0] === CLOSE_CHANNEL && buf[1] === 0) run();
    });
    // v4 has no half-close: stdin ends only when the client closes the socket, so there is no one
    // left to answer; the command still runs, as it would on a real node.
    ws.on('close', () => {
      if (call.stdin) run();
    });
    if (!call.stdin) run();
  }

  close(): void {
    for (const client of this.#wss.clients) client.terminate();
    this.#wss.close();
  }
}
