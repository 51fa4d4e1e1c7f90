// Whether whole-run and suite e2e tests can run the suites' external checks for real: they need a
// container engine, the locally built client image, and root (the sim's node front puts node
// addresses on the Docker bridge). In CI all of it must be there; elsewhere the checks are switched
// off with a printed reason.
import { Network, type StartedNetwork } from 'testcontainers';
import { dockerAvailable, imageExistsLocally } from '../../harness/external/docker.ts';
import { EXTERNAL_CLIENT_IMAGE_ENV } from '../../harness/external/image.ts';
import { EXTERNAL_CLIENT_ENV } from '../../suites/lib/external.ts';

/** The external client image test/docker/build-images.sh builds. */
export const EXTERNAL_TEST_IMAGE = process.env.CNIMATRIX_TEST_CURL_IMAGE ?? 'cnimatrix/curl:local';

async function externalUnavailable(): Promise<string | undefined> {
  const docker = await dockerAvailable();
  if (!docker.available) return docker.reason;
  if (!(await imageExistsLocally(EXTERNAL_TEST_IMAGE))) return `image ${EXTERNAL_TEST_IMAGE} is missing (run \`bash test/docker/build-images.sh\`)`;
  if (process.getuid?.() !== 0) return "the sim's node front adds addresses to the Docker bridge, which needs root";
  return undefined;
}

/** True when external checks can run; throws in CI when they cannot, prints why otherwise. */
export async function externalChecksAvailable(): Promise<boolean> {
  const off = await externalUnavailable();
  if (off && process.env.CI === 'true') throw new Error(`the suites' external checks need a container engine in CI: ${off}`);
  if (off) process.stdout.write(`[e2e] external checks off: ${off}\n`);
  return off === undefined;
}

/** Environment for cells on `network` (the external client joins it), or external checks off. */
export function externalEnv(network: string | undefined): Record<string, string> {
  return network
    ? { KIND_EXPERIMENTAL_DOCKER_NETWORK: network, [EXTERNAL_CLIENT_IMAGE_ENV]: EXTERNAL_TEST_IMAGE }
    : { [EXTERNAL_CLIENT_ENV]: 'off' };
}

/** A Docker network for sim cells when external checks can run. */
export async function externalNetwork(): Promise<StartedNetwork | undefined> {
  return (await externalChecksAvailable()) ? new Network().start() : undefined;
}
