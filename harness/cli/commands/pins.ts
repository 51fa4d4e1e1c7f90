// `cnimatrix pins verify`: fetches every pinned manifest and archive and compares its sha256 with
// the pin, so a pin bump (or a changed upstream file) is caught before any cluster applies it.
import { Command } from 'commander';
import { allPins } from '../../../clusters/versions.ts';
import { verifyPins } from '../../manifests/index.ts';
import { CnimatrixError, ExitCode } from '../../model/errors.ts';

export function pinsCommand(): Command {
  const pins = new Command('pins').description('inspect the pinned manifests and archives (clusters/versions.ts)');
  pins
    .command('verify')
    .description('download every pin and check its sha256, with where each recorded hash came from and what the release checksum file says (needs network access; exit 4 on any mismatch or unverified pin)')
    .action(async () => {
      const recorded = allPins();
      const results = await verifyPins(recorded);
      for (const [i, r] of results.entries()) {
        const provenance = recorded[i]?.provenance ?? 'not recorded';
        process.stdout.write(`${r.status.toUpperCase().padEnd(10)} ${r.id ?? ''} ${r.url}\n           ${r.message}\n           recorded from: ${provenance}\n`);
      }
      const bad = results.filter((r) => r.status !== 'ok');
      if (bad.length > 0) {
        throw new CnimatrixError(`${bad.length} of ${results.length} pins do not verify`, {
          exitCode: ExitCode.infrastructure,
          hint: 'review the new content, then record its sha256 in clusters/versions.ts (see docs/pins.md)',
        });
      }
    });
  return pins;
}
