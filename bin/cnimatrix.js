#!/usr/bin/env node
// Entry point of the cnimatrix command. Node >= 22.18 runs the TypeScript sources directly.
import { runCli } from '../harness/cli/main.ts';

process.exitCode = await runCli(process.argv);
