import { expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { renderConfigReference } from '../../harness/config/index.ts';
import { ExitCode } from '../../harness/model/errors.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

test('the README carries the configuration reference as the code defines it', () => {
  expect(readme).toContain(renderConfigReference());
});

test('the README documents every exit code', () => {
  for (const code of Object.values(ExitCode)) expect(readme).toMatch(new RegExp(`^\\| ${code} \\| `, 'm'));
});
