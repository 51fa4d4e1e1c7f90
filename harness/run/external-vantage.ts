// Where the suites' external client stands. A kind cell's nodes are on the Docker network kind put
// them on (KIND_EXPERIMENTAL_DOCKER_NETWORK, else "kind"). An existing cluster's nodes must be found
// on a Docker network of this machine; where none holds them, the checks from outside the cluster
// are unavailable with that reason instead of failing against a network that cannot reach them.
import type { KubeObject } from '../kube/types.ts';
import { dockerNetworks, EXTERNAL_CLIENT_ENV, networkReachingNodes, type DockerNetworkInfo } from '../external/reach.ts';

export const NETWORK_ENV = 'KIND_EXPERIMENTAL_DOCKER_NETWORK';

export interface ExternalVantage {
  dockerNetwork: string;
  /** Why external checks cannot run from this machine; absent when they can. */
  unavailable?: string;
  /** How the network was chosen, for the cell's log. */
  note?: string;
}

function internalIps(nodes: readonly KubeObject[]): string[] {
  return nodes.flatMap((n) => ((n.status as { addresses?: { type: string; address: string }[] } | undefined)?.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address));
}

export async function externalVantage(opts: {
  existingCluster: boolean;
  nodes: readonly KubeObject[];
  env?: NodeJS.ProcessEnv;
  networks?: () => Promise<DockerNetworkInfo[]>;
}): Promise<ExternalVantage> {
  const env = opts.env ?? process.env;
  const named = env[NETWORK_ENV]?.trim();
  if (named) return { dockerNetwork: named };
  if (!opts.existingCluster || env[EXTERNAL_CLIENT_ENV]?.trim() === 'off') return { dockerNetwork: 'kind' };
  const ips = internalIps(opts.nodes);
  const where = `set ${NETWORK_ENV} to a Docker network that reaches them to run these checks`;
  if (ips.length === 0) return { dockerNetwork: 'kind', unavailable: `the cluster's nodes report no InternalIP, so no client here knows where to send traffic from outside the cluster; ${where}` };
  let networks: DockerNetworkInfo[];
  try {
    networks = await (opts.networks ?? dockerNetworks)();
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { dockerNetwork: 'kind', unavailable: `no container engine is reachable here (${detail}), so no client can stand outside the cluster` };
  }
  const found = networkReachingNodes(ips, networks);
  if (found) return { dockerNetwork: found, note: `external client: Docker network "${found}" holds the nodes' addresses (${ips.join(', ')})` };
  return {
    dockerNetwork: 'kind',
    unavailable: `the nodes' InternalIPs (${ips.join(', ')}) are in no Docker network of this machine, so no client container can reach them from outside the cluster; ${where}`,
  };
}
