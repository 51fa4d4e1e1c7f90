// bin/cnimatrix.js on a Node too old to strip types: a clear message and exit 3, not
// ERR_UNKNOWN_FILE_EXTENSION. The old version is faked before the bin runs.
import { describe, expect, test } from '@jest/globals';
import { execa } from 'execa';
import { BIN, CLI_TIMEOUT_MS, emptyDir } from './spawn.ts';

async function binOnNode(version: string) {
  const fake = `Object.defineProperty(process.versions, 'node', { value: '${version}' });`;
  return execa(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(fake)}`, BIN, '--version'], { reject: false, cwd: emptyDir() });
}

describe('the Node version the bin needs', () => {
  test.each(['20.19.0', '22.17.1', '23.5.0'])('Node %s: says what it needs, exit 3', async (version) => {
    const result = await binOnNode(version);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain(`cnimatrix needs Node.js >= 22.18 (it runs its TypeScript sources directly); this is Node ${version}`);
    expect(result.stderr).not.toMatch(/ERR_UNKNOWN_FILE_EXTENSION/);
  }, CLI_TIMEOUT_MS);

  test('Node 22.18 and later run it', async () => {
    const result = await binOnNode('22.18.0');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+$/);
  }, CLI_TIMEOUT_MS);
});
