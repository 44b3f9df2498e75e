import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import WebSocket from 'ws';
import { createApiClient } from '../../../shared/api/client';
import { createWebSocketTransport } from '../../../shared/api/ws-transport';
import { WS_PATH } from '../../../shared/api/wire';
import { chromiumLaunchOptions } from './browser';
import { pushFixtures } from '../../support/images';
import { tempDir } from '../../support/tmp';
import { startTestWorld } from '../../support/world';
import { startServe } from './serve';
import { pushCatalog } from '../../support/catalog';
import { pushFaithfulRelease } from '../../support/faithful-release';
import { pushRelease, RELEASE_REPOSITORY } from '../../support/release';
import { E2E_ENV, FULL_JOURNEYS_READY, type E2eWorld } from './world-info';

/**
 * One real world for the whole suite (registries with TLS and auth, fixtures pushed with skopeo) and
 * one real `ferry serve`. Tests read what they need from E2E_ENV; the returned function tears it all down.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const world = await startTestWorld();
  const home = tempDir('e2e-home');
  const work = tempDir('e2e-work');
  try {
    const fixtures = await pushFixtures(world);
    // Two dozen components pushed with skopeo: only worth the time when the journeys can run.
    const release = FULL_JOURNEYS_READY ? await pushRelease(world, '4.15.3') : undefined;
    // A release the size of a real one (183 components, about 15 s to build): the screens at scale.
    const faithful = FULL_JOURNEYS_READY ? await pushFaithfulRelease(world) : undefined;
    // The operator catalog (test/support/catalog.ts: four packages, small images) for the operators step.
    const catalog = FULL_JOURNEYS_READY ? await pushCatalog(world, 'v1') : undefined;
    await mkdir(join(home.path, 'run'), { recursive: true, mode: 0o700 });
    // The synthetic release names its components on quay.io; serve fetches them from the test source instead.
    // Credentials and the CA are not given here: the journeys hand them over in the UI.
    const serve = await startServe(root, home.path, { args: ['--source-mirror', `quay.io/openshift-release-dev=${world.source.host}/openshift-release-dev`] });
    const storageState = join(home.path, 'browser-state.json');
    await signIn(serve.url, storageState);
    const info: E2eWorld = {
      url: serve.url,
      storageState,
      unavailable: await unavailableMethods(serve.url, storageState),
      workDir: work.path,
      ca: { certPath: world.ca.certPath, derPath: world.ca.derPath, certPem: world.ca.certPem },
      source: { host: world.source.host, username: world.source.username, password: world.source.password },
      mirror: { host: world.mirror.host, username: world.mirror.username, password: world.mirror.password },
      authfile: world.authfile,
      images: [fixtures.schema2.ref, fixtures.oci.ref, fixtures.index.ref],
      ...(release && {
        release: { pullspec: `quay.io/${RELEASE_REPOSITORY}:${release.version}-x86_64`, version: release.version, digest: release.digest, componentCount: release.components.length },
      }),
      ...(catalog && { catalog: { ref: catalog.ref } }),
      ...(faithful && {
        faithful: { pullspec: faithful.quayTagged, version: faithful.version, digest: faithful.digest, componentCount: faithful.components.length },
      }),
    };
    process.env[E2E_ENV] = JSON.stringify(info);
    return async () => {
      await serve.stop();
      await world.stop();
      await Promise.all([home.cleanup(), work.cleanup()]);
    };
  } catch (e) {
    await world.stop();
    await Promise.all([home.cleanup(), work.cleanup()]);
    throw e;
  }
}

/**
 * Opens the printed address once (the token is single-use) and keeps the session the server set, so
 * each test's fresh browser context starts signed in without the token.
 */
async function signIn(url: string, storageState: string): Promise<void> {
  const browser = await chromium.launch(chromiumLaunchOptions);
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    const response = await page.goto(url);
    if (!response?.ok()) throw new Error(`ferry serve answered ${response?.status()} to its own printed address`);
    await context.storageState({ path: storageState });
  } finally {
    await browser.close();
  }
}

/**
 * Asks the running server (app.info) which methods this build has no handler for, so a test that
 * needs one is reported as fixme naming the method instead of failing or being faked.
 */
async function unavailableMethods(url: string, storageState: string): Promise<string[]> {
  const { cookies } = JSON.parse(await readFile(storageState, 'utf8')) as { cookies: Array<{ name: string; value: string }> };
  const origin = new URL(url).origin;
  const socket = new WebSocket(`${origin.replace(/^http/, 'ws')}${WS_PATH}`, {
    headers: { Origin: origin, Cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') },
  });
  const transport = createWebSocketTransport(socket);
  try {
    return (await createApiClient(transport).app.info()).unavailable;
  } finally {
    transport.close();
  }
}
