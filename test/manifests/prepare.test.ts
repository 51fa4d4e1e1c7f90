import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { extractTarMember, runPrepareStep } from '../../harness/manifests/index.ts';
import { bridgePluginStep } from '../../clusters/flannel.ts';
import { makeTgz } from './tgz-fixture.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cnimatrix-prepare-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const tgz = makeTgz([
  { name: './', type: '5' },
  { name: './LICENSE', content: 'license' },
  { name: './bridge', content: '#!bridge-binary' },
  { name: './host-local', content: 'host-local' },
]);

describe('extractTarMember', () => {
  test('finds a member with or without the ./ prefix and ignores directories', () => {
    expect(extractTarMember(tgz, './bridge')?.toString()).toBe('#!bridge-binary');
    expect(extractTarMember(tgz, 'host-local')?.toString()).toBe('host-local');
    expect(extractTarMember(tgz, './')).toBeUndefined();
    expect(extractTarMember(tgz, './ptp')).toBeUndefined();
  });

  test('follows GNU long names', () => {
    const long = `./${'d'.repeat(120)}/bridge`;
    const archive = makeTgz([{ name: '././@LongLink', type: 'L', content: long }, { name: long.slice(0, 99), content: 'deep' }]);
    expect(extractTarMember(archive, long)?.toString()).toBe('deep');
  });
});

describe('runPrepareStep', () => {
  test('extracts the bridge plugin from a sha256-checked archive into the cache, executable', async () => {
    const archivePath = join(dir, 'cni-plugins.tgz');
    await writeFile(archivePath, tgz);
    const step = {
      ...bridgePluginStep('amd64'),
      archive: { url: pathToFileURL(archivePath).href, sha256: createHash('sha256').update(tgz).digest('hex') },
    };
    const cacheDir = join(dir, 'cache');
    const path = await runPrepareStep(step, { cacheDir });
    expect(path).toBe(join(cacheDir, 'cni-plugins/v1.1.1/amd64/bridge'));
    expect(await readFile(path, 'utf8')).toBe('#!bridge-binary');
    expect((await stat(path)).mode & 0o777).toBe(0o755);
    // Idempotent: a second run keeps the same file.
    expect(await runPrepareStep(step, { cacheDir })).toBe(path);
  });

  test('parallel cells preparing the same file at once all succeed (no shared temp file)', async () => {
    const archivePath = join(dir, 'cni-plugins.tgz');
    await writeFile(archivePath, tgz);
    const step = {
      ...bridgePluginStep('amd64'),
      archive: { url: pathToFileURL(archivePath).href, sha256: createHash('sha256').update(tgz).digest('hex') },
    };
    for (let round = 0; round < 5; round++) {
      const cacheDir = join(dir, `cache-${round}`);
      const paths = await Promise.all(Array.from({ length: 6 }, () => runPrepareStep(step, { cacheDir })));
      expect(new Set(paths).size).toBe(1);
      expect(await readFile(paths[0]!, 'utf8')).toBe('#!bridge-binary');
    }
  });

  test('refuses an archive whose hash does not match the pin', async () => {
    const archivePath = join(dir, 'cni-plugins.tgz');
    await writeFile(archivePath, tgz);
    const step = { ...bridgePluginStep('amd64'), archive: { url: pathToFileURL(archivePath).href, sha256: 'f'.repeat(64) } };
    await expect(runPrepareStep(step, { cacheDir: join(dir, 'cache') })).rejects.toThrow(/sha256 mismatch/);
  });

  test('names a missing member', async () => {
    const archive = makeTgz([{ name: './ptp', content: 'x' }]);
    const archivePath = join(dir, 'other.tgz');
    await writeFile(archivePath, archive);
    const step = { ...bridgePluginStep('amd64'), archive: { url: pathToFileURL(archivePath).href, sha256: createHash('sha256').update(archive).digest('hex') } };
    await expect(runPrepareStep(step, { cacheDir: join(dir, 'cache') })).rejects.toThrow(/\.\/bridge is not in/);
  });

  test('an architecture without a pinned tarball is bad input naming the valid ones', () => {
    expect(() => bridgePluginStep('riscv64')).toThrow(/no pinned cni-plugins tarball for host architecture "riscv64"/);
  });
});
