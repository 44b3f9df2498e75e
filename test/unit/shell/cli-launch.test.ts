import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cliInvocation } from '../../../electron/main/cli-launch';

describe('the desktop binary as the ferry command', () => {
  it('runs the CLI for a command name, --version or --help, with node-style argv', () => {
    assert.deepEqual(cliInvocation(['mirror', '--release', '4.15.3', '--to-dir', '/media/usb']), ['ferry', 'ferry', 'mirror', '--release', '4.15.3', '--to-dir', '/media/usb']);
    assert.deepEqual(cliInvocation(['--version']), ['ferry', 'ferry', '--version']);
    assert.deepEqual(cliInvocation(['release', 'info', '4.15.3']), ['ferry', 'ferry', 'release', 'info', '4.15.3']);
  });

  it('opens the app with no argument, with the app’s launch options, and for serve', () => {
    assert.equal(cliInvocation([]), undefined);
    assert.equal(cliInvocation(['--ca-file', 'corp.pem']), undefined);
    assert.equal(cliInvocation(['--no-sandbox']), undefined);
    assert.equal(cliInvocation(['serve']), undefined);
  });
});
