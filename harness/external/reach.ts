// Which Docker network on this machine reaches a cluster's nodes. The external client joins it to
// send NodePort and ingress traffic from outside the cluster: a kind cell's nodes sit on kind's
// network, but an existing cluster's nodes are reachable from a container here only when their
// InternalIPs lie in the subnet of a Docker network of this machine (kind, k3d, minikube's docker
// driver do that; a cloud or VM cluster does not).
import { getContainerRuntimeClient } from 'testcontainers';

/** `off` declares that no external client container is to be used (the suites then skip those checks). */
export const EXTERNAL_CLIENT_ENV = 'CNIMATRIX_EXTERNAL_CLIENT';

export interface DockerNetworkInfo {
  name: string;
  /** IPv4 CIDRs of the network's IPAM configuration. */
  subnets: string[];
}

function ipv4ToNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

/** Whether the IPv4 address `ip` lies in the IPv4 `cidr`; anything else (IPv6 included) is false. */
export function ipv4InCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const address = ipv4ToNumber(ip);
  const network = ipv4ToNumber(base ?? '');
  const prefix = Number(bits);
  if (address === undefined || network === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return false;
  const size = 2 ** (32 - prefix);
  return Math.floor(address / size) === Math.floor(network / size);
}

/** The first network whose subnets hold every node address, if there is one. */
export function networkReachingNodes(nodeIps: readonly string[], networks: readonly DockerNetworkInfo[]): string | undefined {
  if (nodeIps.length === 0) return undefined;
  return networks.find((n) => nodeIps.every((ip) => n.subnets.some((cidr) => ipv4InCidr(ip, cidr))))?.name;
}

/** This machine's Docker networks with their IPv4 subnets. */
export async function dockerNetworks(): Promise<DockerNetworkInfo[]> {
  const client = await getContainerRuntimeClient();
  const networks = await client.container.dockerode.listNetworks();
  return networks.map((n) => ({
    name: n.Name,
    subnets: (n.IPAM?.Config ?? []).flatMap((c) => (c.Subnet && !c.Subnet.includes(':') ? [c.Subnet] : [])),
  }));
}
