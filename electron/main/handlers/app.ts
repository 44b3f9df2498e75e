import type { ResponseOf } from '../../../shared/api/contract';
import type { HandlerDeps } from './deps';

export function appInfo(deps: HandlerDeps, unavailable: string[]): ResponseOf<'app.info'> {
  return { version: deps.version, platform: process.platform, mode: deps.mode, secretStore: deps.secrets.kind, unavailable };
}
