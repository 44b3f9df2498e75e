#!/usr/bin/env node
import { runCli } from './run';

// Entry point of the `ferry` CLI. Kept tiny so tests can drive `buildProgram()` in-process too.
// exitCode, not exit(): a command's last writes to a pipe still drain.
process.exitCode = await runCli(process.argv);
