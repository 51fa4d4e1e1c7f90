// `node test/real/build.ts`: builds the real components into the cache (or finds them there) and
// prints their folder; .ci/run calls it before the tests so the build time is measured apart.
import { realComponents } from './components.ts';

const started = Date.now();
const result = await realComponents((line) => process.stderr.write(`[real] ${line}\n`));
if ('unavailable' in result) {
  process.stderr.write(`[real] ${result.unavailable}\n`);
  process.exit(3);
}
const seconds = Math.round((Date.now() - started) / 1000);
process.stderr.write(`[real] components ${result.built ? `built in ${seconds} s` : 'found in the cache'}: ${result.bin}\n`);
process.stdout.write(`${result.bin}\n`);
