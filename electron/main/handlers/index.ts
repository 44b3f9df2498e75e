import { verifyTransfer } from '../../engine/media/verify';
import { unavailableMethods, type ApiHandlers } from '../dispatcher';
import { NO_ENGINE_DEFAULTS } from '../../jobs/engine-options';
import { appInfo } from './app';
import { generateConfig } from './config';
import { testConnection } from './registry';
import { planExport, releaseInfo, releaseList } from './release';
import { readTransfer, transferSignature } from './transfer';
import { inspectCa } from './ca';
import type { HandlerDeps } from './deps';
import { freeSpace, saveText, statPath } from './files';
import { addPullSecretCredential, validatePullSecret } from './pull-secret';
import { deleteSecret, listSecrets, saveSecret } from './secrets';

/**
 * Every API method wired to what does the work, one line each; the same table serves Electron and
 * serve mode. A method missing here answers UNSUPPORTED and is listed in `app.info.unavailable`:
 * wiring one is a single typed line (the request type comes from the contract).
 */
export function createHandlers(deps: HandlerDeps): ApiHandlers {
  const { secrets, jobs, dialogs, trustedKeys } = deps;
  const engine = deps.engine ?? NO_ENGINE_DEFAULTS;
  const handlers: ApiHandlers = {
    'app.info': () => appInfo(deps, unavailableMethods(handlers)),

    'pullSecret.validate': (req) => validatePullSecret(req),
    'pullSecret.addCredential': (req) => addPullSecretCredential(secrets, req),

    'secrets.list': () => listSecrets(secrets),
    'secrets.save': (req) => saveSecret(secrets, req),
    'secrets.delete': (req) => deleteSecret(secrets, req.name),

    'ca.inspect': (req) => inspectCa(req),
    'registry.testConnection': (req) => testConnection(secrets, engine, req),

    'release.info': (req) => releaseInfo(secrets, engine, req),
    'release.list': (req) => releaseList(engine, req),
    'plan.export': (req) => planExport(secrets, engine, req),

    'config.generate': (req) => generateConfig(req),

    'fs.stat': (req) => statPath(req),
    'fs.freeSpace': (req) => freeSpace(req),
    'fs.saveText': (req) => saveText(req, dialogs),
    ...(dialogs && {
      'fs.pickDirectory': async (req) => ({ path: await dialogs.pickDirectory(req) }),
      'fs.pickFile': async (req) => ({ path: await dialogs.pickFile(req) }),
    }),

    'transfer.read': (req) => readTransfer(req),
    'transfer.signature': (req) => transferSignature(req),
    'transfer.verify': async (req) => verifyTransfer(req.dir, { signature: req }),
    ...(trustedKeys && {
      'trust.list': () => trustedKeys.list(),
      'trust.remember': (req) => trustedKeys.remember(req.fingerprint),
      'trust.forget': (req) => trustedKeys.forget(req.fingerprint),
    }),

    'jobs.start': (req) => ({ id: jobs.start(req).id }),
    'jobs.pause': (req) => jobs.pause(req.id),
    'jobs.resume': (req) => jobs.resume(req.id),
    'jobs.cancel': (req) => jobs.cancel(req.id),
    'jobs.list': () => ({ jobs: jobs.list() }),
    'jobs.get': (req) => jobs.get(req.id),
  };
  return handlers;
}
