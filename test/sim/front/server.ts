// Listens on the simulated nodes' addresses and answers every connection with the dataplane model,
// as the node would: NodePorts, hostPorts (e.g. the ingress controller's 80/443) and hostNetwork
// listeners. Each accepted connection is decided by the same model that answers in-cluster probes
// (connected / refused → RST / dropped → no answer), with the real peer address as the client IP;
// HTTP requests on it get the model's response (serveHttp), TLS on the controller's port 443
// presents the certificate the controller would choose for the SNI name.
import { createSecureContext, TLSSocket, type SecureContext } from 'node:tls';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import type { ObjectStore } from '../apiserver/index.ts';
import type { Dataplane } from '../dataplane/index.ts';
import { datagramReply, serveHttp, statusText } from '../dataplane/http.ts';
import { connectFromOutside, nodeAddressPorts, type ConnectionResult } from '../dataplane/network.ts';
import type { Protocol } from '../dataplane/state.ts';
import { servedCertificate } from '../dataplane/ingress-tls.ts';

export interface Certificate {
  cert: string;
  key: string;
}

export interface NodeFrontOptions {
  store: ObjectStore;
  dataplane: Dataplane;
  /** The node addresses this process owns (listeners are only opened on these). */
  addresses: string[];
  /** ingress-nginx's default ("fake") certificate, served when no Ingress certificate matches. */
  defaultCertificate: Certificate;
  log(message: string): void;
}

export interface NodeFront {
  /** "ip:port/protocol" of every open listener. */
  listeners(): string[];
  /** Resolves once the listeners match the cluster state of this moment. */
  synced(): Promise<void>;
  stop(): Promise<void>;
}

/** Applications the model answers over HTTP. */
const HTTP_APPLICATIONS = new Set(['netexec', 'serve-hostname', 'ingress-nginx', 'kube-proxy-metrics']);
const INGRESS_HTTPS_PORT = 443;
/** A dropped connection gets no answer; the client's own timeout ends it, this only bounds the hold. */
const DROPPED_HOLD_MS = 120_000;
const RECONCILE_DELAY_MS = 20;

interface Session {
  conn: ConnectionResult;
  scheme: 'http' | 'https';
  address: string;
  port: number;
}

type Listener = { kind: 'tcp'; server: Server } | { kind: 'udp'; socket: UdpSocket };

function peerAddress(address: string | undefined): string {
  return (address ?? '').replace(/^::ffff:/, '');
}

function lowerHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

export function startNodeFront(opts: NodeFrontOptions): NodeFront {
  const { store, dataplane, log } = opts;
  const owned = new Set(opts.addresses);
  const open = new Map<string, Listener>();
  const sockets = new Set<Socket>();
  const sessions = new WeakMap<Socket, Session>();
  const contexts = new Map<string, SecureContext>();
  const secureContext = (c: Certificate): SecureContext => {
    let found = contexts.get(c.cert);
    if (!found) {
      found = createSecureContext({ cert: c.cert, key: c.key });
      contexts.set(c.cert, found);
    }
    return found;
  };

  const http = createHttpServer((req, res) => void answerHttp(req, res));
  http.on('clientError', (_error, socket) => socket.destroy());

  async function answerHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let received = 0;
    for await (const chunk of req) received += (chunk as Buffer).length;
    const session = sessions.get(req.socket);
    if (!session) return void req.socket.destroy();
    const headers = lowerHeaders(req);
    const response = serveHttp(dataplane.context(store), session.conn, {
      method: req.method ?? 'GET',
      scheme: session.scheme,
      host: headers.host ?? `${session.address}:${session.port}`,
      path: req.url ?? '/',
      headers,
      clientIp: session.conn.clientIp,
      bodySize: headers['content-length'] !== undefined ? Number(headers['content-length']) : received,
    });
    // Nothing that speaks HTTP answered: the connection closes without a reply.
    if (response.status === 0) return void req.socket.destroy();
    res.sendDate = false;
    res.writeHead(response.status, statusText(response.status), response.headers.flat());
    res.end(response.body);
  }

  function serveTls(socket: Socket, session: Session): void {
    const tls = new TLSSocket(socket, {
      isServer: true,
      secureContext: secureContext(opts.defaultCertificate),
      SNICallback: (servername, done) => {
        try {
          const served = servedCertificate(dataplane.context(store), servername);
          const certificate = served ? { cert: served.chain.map((c) => c.toString()).join(''), key: served.key } : opts.defaultCertificate;
          done(null, secureContext(certificate));
        } catch (error) {
          done(error as Error);
        }
      },
    });
    tls.on('error', () => tls.destroy());
    sessions.set(tls, session);
    http.emit('connection', tls);
  }

  function onTcpConnection(socket: Socket, address: string, port: number): void {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const client = peerAddress(socket.remoteAddress);
    const result = connectFromOutside(dataplane.context(store), client, address, port, 'TCP');
    const conn: ConnectionResult = { ...result, clientPort: socket.remotePort ?? result.clientPort };
    if (conn.outcome === 'refused') return void socket.resetAndDestroy();
    if (conn.outcome === 'timeout') {
      socket.setTimeout(DROPPED_HOLD_MS, () => socket.destroy());
      socket.on('end', () => socket.destroy());
      socket.resume();
      return;
    }
    const application = conn.listener?.application ?? 'other';
    if (!HTTP_APPLICATIONS.has(application)) return void socket.end();
    const tls = application === 'ingress-nginx' && conn.listener?.port === INGRESS_HTTPS_PORT;
    const session: Session = { conn, scheme: tls ? 'https' : 'http', address, port };
    if (tls) return serveTls(socket, session);
    sessions.set(socket, session);
    http.emit('connection', socket);
  }

  function onDatagram(socket: UdpSocket, message: Buffer, peer: { address: string; port: number }, address: string, port: number): void {
    const conn = connectFromOutside(dataplane.context(store), peerAddress(peer.address), address, port, 'UDP');
    if (conn.outcome !== 'connected') return;
    const reply = datagramReply({ ...conn, clientPort: peer.port }, message.toString('utf8').trim());
    if (reply) socket.send(reply, peer.port, peer.address);
  }

  async function openListener(address: string, port: number, protocol: Protocol): Promise<Listener> {
    if (protocol === 'UDP') {
      const socket = createSocket('udp4');
      socket.on('message', (message, peer) => onDatagram(socket, message, peer, address, port));
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(port, address, () => {
          socket.off('error', reject);
          socket.on('error', (error) => log(`udp ${address}:${port}: ${error.message}`));
          resolve();
        });
      });
      return { kind: 'udp', socket };
    }
    const server = createTcpServer((socket) => onTcpConnection(socket, address, port));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, address, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return { kind: 'tcp', server };
  }

  function closeListener(listener: Listener): Promise<void> {
    if (listener.kind === 'udp') return new Promise((resolve) => listener.socket.close(() => resolve()));
    return new Promise((resolve) => listener.server.close(() => resolve()));
  }

  function desired(): Map<string, { address: string; port: number; protocol: Protocol }> {
    const ctx = dataplane.context(store);
    const want = new Map<string, { address: string; port: number; protocol: Protocol }>();
    for (const node of ctx.state.nodes) {
      if (!owned.has(node.ip)) continue;
      for (const { port, protocol } of nodeAddressPorts(ctx, node.name)) {
        if (protocol === 'SCTP') continue;
        want.set(`${node.ip}:${port}/${protocol}`, { address: node.ip, port, protocol });
      }
    }
    return want;
  }

  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const failedKeys = new Set<string>();

  async function reconcile(): Promise<void> {
    const want = desired();
    for (const [key, listener] of open) {
      if (want.has(key)) continue;
      open.delete(key);
      await closeListener(listener);
    }
    for (const [key, target] of want) {
      if (open.has(key) || stopped) continue;
      try {
        open.set(key, await openListener(target.address, target.port, target.protocol));
        failedKeys.delete(key);
      } catch (error) {
        // Logged once per key: e.g. a port this host already uses on every address.
        if (!failedKeys.has(key)) log(`cannot listen on ${key}: ${(error as Error).message}`);
        failedKeys.add(key);
      }
    }
  }

  function sync(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await reconcile();
      } while (again && !stopped);
    })().finally(() => {
      running = undefined;
    });
    return running;
  }

  const unsubscribe = store.onChange(() => {
    if (timer || stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      void sync();
    }, RECONCILE_DELAY_MS);
  });
  const initial = sync();

  return {
    listeners: () => [...open.keys()].sort(),
    async synced() {
      await initial;
      await sync();
    },
    async stop() {
      stopped = true;
      unsubscribe();
      clearTimeout(timer);
      await running;
      for (const socket of sockets) socket.destroy();
      await Promise.all([...open.values()].map(closeListener));
      open.clear();
    },
  };
}
