/** @jest-config-loader esbuild-register */
import type { Config } from 'jest';

// swc strips types only; tsc --noEmit (npm run typecheck) does the type checking.
const transform: Config['transform'] = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2023' }, module: { type: 'es6' } }],
};

const common = {
  transform,
  extensionsToTreatAsEsm: ['.ts'],
  testEnvironment: 'node',
};

const config: Config = {
  projects: [
    // The project's own tests: pure logic and adapters against fakes; no cluster needed.
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/**/*.test.ts'], testPathIgnorePatterns: ['<rootDir>/test/e2e/', '<rootDir>/test/real/'] },
    // The adapter, the probes and the sim checked against real components built from Go modules.
    { ...common, displayName: 'real', testMatch: ['<rootDir>/test/real/**/*.test.ts'], testPathIgnorePatterns: ['<rootDir>/test/real/lane/'], globalSetup: '<rootDir>/test/real/global-setup.ts' },
    // `cnimatrix run` creating real kind clusters on the lane of test/real/lane (npm run test:real).
    { ...common, displayName: 'lane', testMatch: ['<rootDir>/test/real/lane/**/*.test.ts'], globalSetup: '<rootDir>/test/real/global-setup.ts' },
    // Whole `cnimatrix run`s against the simulated cluster.
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
    // Conformance suites: run only by `cnimatrix run` (or by hand) against one live cell.
    { ...common, displayName: 'suites', testMatch: ['<rootDir>/suites/**/*.suite.ts'] },
  ],
};

export default config;
