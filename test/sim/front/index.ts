// The node front: makes a simulated cluster's node addresses real on a Docker network, so that
// containers on that network (an external client) reach NodePorts and hostPorts the way they reach
// a kind node. Active when the cluster is created with KIND_EXPERIMENTAL_DOCKER_NETWORK naming an
// existing bridge network and this process may change the host's addresses (root, `ip`);
// otherwise the nodes keep API-only addresses and the reason is logged and recorded.
import type { ObjectStore } from '../apiserver/index.ts';
import type { Dataplane } from '../dataplane/index.ts';
import { claimAddresses, releaseAddresses, writeFrontRecord } from './addresses.ts';
import { defaultIngressCertificate } from './certificate.ts';
import { inspectDockerNetwork } from './docker-network.ts';
import { startNodeFront, type NodeFront } from './server.ts';

export { readFrontRecord, releaseRecordedAddresses, type FrontRecord } from './addresses.ts';

export const DOCKER_NETWORK_ENV = 'KIND_EXPERIMENTAL_DOCKER_NETWORK';

export interface ClaimedFront {
  /** Node addresses in node order. */
  nodeIps: string[];
  /** Opens the listeners on the addresses; resolves once they match the cluster state. */
  serve(store: ObjectStore, dataplane: Dataplane): Promise<NodeFront>;
  /** Closes the listeners and removes the addresses (idempotent, synchronous address removal). */
  close(): Promise<void>;
  /** Removes the addresses at once (for process exit paths that cannot wait). */
  releaseNow(): void;
}

export interface ClaimOptions {
  home: string;
  cluster: string;
  nodeNames: string[];
  env?: NodeJS.ProcessEnv;
  log(message: string): void;
}

/** Why the front cannot be used on this machine, or undefined when it can. */
function unavailableReason(env: NodeJS.ProcessEnv): string | undefined {
  if (!env[DOCKER_NETWORK_ENV]) return `${DOCKER_NETWORK_ENV} is not set: node addresses exist only in the API`;
  if (process.platform !== 'linux') return `node addresses need a Linux bridge (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'adding node addresses to the Docker bridge needs root';
  return undefined;
}

/** Claims one address per node on the network, or records (and logs) why the nodes stay API-only. */
export async function claimNodeFront(opts: ClaimOptions): Promise<ClaimedFront | undefined> {
  const env = opts.env ?? process.env;
  const network = env[DOCKER_NETWORK_ENV] ?? '';
  const fallBack = (reason: string): undefined => {
    opts.log(`node front off, nodes get API-only addresses: ${reason}`);
    writeFrontRecord(opts.home, opts.cluster, { active: false, network, reason });
    return undefined;
  };
  const unavailable = unavailableReason(env);
  if (unavailable) return fallBack(unavailable);
  let nodeIps: string[];
  let bridge: string;
  try {
    const net = await inspectDockerNetwork(network, env);
    bridge = net.bridge;
    nodeIps = claimAddresses(net, opts.nodeNames.length);
  } catch (error) {
    return fallBack((error as Error).message);
  }
  const nodes = opts.nodeNames.map((name, i) => ({ name, ip: nodeIps[i]! }));
  writeFrontRecord(opts.home, opts.cluster, { active: true, network, bridge, nodes, released: false });
  opts.log(`node front on Docker network "${network}" (${bridge}): ${nodes.map((n) => `${n.name}=${n.ip}`).join(', ')}`);

  // Generated while the cluster starts; the listeners need it only once they open.
  const certificate = defaultIngressCertificate();
  certificate.catch(() => undefined);
  let front: NodeFront | undefined;
  let released = false;
  const releaseNow = () => {
    if (released) return;
    released = true;
    releaseAddresses(bridge, nodeIps);
    try {
      writeFrontRecord(opts.home, opts.cluster, { active: true, network, bridge, nodes, released: true });
    } catch {
      // The state directory is already gone (the cluster was deleted): nothing left to record.
    }
  };
  return {
    nodeIps,
    async serve(store, dataplane) {
      front = startNodeFront({ store, dataplane, addresses: nodeIps, defaultCertificate: await certificate, log: opts.log });
      await front.synced();
      return front;
    },
    async close() {
      await front?.stop();
      releaseNow();
    },
    releaseNow,
  };
}
