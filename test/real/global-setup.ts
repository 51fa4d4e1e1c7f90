// Builds (or finds in the cache) the real components once per jest run, before any worker starts,
// and hands the outcome to the tests through the environment the workers inherit.
import { REAL_BIN_ENV, realComponents } from './components.ts';
import { REAL_UNAVAILABLE_ENV } from './require.ts';

export default async function globalSetup(): Promise<void> {
  if (process.env[REAL_BIN_ENV] || process.env[REAL_UNAVAILABLE_ENV]) return;
  const started = Date.now();
  const result = await realComponents((line) => process.stderr.write(`\n[real] ${line}\n`));
  if ('unavailable' in result) {
    process.env[REAL_UNAVAILABLE_ENV] = result.unavailable;
    return;
  }
  if (result.built) process.stderr.write(`[real] built in ${Math.round((Date.now() - started) / 1000)} s\n`);
  process.env[REAL_BIN_ENV] = result.bin;
}
