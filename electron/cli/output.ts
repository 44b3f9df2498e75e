import { asFerryError } from '../../shared/errors';

/**
 * Prints an error the way every command does, returns the exit status (2 usage/input, 1 failure).
 * With --json the envelope goes to stdout so scripts can parse it; the human form goes to stderr.
 */
export function reportError(e: unknown, json: boolean): number {
  const error = asFerryError(e);
  const env = error.toEnvelope();
  const status = error.exitCode;
  if (json) {
    process.stdout.write(`${JSON.stringify({ error: env }, null, 2)}\n`);
  } else {
    process.stderr.write(`ferry: ${env.message}\n`);
    if (env.hint) process.stderr.write(`hint: ${env.hint}\n`);
  }
  return status;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
