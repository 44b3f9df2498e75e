import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDispatcher } from '../../../electron/host/dispatcher';
import { createHandlers } from '../../../electron/host/handlers';
import { PathGrants } from '../../../electron/host/handlers/path-grants';
import { SettingsStore } from '../../../electron/host/handlers/settings';
import { createForkHost } from '../../../electron/jobs/fork-host';
import { JobHistory } from '../../../electron/jobs/history';
import { JobManager } from '../../../electron/jobs/job-manager';
import { MemorySecretStore } from '../../../electron/jobs/secrets/secret-store';
import { FerryError } from '../../../shared/errors';
import type { Envelope } from '../../../shared/api/envelope';

const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUeXample\n-----END CERTIFICATE-----\n';
// A pull secret as console.redhat.com hands it out (auths → registry → auth/email).
const PULL_SECRET = JSON.stringify({ auths: { 'quay.io': { auth: Buffer.from('user:Sup3r-s3cret-PW').toString('base64'), email: 'a@example.com' } } });
const PASSWORD = 'Sup3r-s3cret-PW';

describe('SettingsStore: what the app remembers, never a secret', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-settings-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the mirror, CA and folders across restarts, one edit on another, in a 0600 file replaced whole', async () => {
    const file = join(dir, 'data', 'settings.json');
    const store = new SettingsStore(file);
    assert.deepEqual(await store.get(), {});
    await Promise.all([
      store.update({ set: { mirror: 'mirror.example.com:5000/ocp4', mirrorUsername: 'ops' }, forget: [] }),
      store.update({ set: { mirrorCa: { fingerprintSha256: 'AA:BB', subject: 'CN=Mirror CA', pem: CA_PEM } }, forget: [] }),
      store.update({ set: { mediaFolder: '/media/usb', theme: 'dark' }, forget: [] }),
    ]);
    const again = new SettingsStore(file);
    assert.deepEqual(await again.get(), {
      mirror: 'mirror.example.com:5000/ocp4',
      mirrorUsername: 'ops',
      mirrorCa: { fingerprintSha256: 'AA:BB', subject: 'CN=Mirror CA', pem: CA_PEM },
      mediaFolder: '/media/usb',
      theme: 'dark',
    });
    assert.deepEqual(await again.update({ set: {}, forget: ['mirrorCa', 'theme'] }), { mirror: 'mirror.example.com:5000/ocp4', mirrorUsername: 'ops', mediaFolder: '/media/usb' });
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    // writeFileAtomic renames a finished temp file into place: none is left beside it.
    assert.deepEqual(await readdir(join(dir, 'data')), ['settings.json']);
  });

  it('refuses a secret field or a secret inside a value, and leaves the file as it was', async () => {
    const file = join(dir, 'refuse', 'settings.json');
    const store = new SettingsStore(file);
    await store.update({ set: { mirror: 'mirror.example.com:5000/ocp4' }, forget: [] });
    const before = await readFile(file, 'utf8');
    const attempts: Array<Record<string, unknown>> = [
      { pullSecret: PULL_SECRET },
      { password: PASSWORD },
      { mirror: PULL_SECRET },
      { caPath: `/tmp/x ${PULL_SECRET.replace(/\n/g, '')}` },
      { mirrorCa: { fingerprintSha256: 'AA', subject: 'CN=x', pem: `${CA_PEM}-----BEGIN PRIVATE KEY-----\nMIIEvQ${PASSWORD}\n-----END PRIVATE KEY-----\n` } },
    ];
    for (const set of attempts) {
      await assert.rejects(
        store.update({ set: set as never, forget: [] }),
        (e: unknown) => e instanceof FerryError && e.code === 'INVALID_INPUT' && !e.message.includes(PASSWORD) && !e.message.includes('auth"'),
        JSON.stringify(Object.keys(set)),
      );
    }
    assert.equal(await readFile(file, 'utf8'), before);
  });

  it('names a damaged file instead of guessing', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, '{"theme": "purple"}');
    await assert.rejects(new SettingsStore(file).get(), (e: unknown) => e instanceof FerryError && e.code === 'INVALID_INPUT' && e.message.includes(file));
  });
});

describe('settings.* and fs.showInFolder through the host handlers', () => {
  let dir: string;
  let jobs: JobManager;
  let granted: string;
  const shown: string[] = [];
  const saveDialogOpenedAt: string[] = [];
  type Call = (method: string, payload: unknown) => Promise<Envelope<unknown>>;
  let desktop: Call;
  let serve: Call;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-settings-handlers-'));
    granted = join(dir, 'media');
    await mkdir(granted);
    await writeFile(join(granted, 'transfer.json'), '{}');
    jobs = await JobManager.open({ host: createForkHost(), history: new JobHistory(join(dir, 'data', 'jobs')) });
    const grants = await PathGrants.forSession(join(dir, 'data'));
    const common = { version: '9.9.9', secrets: new MemorySecretStore(), jobs, grants, settings: new SettingsStore(join(dir, 'data', 'settings.json')) };
    const wire = (handlers: ReturnType<typeof createHandlers>): Call => {
      const dispatch = createDispatcher(handlers, () => true);
      return (method, payload) => dispatch(undefined, method, payload);
    };
    // The operator's answer to a save dialog: a report saved beside the media.
    const dialogs = {
      pickDirectory: async () => null,
      pickFile: async () => null,
      saveFile: async (o: { defaultPath: string }) => {
        saveDialogOpenedAt.push(o.defaultPath);
        return join(dir, 'reports', 'push-report.json');
      },
    };
    await mkdir(join(dir, 'reports'));
    desktop = wire(createHandlers({ ...common, mode: 'electron', dialogs, shell: { showInFolder: (p) => shown.push(p) } }));
    serve = wire(createHandlers({ ...common, mode: 'serve' }));
  });
  after(async () => {
    await jobs.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('remembers settings for every window and browser of the host, and refuses a pull secret with no trace of it', async () => {
    const set = await desktop('settings.update', { set: { mirror: 'mirror.example.com:5000/ocp4', mediaFolder: '/media/usb' } });
    assert.deepEqual(set, { ok: true, result: { mirror: 'mirror.example.com:5000/ocp4', mediaFolder: '/media/usb' } });
    assert.deepEqual(await serve('settings.get', {}), set);
    const refused = await serve('settings.update', { set: { pullSecret: PULL_SECRET, mirror: PULL_SECRET } });
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.error.code, 'INVALID_INPUT');
    assert.doesNotMatch(JSON.stringify(refused), /Sup3r|dXNlcj|auths/);
    assert.doesNotMatch(await readFile(join(dir, 'data', 'settings.json'), 'utf8'), /auths|dXNlcj/);
  });

  it('shows only a path the session may read, that exists, and only on the desktop', async () => {
    const outside = await desktop('fs.showInFolder', { path: granted });
    assert.equal(!outside.ok && outside.error.code, 'FORBIDDEN');
    await desktop('fs.allow', { path: granted, access: 'read' });
    assert.deepEqual(await desktop('fs.showInFolder', { path: join(granted, 'transfer.json') }), { ok: true, result: { path: join(await realpath(granted), 'transfer.json') } });
    const gone = await desktop('fs.showInFolder', { path: join(granted, 'gone.json') });
    assert.equal(!gone.ok && gone.error.code, 'NOT_FOUND');
    assert.deepEqual(shown, [join(await realpath(granted), 'transfer.json')]);

    // A report saved through the native dialog (which opens in the media folder last used) is the
    // operator's choice: it can be shown right away.
    await desktop('settings.update', { set: { mediaFolder: '/run/media/ops/USB' } });
    const saved = (await desktop('fs.saveText', { text: '{}', defaultName: 'push-report.json' })) as { ok: true; result: { path: string } };
    assert.deepEqual(saveDialogOpenedAt, ['/run/media/ops/USB/push-report.json']);
    assert.deepEqual(await desktop('fs.showInFolder', { path: saved.result.path }), { ok: true, result: { path: join(await realpath(dir), 'reports', 'push-report.json') } });
    assert.equal(shown.length, 2);
    shown.pop();

    const info = (await serve('app.info', {})) as { ok: true; result: { unavailable: string[] } };
    assert.ok(info.result.unavailable.includes('fs.showInFolder'));
    const inServe = await serve('fs.showInFolder', { path: join(granted, 'transfer.json') });
    assert.equal(!inServe.ok && inServe.error.code, 'UNSUPPORTED');
    assert.equal(shown.length, 1);
  });
});
