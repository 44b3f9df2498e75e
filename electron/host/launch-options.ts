import { Command } from 'commander';
import { FerryError } from '../../shared/errors';
import { addCommonOptions } from './common-options';
import { engineDefaultsFrom, type EngineDefaults } from '../jobs/engine-options';

/**
 * The desktop app takes the registry settings `ferry serve` takes, on its own command line, and applies
 * them to every job and call the same way, e.g. for a corporate CA or a connected-side proxy of quay.io:
 *
 *   Ferry --ca-file corp-ca.pem --source-mirror quay.io/openshift-release-dev=proxy:5000/ocp
 *
 * Switches meant for Electron or Chromium (--no-sandbox, --enable-logging…) pass by untouched.
 */
export function launchEngineDefaults(args: readonly string[]): EngineDefaults {
  const cmd = addCommonOptions(new Command('ferry-app'))
    .option('--graph-url <url>', 'update service graph endpoint for the release picker')
    .option('--graph-data-url <url>', 'update service graph-data archive an export with the update graph builds its image from')
    .option('--signature-store <url>', 'release signature store for exports; repeatable', (v: string, p: string[]) => [...p, v], [] as string[])
    .option('--signature-keyring <file>', 'OpenPGP keys release signatures must verify with')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  try {
    cmd.parse([...args], { from: 'user' });
  } catch (e) {
    throw new FerryError('USAGE', `Ferry's command line is not valid: ${(e as Error).message.replace(/^error: /, '')}.`, {
      hint: 'The app takes --authfile, --ca-file, --cert-dir, --proxy URL, --source-mirror FROM=TO, --parallel N, --graph-url, --graph-data-url, --signature-store and --signature-keyring, as ferry serve does.',
    });
  }
  return engineDefaultsFrom(cmd.opts());
}
