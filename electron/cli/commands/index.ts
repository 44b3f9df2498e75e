import type { Command } from 'commander';
import { register as config } from './config';
import { register as resolve } from './resolve';
import { register as pullSecret } from './pull-secret';
import { register as ca } from './ca';
import { register as registryKit } from './registry-kit';
import { register as releaseSignature } from './release-signature';
import { register as serve } from './serve';
import { register as inspect } from './inspect';
import { register as copy } from './copy';
import { register as verify } from './verify';
import { register as keys } from './keys';
import { register as release } from './release';
import { register as mirror } from './mirror';
import { register as push } from './push';
import { register as releaseList } from './release-list';

/** Every CLI command registers itself here; one line per command module. */
export const commands: Array<(program: Command) => void> = [
  config,
  resolve,
  pullSecret,
  ca,
  registryKit,
  releaseSignature,
  serve,
  inspect,
  copy,
  verify,
  keys,
  release,
  mirror,
  push,
  releaseList,
];
