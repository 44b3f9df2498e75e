import { proxyConfig, proxyLabel } from '../../engine/net/proxy';
import type { ResponseOf } from '../../../shared/api/contract';
import type { HandlerDeps } from './deps';

export function appInfo(deps: HandlerDeps, unavailable: string[]): ResponseOf<'app.info'> {
  const proxy = proxyConfig({ proxy: deps.engine?.proxy }).https;
  return { version: deps.version, platform: process.platform, mode: deps.mode, secretStore: deps.secrets.kind, unavailable, ...(proxy ? { proxy: proxyLabel(proxy) } : {}) };
}
