// Checks probed from outside the cluster: an external client container on the cell's Docker
// network (harness/external). One client per suite file, started by the first check that needs it.
//
// CNIMATRIX_EXTERNAL_CLIENT=off declares that the cell has no peer reachable from a container (a
// simulated cell); external checks are then skipped with that reason, printed and annotated. In
// any other case an unreachable engine or a missing image fails the check with the reason, unless
// the run found that no client here can reach the nodes (CellInfo.externalUnavailable: an existing
// cluster whose nodes are on no Docker network of this machine), which makes them unavailable.
import { afterAll } from '@jest/globals';
import { ExternalClient, type StartedExternalClient } from '../../harness/external/client.ts';
import { dockerAvailable } from '../../harness/external/docker.ts';
import { externalClientImage } from '../../harness/external/image.ts';
import { runExternalBatch } from '../../harness/external/probe.ts';
import { EXTERNAL_CLIENT_ENV } from '../../harness/external/reach.ts';
import { OPT_OUT_PREFIX } from '../../harness/report/junit-format.ts';
import type { Probe, ProbeResult } from '../../harness/probe/index.ts';
import { check, group, liveCell, type CheckContext, type CheckOptions } from './conformance.ts';
import { RUN_LABEL } from './workloads.ts';

export { EXTERNAL_CLIENT_ENV };

let started: Promise<StartedExternalClient> | undefined;
let stopRegistered = false;

/** Why external checks cannot run here by declaration, or undefined when they should run. */
export function externalChecksDisabled(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const setting = env[EXTERNAL_CLIENT_ENV]?.trim();
  if (setting === undefined || setting === '' || setting === 'on') return undefined;
  // The user's opt-out, not a gap of the CNI: reported as skipped, never as unsupported.
  if (setting === 'off') return `${OPT_OUT_PREFIX} disabled by ${EXTERNAL_CLIENT_ENV}=off (no external client container)`;
  throw new Error(`${EXTERNAL_CLIENT_ENV}="${setting}" is not valid: use "on" (default) or "off"`);
}

async function startClient(): Promise<StartedExternalClient> {
  const docker = await dockerAvailable();
  if (!docker.available) {
    throw new Error(`external checks need a container engine on this machine, and ${docker.reason}; start Docker and re-run`);
  }
  const cell = liveCell();
  return new ExternalClient(externalClientImage())
    .onNetwork(cell.dockerNetwork)
    .withLabels({ [RUN_LABEL]: cell.runId })
    .start();
}

/** The suite file's external client (started once, stopped after the file's tests). */
export function externalClient(): Promise<StartedExternalClient> {
  if (!started) {
    started = startClient();
    started.catch(() => undefined);
  }
  return started;
}

/** Registers the client's shutdown; call once at the top level of a suite that has external checks. */
export function stopExternalClientAfterAll(): void {
  if (stopRegistered) return;
  stopRegistered = true;
  afterAll(async () => {
    const client = await started?.catch(() => undefined);
    await client?.stop();
  }, 30_000);
}

/** Runs `probes` in the external client; failures to start the client reject with the reason. */
export async function externalBatch(probes: Probe[]): Promise<{ client: StartedExternalClient; results: Map<string, ProbeResult> }> {
  const client = await externalClient();
  return { client, results: await runExternalBatch(client, probes) };
}

/**
 * A top-level group (directly inside conformanceSuite) of checks probed from the external client.
 * It stops the client after the suite file.
 */
export function externalGroup(title: string, body: () => void): void {
  stopExternalClientAfterAll();
  group(title, body);
}

/** A check probed from the external client; skipped with a printed, annotated reason when disabled. */
export function externalCheck(title: string, opts: CheckOptions, body: (ctx: CheckContext) => Promise<void>): void {
  const disabled = externalChecksDisabled() ?? liveCell().externalUnavailable;
  check(title, disabled === undefined ? opts : { ...opts, unavailable: disabled }, body);
}
