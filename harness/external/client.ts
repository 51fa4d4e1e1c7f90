// The external client: a container on the cell's Docker network, outside the cluster, that runs
// curl (and other probe commands) against node addresses the way a user's machine would.
//   const client = await new ExternalClient(image).onNetwork('kind').start();
//   await client.exec(['curl', '-sS', 'http://172.18.0.2:30080/clientip']);
import { GenericContainer, type ImagePullPolicy, type StartedTestContainer } from 'testcontainers';
import { CnimatrixError, ExitCode } from '../model/errors.ts';
import { dockerNetworkExists, imageExistsLocally } from './docker.ts';
import { externalClientImage } from './image.ts';

export interface ExternalExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface StartedExternalClient {
  /** The container's address on the network it joined. */
  readonly ip: string;
  readonly network: string;
  exec(argv: string[], opts?: { timeoutMs?: number }): Promise<ExternalExecResult>;
  stop(): Promise<void>;
}

/** Images are local or preloaded: the client never pulls (missing images are reported instead). */
const neverPull: ImagePullPolicy = { shouldPull: () => false };

// Keeps the container alive without a long-running service, and exits at once on docker stop.
const IDLE_COMMAND = ['-c', 'trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done'];

const DEFAULT_EXEC_TIMEOUT_MS = 30_000;

export class ExternalClient {
  readonly #image: string;
  #network: string | undefined;
  #labels: Record<string, string> = {};

  constructor(image: string = externalClientImage()) {
    this.#image = image;
  }

  /** The user-defined Docker network to join (for a kind cell: CellInfo.dockerNetwork). */
  onNetwork(name: string): this {
    this.#network = name;
    return this;
  }

  /** Labels for the container, e.g. the run id, so leftovers can be found and removed. */
  withLabels(labels: Record<string, string>): this {
    this.#labels = { ...this.#labels, ...labels };
    return this;
  }

  async start(): Promise<StartedExternalClient> {
    const network = this.#network;
    if (!network) throw new Error('ExternalClient: call onNetwork(name) before start()');
    if (!(await imageExistsLocally(this.#image))) {
      throw new CnimatrixError(`external client image ${this.#image} is not present in the local Docker engine`, {
        exitCode: ExitCode.environmentMissing,
        hint: `run \`docker pull ${this.#image}\` once, or set CNIMATRIX_EXTERNAL_CLIENT_IMAGE to an image you have (it needs /bin/sh, sleep and curl)`,
      });
    }
    if (!(await dockerNetworkExists(network))) {
      throw new CnimatrixError(`Docker network "${network}" does not exist, so the external client cannot join the cell`, {
        exitCode: ExitCode.environmentMissing,
        hint: 'kind puts its nodes on the network named "kind"; check `docker network ls`',
      });
    }
    const container = await new GenericContainer(this.#image)
      .withPullPolicy(neverPull)
      .withNetworkMode(network)
      .withEntrypoint(['/bin/sh'])
      .withCommand(IDLE_COMMAND)
      .withLabels({ 'cnimatrix.io/role': 'external-client', ...this.#labels })
      .start()
      .catch((error: unknown) => {
        throw new Error(`external client (${this.#image}) did not start on Docker network "${network}"`, { cause: error });
      });
    return startedClient(container, network);
  }
}

function startedClient(container: StartedTestContainer, network: string): StartedExternalClient {
  const ip = container.getIpAddress(network);
  return {
    ip,
    network,
    async exec(argv, opts = {}) {
      const timeoutMs = opts.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`external client exec timed out after ${timeoutMs} ms: ${argv.join(' ')}`)),
          timeoutMs,
        );
      });
      try {
        const result = await Promise.race([container.exec(argv), timeout]);
        return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode };
      } finally {
        clearTimeout(timer);
      }
    },
    async stop() {
      await container.stop({ timeout: 2_000 });
    },
  };
}
