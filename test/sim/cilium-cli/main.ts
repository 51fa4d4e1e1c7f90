// The simulated `cilium` (cilium-cli) that the e2e runs' cilium-cli tarball holds: `cilium install
// --version=V [--wait=false] --set key=value...` applies what the chart renders for those values,
// as far as the sim and the profile's checks look at it (cilium-config, the agent DaemonSet with its
// cilium-agent container, the operator), to the cluster named by KUBECONFIG.
import { createKube } from '../../../harness/kube/index.ts';
import type { KubeObject } from '../../../harness/kube/types.ts';

function parseArgs(args: string[]): { command: string | undefined; version: string | undefined; values: Record<string, string> } {
  const values: Record<string, string> = {};
  let version: string | undefined;
  for (let i = 1; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--set') {
      const [key, ...rest] = (args[++i] ?? '').split('=');
      if (key) values[key] = rest.join('=');
    } else if (arg.startsWith('--version=')) {
      version = arg.slice('--version='.length);
    }
  }
  return { command: args[0], version, values };
}

function ciliumObjects(version: string, values: Record<string, string>): KubeObject[] {
  const pod = (labels: Record<string, string>, container: string, image: string) => ({
    metadata: { labels },
    spec: { hostNetwork: true, tolerations: [{ operator: 'Exists' }], containers: [{ name: container, image }] },
  });
  const agentLabels = { 'k8s-app': 'cilium' };
  const operatorLabels = { 'io.cilium/app': 'operator', name: 'cilium-operator' };
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cilium-config', namespace: 'kube-system' },
      data: {
        'kube-proxy-replacement': values['kubeProxyReplacement'] ?? 'false',
        ipam: values['ipam.mode'] ?? 'cluster-pool',
        ...(values['cni.chainingMode'] ? { 'cni-chaining-mode': values['cni.chainingMode'] } : {}),
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'cilium', namespace: 'kube-system', labels: agentLabels },
      spec: { selector: { matchLabels: agentLabels }, template: pod(agentLabels, 'cilium-agent', `quay.io/cilium/cilium:v${version}`) },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'cilium-operator', namespace: 'kube-system', labels: operatorLabels },
      spec: {
        replicas: Number(values['operator.replicas'] ?? '2'),
        selector: { matchLabels: operatorLabels },
        template: pod(operatorLabels, 'cilium-operator', `quay.io/cilium/operator-generic:v${version}`),
      },
    },
  ];
}

async function main(args: string[]): Promise<number> {
  const { command, version, values } = parseArgs(args);
  if (command !== 'install') {
    process.stderr.write(`Error: unknown command "${command ?? ''}" for "cilium"\n`);
    return 1;
  }
  const kubeconfigPath = process.env['KUBECONFIG'];
  if (!kubeconfigPath || !version) {
    process.stderr.write('Error: cilium install needs KUBECONFIG and --version\n');
    return 1;
  }
  process.stdout.write(`🔮 Auto-detected Kubernetes kind: kind\nℹ️  Using Cilium version ${version}\n`);
  await createKube({ kubeconfigPath }).apply(ciliumObjects(version, values));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`Error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
