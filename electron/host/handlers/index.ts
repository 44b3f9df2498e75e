import { jobPaths } from '../../../shared/api/job-paths';
import { verifyOperation } from '../../engine/transfer/verify-transfer';
import { unavailableMethods, type ApiHandlers } from '../dispatcher';
import { NO_ENGINE_DEFAULTS } from '../../jobs/engine-options';
import { appInfo } from './app';
import { withHandlerEngine } from './engine';
import { generateConfig } from './config';
import { testConnection } from './registry';
import { catalogList } from './catalog';
import { planExport, releaseInfo, releaseList, releasePath } from './release';
import { readImageSet } from './imageset';
import { readTransfer, transferSignature } from './transfer';
import { inspectCa } from './ca';
import { registryKit } from './kit';
import type { HandlerDeps } from './deps';
import { allowPath, freeSpace, pickGranted, saveText, showInFolder, statPath } from './files';
import { addPullSecretCredential, validatePullSecret } from './pull-secret';
import { deleteSecret, listSecrets, saveSecret } from './secrets';

/**
 * Every API method wired to what does the work, one line each; the same table serves Electron and
 * serve mode. A method missing here answers UNSUPPORTED and is listed in `app.info.unavailable`:
 * wiring one is a single typed line (the request type comes from the contract).
 */
export function createHandlers(deps: HandlerDeps): ApiHandlers {
  const { secrets, jobs, dialogs, shell, grants, trustedKeys, settings } = deps;
  const engine = deps.engine ?? NO_ENGINE_DEFAULTS;
  const handlers: ApiHandlers = {
    'app.info': () => appInfo(deps, unavailableMethods(handlers)),
    ...(settings && {
      'settings.get': () => settings.get(),
      'settings.update': (req) => settings.update(req),
    }),

    'pullSecret.validate': (req) => validatePullSecret(req),
    'pullSecret.addCredential': (req) => addPullSecretCredential(secrets, req),

    'secrets.list': () => listSecrets(secrets),
    'secrets.save': (req) => saveSecret(secrets, req),
    'secrets.delete': (req) => deleteSecret(secrets, req.name),

    'ca.inspect': (req) => inspectCa(req),
    'registry.testConnection': (req) => testConnection(secrets, engine, req),
    'kit.registry': (req) => registryKit(secrets, grants, req),

    'release.info': (req) => releaseInfo(secrets, engine, req),
    'release.list': (req) => releaseList(engine, req),
    'release.path': (req) => releasePath(engine, req),
    'catalog.list': (req) => catalogList(secrets, engine, req),
    'imageset.read': (req) => readImageSet(engine, req),
    'plan.export': (req) => planExport(secrets, engine, req),

    'config.generate': async (req) => generateConfig(req.fromDir ? { ...req, fromDir: await grants.check(req.fromDir, 'read') } : req),

    'fs.allow': (req) => allowPath(req, grants),
    'fs.stat': (req) => statPath(req, grants),
    'fs.freeSpace': (req) => freeSpace(req, grants),
    'fs.saveText': async (req) => saveText(req, grants, dialogs, dialogs && (await settings?.get().catch(() => undefined))?.mediaFolder),
    ...(dialogs && {
      // What the operator picks in a native dialog is their choice: it is granted like a confirmed path.
      'fs.pickDirectory': async (req) => ({ path: await pickGranted(await dialogs.pickDirectory(req), 'write', grants) }),
      'fs.pickFile': async (req) => ({ path: await pickGranted(await dialogs.pickFile(req), 'read', grants) }),
    }),
    ...(shell && { 'fs.showInFolder': (req) => showInFolder(req, grants, shell) }),

    // Media are read only from a folder chosen in this session, as files are written only into one.
    'transfer.read': async (req) => readTransfer({ ...req, dir: await grants.check(req.dir, 'read') }),
    'transfer.signature': async (req) => transferSignature({ ...req, dir: await grants.check(req.dir, 'read') }),
    'transfer.verify': async (req) => verifyOperation({ dir: await grants.check(req.dir, 'read'), signature: req }, (work) => withHandlerEngine(secrets, engine, { caPems: [] }, work)),
    ...(trustedKeys && {
      'trust.list': () => trustedKeys.list(),
      'trust.remember': (req) => trustedKeys.remember(req.fingerprint),
      'trust.forget': (req) => trustedKeys.forget(req.fingerprint),
    }),

    'jobs.start': async (req) => {
      for (const p of jobPaths(req)) await grants.check(p.path, p.access);
      return { id: jobs.start(req).id };
    },
    'jobs.pause': (req) => jobs.pause(req.id),
    'jobs.resume': (req) => jobs.resume(req.id),
    'jobs.cancel': (req) => jobs.cancel(req.id),
    'jobs.list': () => ({ jobs: jobs.list() }),
    'jobs.get': (req) => jobs.get(req.id),
  };
  return handlers;
}
