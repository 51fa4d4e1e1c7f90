// The node front against a real container engine: a simulated cell on a Docker network it owns,
// probed with curl from a real container on that network (harness/external), as the suites'
// "from outside the cluster" checks do. Needs Docker and the local image built by
// test/docker/build-images.sh: skipped with a printed reason without them, failing when CI=true.
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Network, type StartedNetwork } from 'testcontainers';
import { generate } from 'selfsigned';
import { ExternalClient, type StartedExternalClient } from '../../harness/external/client.ts';
import { dockerAvailable, imageExistsLocally } from '../../harness/external/docker.ts';
import { createKube } from '../../harness/kube/index.ts';
import type { Kube, KubeObject } from '../../harness/kube/types.ts';
import { startSimCell, type SimCell } from './harness.ts';
import { clusterDir, SIM_HOME_ENV } from './kind/state.ts';
import { CONTROLLER_LABELS, CONTROLLER_NAMESPACE, controllerPodSpec, ingressClass } from './ingress-controller.ts';

const IMAGE = process.env.CNIMATRIX_TEST_CURL_IMAGE ?? 'cnimatrix/curl:local';
const NS = 'front';
const TLS_HOST = 'secure.front.test';
const PLAIN_HOST = 'plain.front.test';

/** Why the test cannot run here, or undefined. */
async function unavailable(): Promise<string | undefined> {
  const docker = await dockerAvailable();
  if (!docker.available) return docker.reason;
  if (!(await imageExistsLocally(IMAGE))) return `image ${IMAGE} is missing (run \`bash test/docker/build-images.sh\`)`;
  if (process.getuid?.() !== 0) return 'the node front adds addresses to the Docker bridge, which needs root';
  return undefined;
}

const skipReason = await unavailable();
if (skipReason && process.env.CI === 'true') throw new Error(`front.test.ts needs a container engine in CI: ${skipReason}`);
if (skipReason) process.stdout.write(`[front.test] skipped: ${skipReason}\n`);
const describeDocker = skipReason ? describe.skip : describe;

async function certificateFor(host: string): Promise<{ cert: string; key: string }> {
  const pems = await generate([{ name: 'commonName', value: host }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: host }] }],
  });
  return { cert: pems.cert, key: pems.private };
}

function objects(worker: string, tls: { cert: string; key: string }): KubeObject[] {
  const backend = (name: string, node: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: { app: 'web', pod: name } },
    spec: {
      nodeSelector: { 'kubernetes.io/hostname': node },
      tolerations: [{ operator: 'Exists' }],
      containers: [{ name: 'netexec', image: 'registry.k8s.io/e2e-test-images/agnhost:2.56', args: ['netexec', '--http-port=8080', '--udp-port=8081'], ports: [{ containerPort: 8080 }, { containerPort: 8081, protocol: 'UDP' }] }],
    },
  });
  const service = (name: string, spec: Record<string, unknown>): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NS },
    spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }], ...spec },
  });
  const rule = (host: string) => ({ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } });
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: CONTROLLER_NAMESPACE } },
    ingressClass,
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'ingress-nginx-controller', namespace: CONTROLLER_NAMESPACE, labels: CONTROLLER_LABELS },
      spec: controllerPodSpec(),
    },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
    backend('web-0', worker),
    service('web', {}),
    service('web-local', { type: 'NodePort', externalTrafficPolicy: 'Local' }),
    service('web-cluster', { type: 'NodePort' }),
    service('web-udp', { type: 'NodePort', ports: [{ name: 'udp', port: 81, targetPort: 8081, protocol: 'UDP' }] }),
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'secure-tls', namespace: NS }, type: 'kubernetes.io/tls', stringData: { 'tls.crt': tls.cert, 'tls.key': tls.key } },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'front', namespace: NS, annotations: { 'nginx.ingress.kubernetes.io/ssl-redirect': 'false' } },
      spec: { ingressClassName: 'nginx', tls: [{ hosts: [TLS_HOST], secretName: 'secure-tls' }], rules: [rule(PLAIN_HOST), rule(TLS_HOST)] },
    },
  ];
}

function bridgeAddresses(bridge: string): string {
  try {
    return execFileSync('ip', ['-4', '-o', 'addr', 'show', 'dev', bridge], { encoding: 'utf8' });
  } catch {
    return '';
  }
}

describeDocker('node front: the sim cell reached from a real container', () => {
  let network: StartedNetwork;
  let sim: SimCell | undefined;
  let client: StartedExternalClient | undefined;
  let kube: Kube;
  let tls: { cert: string; key: string };
  let nodeIp: Record<string, string>;
  let workerName: string;
  const timings: Record<string, number> = {};

  const curl = async (args: string[]) => {
    const started = performance.now();
    const result = await client!.exec(['curl', '-sS', '--max-time', '3', ...args]);
    timings.lastCurlMs = Math.round(performance.now() - started);
    return result;
  };
  const nodePort = async (name: string) =>
    ((await kube.get({ apiVersion: 'v1', kind: 'Service', name, namespace: NS }))?.spec as { ports: { nodePort: number }[] }).ports[0]!.nodePort;

  beforeAll(async () => {
    network = await new Network().start();
    let t = performance.now();
    sim = await startSimCell({ cni: 'kindnet', proxyMode: 'iptables', dockerNetwork: network.getName() });
    timings.cellStartMs = Math.round(performance.now() - t);
    kube = createKube({ kubeconfigPath: sim.kubeconfigPath });
    const nodes = await kube.list('v1', 'Node');
    nodeIp = Object.fromEntries(
      nodes.map((n) => [n.metadata.name, ((n.status as { addresses: { type: string; address: string }[] }).addresses.find((a) => a.type === 'InternalIP')?.address ?? '')]),
    );
    workerName = `${sim.clusterName}-worker`;
    tls = await certificateFor(TLS_HOST);
    await kube.apply(objects(workerName, tls));
    await kube.waitFor({ kind: 'podsReady', namespace: NS, labelSelector: 'app=web', minCount: 1 }, 30_000);
    await kube.waitFor({ kind: 'podsReady', namespace: 'ingress-nginx', labelSelector: 'app.kubernetes.io/component=controller', minCount: 1 }, 30_000);
    t = performance.now();
    client = await new ExternalClient(IMAGE).onNetwork(network.getName()).start();
    timings.clientStartMs = Math.round(performance.now() - t);
  }, 120_000);

  afterAll(async () => {
    await client?.stop();
    const bridge = sim?.front.active ? sim.front.bridge : undefined;
    await sim?.stop();
    // The cell's addresses are gone from the bridge once it is stopped.
    if (bridge && sim?.front.active) {
      const left = bridgeAddresses(bridge);
      for (const n of sim.front.nodes) expect(left).not.toContain(`${n.ip}/32`);
    }
    await network?.stop();
    process.stdout.write(`[front.test] timings (ms): ${JSON.stringify(timings)}\n`);
  }, 60_000);

  test('the nodes get addresses on the Docker network, reported as their InternalIP', () => {
    expect(sim!.front).toMatchObject({ active: true, network: network.getName() });
    if (!sim!.front.active) return;
    expect(Object.values(nodeIp).sort()).toEqual(sim!.front.nodes.map((n) => n.ip).sort());
    expect(bridgeAddresses(sim!.front.bridge)).toContain(`${sim!.front.nodes[0]!.ip}/32`);
    // Not an address Docker gave a container on the same network.
    expect(Object.values(nodeIp)).not.toContain(client!.ip);
  });

  test('Ingress by Host header on the controller node port 80 reaches the backend', async () => {
    const cp = nodeIp[`${sim!.clusterName}-control-plane`]!;
    const result = await curl(['-H', `Host: ${PLAIN_HOST}`, `http://${cp}/hostname`]);
    expect(result).toMatchObject({ exitCode: 0, stdout: 'web-0' });
    const unknownHost = await curl(['-i', '-H', 'Host: nobody.front.test', `http://${cp}/hostname`]);
    expect(unknownHost.stdout).toMatch(/^HTTP\/1\.1 404 Not Found/);
  });

  test('Ingress over TLS: SNI picks the Ingress certificate, which curl verifies; -k accepts the default one', async () => {
    const cp = nodeIp[`${sim!.clusterName}-control-plane`]!;
    const write = await client!.exec(['/bin/sh', '-c', `printf '%s' '${tls.cert}' > /tmp/ca.pem`]);
    expect(write.exitCode).toBe(0);
    const verified = await curl(['--cacert', '/tmp/ca.pem', '--resolve', `${TLS_HOST}:443:${cp}`, `https://${TLS_HOST}/hostname`]);
    expect(verified).toMatchObject({ exitCode: 0, stdout: 'web-0' });
    const insecure = await curl(['-k', '--resolve', `${PLAIN_HOST}:443:${cp}`, `https://${PLAIN_HOST}/hostname`]);
    expect(insecure).toMatchObject({ exitCode: 0, stdout: 'web-0' });
    // A host without a TLS section gets the controller's default certificate, which does not verify.
    const wrongCert = await curl(['--cacert', '/tmp/ca.pem', '--resolve', `${PLAIN_HOST}:443:${cp}`, `https://${PLAIN_HOST}/hostname`]);
    expect(wrongCert.exitCode).toBe(60);
  });

  test('NodePort with externalTrafficPolicy Local keeps the client IP; Cluster masquerades to the node', async () => {
    const local = await curl([`http://${nodeIp[workerName]}:${await nodePort('web-local')}/clientip`]);
    expect(local.exitCode).toBe(0);
    expect(local.stdout.split(':')[0]).toBe(client!.ip);
    const entry = `${sim!.clusterName}-worker2`;
    const cluster = await curl([`http://${nodeIp[entry]}:${await nodePort('web-cluster')}/clientip`]);
    expect(cluster.exitCode).toBe(0);
    expect(cluster.stdout.split(':')[0]).toBe(nodeIp[entry]);
  });

  test('NodePort Local on a node without an endpoint drops the connection; a port nobody serves refuses it', async () => {
    const dropped = await curl([`http://${nodeIp[`${sim!.clusterName}-worker2`]}:${await nodePort('web-local')}/clientip`]);
    expect(dropped.exitCode).toBe(28);
    const refused = await curl([`http://${nodeIp[workerName]}:31999/`]);
    expect(refused.exitCode).toBe(7);
  });

  test('a UDP NodePort answers netexec datagrams on the node address', async () => {
    // The busybox nc in the client image has no UDP mode: this datagram comes from the host itself.
    const socket = createSocket('udp4');
    try {
      const reply = new Promise<string>((resolve, reject) => {
        socket.once('message', (message) => resolve(message.toString()));
        setTimeout(() => reject(new Error('no UDP reply within 3 s')), 3_000).unref();
      });
      socket.send('hostname', await nodePort('web-udp'), nodeIp[workerName]!);
      expect(await reply).toBe('web-0');
    } finally {
      socket.close();
    }
  });

  test('a Service deleted while the cell runs stops answering on its NodePort', async () => {
    const port = await nodePort('web-cluster');
    await kube.delete({ apiVersion: 'v1', kind: 'Service', name: 'web-cluster', namespace: NS });
    const deadline = Date.now() + 5_000;
    let result = await curl([`http://${nodeIp[workerName]}:${port}/hostname`]);
    while (result.exitCode === 0 && Date.now() < deadline) result = await curl([`http://${nodeIp[workerName]}:${port}/hostname`]);
    expect(result.exitCode).toBe(7);
  });
});

describe('node front unavailable: nodes keep API-only addresses and the cluster log says why', () => {
  for (const [title, dockerNetwork, reason] of [
    ['no KIND_EXPERIMENTAL_DOCKER_NETWORK', undefined, /KIND_EXPERIMENTAL_DOCKER_NETWORK is not set/],
    ['a Docker network that does not exist', 'cnimatrix-no-such-network', /does not exist|cannot reach the Docker engine|needs root/],
  ] as const) {
    test(title, async () => {
      const cell = await startSimCell({ cni: 'kindnet', proxyMode: 'iptables', workers: 1, ...(dockerNetwork ? { dockerNetwork } : {}) });
      try {
        expect(cell.front.active).toBe(false);
        if (!cell.front.active) expect(cell.front.reason).toMatch(reason);
        const nodes = await createKube({ kubeconfigPath: cell.kubeconfigPath }).list('v1', 'Node');
        const ips = nodes.map((n) => (n.status as { addresses: { type: string; address: string }[] }).addresses.find((a) => a.type === 'InternalIP')?.address);
        expect(ips.sort()).toEqual(['172.18.0.2', '172.18.0.3']);
        const log = readFileSync(join(clusterDir(cell.env[SIM_HOME_ENV]!, cell.clusterName), 'cluster-process.log'), 'utf8');
        expect(log).toMatch(/node front off, nodes get API-only addresses: /);
        expect(log).toMatch(reason);
      } finally {
        await cell.stop();
      }
    }, 30_000);
  }
});

describeDocker('node front cleanup', () => {
  test('a killed cluster process leaves its addresses, and deleting the cluster removes them', async () => {
    const network = await new Network().start();
    try {
      const cell = await startSimCell({ cni: 'kindnet', proxyMode: 'iptables', workers: 1, dockerNetwork: network.getName() });
      try {
        expect(cell.front.active).toBe(true);
        if (!cell.front.active) return;
        const ready = JSON.parse(readFileSync(join(clusterDir(cell.env[SIM_HOME_ENV]!, cell.clusterName), 'ready.json'), 'utf8')) as { pid: number };
        process.kill(ready.pid, 'SIGKILL');
        await new Promise((resolve) => setTimeout(resolve, 200));
        const { bridge, nodes } = cell.front;
        const ips = nodes.map((n) => `${n.ip}/32`);
        expect(ips.filter((ip) => bridgeAddresses(bridge).includes(ip))).toEqual(ips);
        await cell.stop();
        expect(ips.filter((ip) => bridgeAddresses(bridge).includes(ip))).toEqual([]);
      } finally {
        await cell.stop();
      }
    } finally {
      await network.stop();
    }
  }, 30_000);
});
