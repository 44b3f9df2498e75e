#!/usr/bin/env node
import { CommanderError } from 'commander';
import { buildProgram } from './program';
import { reportError } from './output';

// Entry point of the `ferry` CLI. Kept tiny so tests can drive `buildProgram()` in-process too.
buildProgram(process.argv)
  .then((program) => program.parseAsync(process.argv))
  .catch((e: unknown) => {
    if (e instanceof CommanderError) {
      // commander has already printed help or the usage error.
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    process.exitCode = reportError(e, process.argv.includes('--json'));
  });
