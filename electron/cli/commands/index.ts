import type { Command } from 'commander';
import { register as pullSecret } from './pull-secret';

/** Every CLI command registers itself here; one line per command module. */
export const commands: Array<(program: Command) => void> = [
  pullSecret,
];
