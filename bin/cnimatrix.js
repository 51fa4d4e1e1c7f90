#!/usr/bin/env node
// Entry point of the cnimatrix command. It runs the TypeScript sources directly, which needs
// Node's type stripping (on by default since 22.18 and 23.6); an older Node fails to load them with
// ERR_UNKNOWN_FILE_EXTENSION, so the version is checked first and the sources imported after.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18) || (major === 23 && minor < 6)) {
  process.stderr.write(
    `error: cnimatrix needs Node.js >= 22.18 (it runs its TypeScript sources directly); this is Node ${process.versions.node}\n` +
      "hint: after `npm ci`, `npx cnimatrix` uses the project's own Node 24; or install Node 22.18+ or 24\n",
  );
  process.exit(3);
}
const { useProxyFromEnvironment } = await import('../harness/cli/proxy.ts');
useProxyFromEnvironment(process.env);
const { runCli } = await import('../harness/cli/main.ts');

process.exitCode = await runCli(process.argv);
