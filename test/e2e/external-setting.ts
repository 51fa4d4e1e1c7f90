// Whether whole-run tests can run the suites' external checks: they need a container engine. In
// CI it must be there (a missing engine fails the run); elsewhere the checks are switched off
// with a printed reason.
import { dockerAvailable } from '../../harness/external/docker.ts';
import { EXTERNAL_CLIENT_ENV } from '../../suites/lib/external.ts';

export async function externalClientSetting(): Promise<Record<string, string>> {
  if (process.env.CI === 'true') return {};
  const docker = await dockerAvailable();
  if (docker.available) return {};
  process.stdout.write(`[e2e] external checks off: ${docker.reason}\n`);
  return { [EXTERNAL_CLIENT_ENV]: 'off' };
}
