// The troubleshooting bundle of a failed cell, organised like the network guide's table: pods
// cannot talk → CNI pods; Service unreachable → kube-proxy rules; DNS fails → CoreDNS; outside
// access fails → ingress controller. Its README maps each symptom to the folders to read. Every
// collector is independent: one that fails is noted in collect-errors.txt, the others still run.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Diagnostic } from '../../clusters/diagnostic.ts';
import { podIPs } from '../kube/pod-ips.ts';
import type { Kube, KubeObject } from '../kube/types.ts';
import type { CellContext } from './context.ts';

interface PodStatus {
  phase?: string;
  containerStatuses?: { name: string; ready: boolean; restartCount: number; state?: Record<string, { reason?: string; message?: string }> }[];
}

/** "ns/name (10.244.1.5) on kind-worker: Running; agnhost: ready, running, restarts 0"; every IP of a dual-stack pod. */
export function podLine(pod: KubeObject): string {
  const status = (pod.status ?? {}) as PodStatus;
  const node = (pod.spec as { nodeName?: string } | undefined)?.nodeName ?? '-';
  const containers = (status.containerStatuses ?? []).map((c) => {
    const [state, detail] = Object.entries(c.state ?? {})[0] ?? ['unknown', {}];
    const why = detail.reason ? ` ${detail.reason}` : '';
    return `${c.name}: ${c.ready ? 'ready' : 'not ready'}, ${state}${why}, restarts ${c.restartCount}`;
  });
  const ip = podIPs(pod).join(', ') || 'no IP';
  return `${pod.metadata.namespace}/${pod.metadata.name} (${ip}) on ${node}: ${status.phase ?? 'Unknown'}; ${containers.join('; ') || 'no container status'}`;
}

interface NodeStatus {
  addresses?: { type: string; address: string }[];
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
  nodeInfo?: { kubeletVersion?: string };
}

/** "kind-worker: InternalIP 172.18.0.3, Hostname kind-worker; podCIDR 10.244.1.0/24; Ready True (KubeletReady); kubelet v1.34.4". */
export function nodeLine(node: KubeObject): string {
  const status = (node.status ?? {}) as NodeStatus;
  const addresses = (status.addresses ?? []).map((a) => `${a.type} ${a.address}`).join(', ') || 'no addresses';
  const podCidr = (node.spec as { podCIDR?: string } | undefined)?.podCIDR ?? 'none';
  const ready = status.conditions?.find((c) => c.type === 'Ready');
  const readiness = ready ? `Ready ${ready.status}${ready.reason ? ` (${ready.reason}${ready.message && ready.status !== 'True' ? `: ${ready.message}` : ''})` : ''}` : 'no Ready condition';
  return `${node.metadata.name}: ${addresses}; podCIDR ${podCidr}; ${readiness}; kubelet ${status.nodeInfo?.kubeletVersion ?? 'unknown'}`;
}

/** The rule dumps that show what kube-proxy programmed in a proxy mode: only the mode's own tables. */
export function proxyRuleCommands(proxyMode: string): [file: string, command: string[]][] {
  const iptables: [string, string[]] = ['iptables-save.txt', ['iptables-save']];
  switch (proxyMode) {
    case 'nftables':
      return [['nft-ruleset.txt', ['nft', 'list', 'ruleset']]];
    case 'ipvs':
      // IPVS holds the virtual servers; masquerading and NodePort filtering stay in iptables.
      return [['ip_vs.txt', ['cat', '/proc/net/ip_vs']], iptables];
    default:
      return [iptables];
  }
}

function containerNames(pod: KubeObject): string[] {
  const spec = pod.spec as { containers?: { name: string }[] } | undefined;
  return (spec?.containers ?? []).map((c) => c.name);
}

class Bundle {
  readonly errors: string[] = [];
  readonly files: string[] = [];
  readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
  }

  async write(relative: string, content: string): Promise<void> {
    const file = join(this.dir, relative);
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(file, content);
    this.files.push(relative);
  }

  async attempt(what: string, collect: () => Promise<void>): Promise<void> {
    try {
      await collect();
    } catch (error) {
      this.errors.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

async function collectDiagnostic(kube: Kube, bundle: Bundle, folder: string, diag: Diagnostic): Promise<void> {
  const pods = await kube.list('v1', 'Pod', {
    namespace: diag.namespace,
    ...(diag.labelSelector ? { labelSelector: diag.labelSelector } : {}),
  });
  if (diag.collect.includes('pods')) {
    await bundle.write(`${folder}/pods.txt`, `${diag.what}\n\n${pods.map(podLine).join('\n') || 'no pods matched'}\n`);
  }
  for (const pod of pods) {
    const containers = diag.container ? [diag.container] : containerNames(pod);
    for (const container of containers) {
      const target = { namespace: diag.namespace, pod: pod.metadata.name, container };
      if (diag.collect.includes('logs')) {
        await bundle.attempt(`logs of ${pod.metadata.name}/${container}`, async () =>
          bundle.write(`${folder}/logs/${pod.metadata.name}.${container}.log`, await kube.logs(target, { tailLines: 2000 })),
        );
      }
      if (diag.collect.includes('previousLogs')) {
        // Only restarted containers have previous logs; absence is normal, not an error.
        await kube
          .logs(target, { previous: true, tailLines: 2000 })
          .then((text) => bundle.write(`${folder}/logs/${pod.metadata.name}.${container}.previous.log`, text))
          .catch(() => undefined);
      }
    }
  }
  if (diag.collect.includes('events')) {
    const events = await kube.events(diag.namespace);
    await bundle.write(
      `${folder}/events.txt`,
      events.map((e) => `${e.lastTimestamp} ${e.type} ${e.involvedObject} ${e.reason}: ${e.message}`).join('\n') + '\n',
    );
  }
}

/** The node rules kube-proxy programmed, read inside each kube-proxy pod (hostNetwork, privileged). */
async function collectProxyRules(kube: Kube, bundle: Bundle, proxyMode: string): Promise<void> {
  const pods = await kube.list('v1', 'Pod', { namespace: 'kube-system', labelSelector: 'k8s-app=kube-proxy' });
  if (pods.length === 0) {
    await bundle.write('kube-proxy-rules/README.txt', 'no kube-proxy pods: the cell runs without kube-proxy (proxy mode none)\n');
    return;
  }
  const commands = proxyRuleCommands(proxyMode);
  for (const pod of pods) {
    const node = (pod.spec as { nodeName?: string } | undefined)?.nodeName ?? pod.metadata.name;
    for (const [file, command] of commands) {
      await bundle.attempt(`${command.join(' ')} on ${node}`, async () => {
        const result = await kube.exec({ namespace: 'kube-system', pod: pod.metadata.name }, command, { timeoutMs: 30_000 });
        await bundle.write(`kube-proxy-rules/${node}/${file}`, result.exitCode === 0 ? result.stdout : `exit ${result.exitCode}\n${result.stderr}`);
      });
    }
  }
}

type Symptom = 'pods cannot talk' | 'Service unreachable' | 'DNS fails' | 'outside access fails';

/** Which row of the network guide's troubleshooting table a diagnostic serves. */
function symptomOf(ctx: CellContext, diag: Diagnostic): Symptom {
  if (ctx.cell.ingress?.diagnostics.includes(diag)) return 'outside access fails';
  if (diag.labelSelector === 'k8s-app=kube-dns') return 'DNS fails';
  if (diag.labelSelector === 'k8s-app=kube-proxy') return 'Service unreachable';
  return 'pods cannot talk';
}

const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);

function readme(ctx: CellContext, failed: string[], folders: Map<Symptom, string[]>): string {
  const rows: [Symptom, string][] = [
    ['pods cannot talk', 'the CNI'],
    ['Service unreachable', 'kube-proxy (or its replacement)'],
    ['DNS fails', 'CoreDNS'],
    ['outside access fails', 'the ingress controller'],
  ];
  const extra: Partial<Record<Symptom, string[]>> = { 'Service unreachable': ['kube-proxy-rules/<node>/'], 'DNS fails': ['coredns-config/'] };
  const table = rows
    .map(([symptom, cause]) => `| ${symptom} | ${cause} | ${[...(folders.get(symptom) ?? []), ...(extra[symptom] ?? [])].map((f) => `\`${f}\``).join(', ') || '-'} |`)
    .join('\n');
  return `# Troubleshooting bundle: ${ctx.cell.id}

Failed:
${failed.map((f) => `- ${f}`).join('\n') || '- (nothing recorded)'}

| symptom | likely cause | look at |
|---|---|---|
${table}
| anything | the nodes | ${[...(ctx.mode === 'existing' ? [] : ['`kind-logs/` (kind export logs)']), '`nodes.txt` (addresses, pod CIDRs, readiness)', '`events/`'].join(', ')} |
`;
}

/** The kube adapter when the API server answers; a dead one would make every collector retry. */
async function reachable(ctx: CellContext, bundle: Bundle): Promise<Kube | undefined> {
  if (!ctx.kube) return undefined;
  try {
    await ctx.kube.list('v1', 'Namespace');
    return ctx.kube;
  } catch (error) {
    bundle.errors.push(`the API server does not answer (${error instanceof Error ? error.message : String(error)}): only kind's logs were collected`);
    return undefined;
  }
}

/** Collects the bundle into ctx.artifactsDir; returns the files written. */
export async function collectBundle(ctx: CellContext, failed: string[]): Promise<string[]> {
  const bundle = new Bundle(ctx.artifactsDir);
  const folders = new Map<Symptom, string[]>();
  const kube = await reachable(ctx, bundle);
  if (kube) {
    for (const diag of ctx.cell.diagnostics) {
      const folder = slug(diag.what);
      const symptom = symptomOf(ctx, diag);
      folders.set(symptom, [...(folders.get(symptom) ?? []), `${folder}/`]);
      await bundle.attempt(diag.what, () => collectDiagnostic(kube, bundle, folder, diag));
    }
    await bundle.attempt('nodes', async () => {
      const nodes = await kube.list('v1', 'Node');
      await bundle.write('nodes.txt', `${nodes.map(nodeLine).join('\n') || 'no nodes'}\n`);
    });
    await bundle.attempt('kube-proxy rules', () => collectProxyRules(kube, bundle, ctx.cell.proxyMode));
    await bundle.attempt('CoreDNS configuration', async () => {
      const corefile = await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'kube-system', name: 'coredns' });
      await bundle.write('coredns-config/Corefile', (corefile?.data as Record<string, string> | undefined)?.Corefile ?? 'no coredns ConfigMap\n');
    });
    await bundle.attempt('events', async () => {
      const namespaces = await kube.list('v1', 'Namespace');
      for (const ns of namespaces) {
        const events = await kube.events(ns.metadata.name);
        if (events.length === 0) continue;
        await bundle.write(
          `events/${ns.metadata.name}.txt`,
          events.map((e) => `${e.lastTimestamp} ${e.type} ${e.involvedObject} ${e.reason}: ${e.message}`).join('\n') + '\n',
        );
      }
    });
  }
  if (ctx.mode !== 'existing' && ctx.clusterExists) {
    await bundle.attempt('kind export logs', async () => {
      await ctx.kind.exportLogs(ctx.cell.clusterName, join(ctx.artifactsDir, 'kind-logs'));
      bundle.files.push('kind-logs/');
    });
  }
  await bundle.write('README.md', readme(ctx, failed, folders));
  if (bundle.errors.length > 0) await bundle.write('collect-errors.txt', `${bundle.errors.join('\n')}\n`);
  return bundle.files;
}
