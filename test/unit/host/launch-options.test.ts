import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FerryError } from '../../../shared/errors';
import { launchEngineDefaults } from '../../../electron/host/launch-options';

describe('desktop app launch options', () => {
  it('takes the registry settings ferry serve takes, repeatable ones repeated', () => {
    const d = launchEngineDefaults([
      '--ca-file', '/etc/pki/corp.pem', '--ca-file', '/etc/pki/mirror.der',
      '--source-mirror', 'quay.io/openshift-release-dev=proxy.lan:5000/ocp',
      '--authfile', '/home/op/pull-secret.json', '--cert-dir', '/etc/containers/certs.d',
      '--parallel', '8', '--graph-url', 'https://osus.lan/api/upgrades_info/v1/graph', '--graph-data-url', 'https://osus.lan/graph-data.tar.gz',
      '--signature-store', 'https://sigs.lan/release', '--signature-store', 'https://sigs2.lan/release', '--signature-keyring', '/etc/pki/release-keys.asc',
    ]);
    assert.deepEqual(d, {
      authfile: '/home/op/pull-secret.json',
      caFiles: ['/etc/pki/corp.pem', '/etc/pki/mirror.der'],
      certDir: '/etc/containers/certs.d',
      sourceMirrors: ['quay.io/openshift-release-dev=proxy.lan:5000/ocp'],
      parallel: 8,
      graphUrl: 'https://osus.lan/api/upgrades_info/v1/graph',
      graphDataUrl: 'https://osus.lan/graph-data.tar.gz',
      signatureStores: ['https://sigs.lan/release', 'https://sigs2.lan/release'],
      signatureKeyring: '/etc/pki/release-keys.asc',
    });
  });

  it("lets Electron's and Chromium's own switches and arguments pass by", () => {
    const d = launchEngineDefaults(['--no-sandbox', '--enable-logging', '--ca-file', 'ca.pem', '--user-data-dir', '/tmp/profile', 'stray']);
    assert.deepEqual(d.caFiles, ['ca.pem']);
    assert.deepEqual(d.sourceMirrors, []);
    assert.equal(d.authfile, undefined);
  });

  it('refuses a bad value as a usage error naming what the app takes', () => {
    for (const args of [['--parallel', '0'], ['--ca-file']]) {
      assert.throws(
        () => launchEngineDefaults(args),
        (e: unknown) => e instanceof FerryError && e.code === 'USAGE' && /command line is not valid/.test(e.message) && /--source-mirror/.test(e.hint ?? ''),
        args.join(' '),
      );
    }
  });
});
