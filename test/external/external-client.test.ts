// The external client against a real container engine: it joins a user-defined network this test
// creates and curls a tiny HTTP server container on it. Needs the local image from
// test/docker/build-images.sh; skipped with a printed reason when no engine is reachable,
// failing instead when CI=true.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { GenericContainer, Network, type StartedNetwork, type StartedTestContainer } from 'testcontainers';
import { dockerAvailable, imageExistsLocally } from '../../harness/external/docker.ts';
import { ExternalClient, type StartedExternalClient } from '../../harness/external/client.ts';
import { runExternalBatch } from '../../harness/external/probe.ts';
import { curlCommand } from '../../harness/probe/index.ts';
import { CnimatrixError } from '../../harness/model/errors.ts';

const IMAGE = process.env.CNIMATRIX_TEST_CURL_IMAGE ?? 'cnimatrix/curl:local';

async function engineReadiness(): Promise<string | undefined> {
  const docker = await dockerAvailable();
  if (!docker.available) return docker.reason;
  if (!(await imageExistsLocally(IMAGE))) return `image ${IMAGE} is missing; build it with test/docker/build-images.sh`;
  return undefined;
}

const unavailable = await engineReadiness();
if (unavailable && process.env.CI !== 'true') {
  process.stdout.write(`[skip] external client tests: ${unavailable}\n`);
}
const describeWithEngine = unavailable && process.env.CI !== 'true' ? describe.skip : describe;

describeWithEngine('ExternalClient on a container engine', () => {
  let network: StartedNetwork;
  let server: StartedTestContainer;
  let client: StartedExternalClient;

  beforeAll(async () => {
    if (unavailable) throw new Error(`CI=true requires a container engine: ${unavailable}`);
    network = await new Network().start();
    server = await new GenericContainer(IMAGE)
      .withPullPolicy({ shouldPull: () => false })
      .withNetwork(network)
      .withCommand(['httpd', '-f', '-p', '0.0.0.0:8080', '-h', '/www'])
      .start();
    client = await new ExternalClient(IMAGE).onNetwork(network.getName()).withLabels({ 'cnimatrix.io/test': 'external' }).start();
  }, 60_000);

  afterAll(async () => {
    await client?.stop();
    await server?.stop();
    await network?.stop();
  }, 30_000);

  test('curls a server on the same network, which sees the client container address', async () => {
    const serverIp = server.getIpAddress(network.getName());
    const result = await client.exec(['curl', '-sS', '--max-time', '5', `http://${serverIp}:8080/cgi-bin/clientip`]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^${client.ip.replaceAll('.', '\\.')}:\\d+$`));
  });

  test('reports a closed port as a non-zero exit with curl\'s reason', async () => {
    const serverIp = server.getIpAddress(network.getName());
    const result = await client.exec(['curl', '-sS', '--max-time', '5', `http://${serverIp}:9/`]);
    expect(result.exitCode).toBe(7);
    expect(result.stderr).toMatch(/Couldn't connect|Connection refused|Failed to connect/);
  });

  test('runs a probe batch and classifies each result like a pod batch', async () => {
    const serverIp = server.getIpAddress(network.getName());
    const results = await runExternalBatch(client, [
      { id: 'ok', command: curlCommand(serverIp, 8080, '/cgi-bin/clientip', 5), timeoutSeconds: 5 },
      { id: 'closed', command: curlCommand(serverIp, 9, '/', 5), timeoutSeconds: 5 },
    ]);
    expect(results.get('ok')).toMatchObject({ outcome: 'connected', detail: { clientIp: client.ip } });
    // curl exits 7 for a closed port; its wording varies by version, so only the code is asserted.
    expect(results.get('closed')).toMatchObject({ exitCode: 7 });
    expect(results.get('closed')?.outcome).not.toBe('connected');
  });

  test('refuses to start on a network that does not exist, naming it', async () => {
    const start = new ExternalClient(IMAGE).onNetwork('cnimatrix-no-such-network').start();
    await expect(start).rejects.toThrow(CnimatrixError);
    await expect(new ExternalClient(IMAGE).onNetwork('cnimatrix-no-such-network').start()).rejects.toThrow(
      /Docker network "cnimatrix-no-such-network" does not exist/,
    );
  });

  test('never pulls: a missing image is reported with what to do', async () => {
    const start = new ExternalClient('cnimatrix/not-present:never').onNetwork(network.getName()).start();
    await expect(start).rejects.toThrow(/cnimatrix\/not-present:never is not present in the local Docker engine/);
  });
});
