// Reads a Docker network from the engine's API (the unix socket of $DOCKER_HOST, default
// /var/run/docker.sock): its IPv4 subnet, gateway, the host's bridge interface and the addresses
// containers hold on it. The node front puts the simulated nodes' addresses on that bridge.
import { request } from 'node:http';

export interface DockerNetwork {
  name: string;
  id: string;
  /** IPv4 subnet in CIDR form, e.g. 172.20.0.0/16. */
  subnet: string;
  gateway: string | undefined;
  /** The sub-range Docker allocates container addresses from, when the network sets one. */
  ipRange: string | undefined;
  /** The Linux bridge interface on this host (br-<id12> unless the network names it). */
  bridge: string;
  /** IPv4 addresses of the containers attached right now. */
  containerIps: string[];
}

interface RawNetwork {
  Name: string;
  Id: string;
  Driver: string;
  IPAM?: { Config?: { Subnet?: string; Gateway?: string; IPRange?: string }[] | null };
  Options?: Record<string, string> | null;
  Containers?: Record<string, { IPv4Address?: string }> | null;
}

const BRIDGE_NAME_OPTION = 'com.docker.network.bridge.name';

/** The engine's unix socket path from DOCKER_HOST (unix:// only), else the default socket. */
export function dockerSocketPath(env: NodeJS.ProcessEnv = process.env): string {
  const host = env.DOCKER_HOST?.trim();
  if (!host) return '/var/run/docker.sock';
  if (host.startsWith('unix://')) return host.slice('unix://'.length);
  throw new Error(`DOCKER_HOST=${host} is not a unix socket; the node front needs the engine on this machine`);
}

function getJson(socketPath: string, path: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'GET', timeout: 5_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
        } catch (error) {
          reject(new Error(`the Docker engine answered ${path} with invalid JSON`, { cause: error }));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`the Docker engine did not answer ${path} within 5 s`)));
    req.on('error', (error) => reject(new Error(`cannot reach the Docker engine at ${socketPath}: ${error.message}`)));
    req.end();
  });
}

/** Inspects a bridge network; rejects with the reason when it is missing or unusable. */
export async function inspectDockerNetwork(name: string, env: NodeJS.ProcessEnv = process.env): Promise<DockerNetwork> {
  const { status, body } = await getJson(dockerSocketPath(env), `/networks/${encodeURIComponent(name)}`);
  if (status === 404) throw new Error(`Docker network "${name}" does not exist (create it with \`docker network create ${name}\`)`);
  if (status !== 200) throw new Error(`inspecting Docker network "${name}" failed: HTTP ${status} ${JSON.stringify(body)}`);
  const raw = body as RawNetwork;
  if (raw.Driver !== 'bridge') throw new Error(`Docker network "${name}" uses driver "${raw.Driver}"; only bridge networks have a host interface to put node addresses on`);
  const v4 = (raw.IPAM?.Config ?? []).find((c) => c.Subnet?.includes('.'));
  if (!v4?.Subnet) throw new Error(`Docker network "${name}" has no IPv4 subnet`);
  return {
    name: raw.Name,
    id: raw.Id,
    subnet: v4.Subnet,
    gateway: v4.Gateway || undefined,
    ipRange: v4.IPRange || undefined,
    bridge: raw.Options?.[BRIDGE_NAME_OPTION] || `br-${raw.Id.slice(0, 12)}`,
    containerIps: Object.values(raw.Containers ?? {}).flatMap((c) => (c.IPv4Address ? [c.IPv4Address.split('/')[0]!] : [])),
  };
}
