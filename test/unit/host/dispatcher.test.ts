import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createDispatcher, unavailableMethods, type ApiHandlers } from '../../../electron/host/dispatcher';
import { isTrustedSender } from '../../../electron/host/security-policy';

interface FakeSender {
  frameUrl: string | undefined;
  isMainFrame: boolean;
  isOurWindow: boolean;
}
const APP = 'ferry://app/index.html';
const ours: FakeSender = { frameUrl: 'ferry://app/index.html', isMainFrame: true, isOurWindow: true };
let statCalls = 0;
const handlers: ApiHandlers = {
  'fs.stat': (req) => {
    statCalls += 1;
    return { path: req.path, exists: true, kind: 'directory', size: 0, writable: true };
  },
  // Deliberately off-contract, to prove replies are checked too.
  'fs.freeSpace': () => ({ path: '/', freeBytes: 'lots' }) as never,
};
const dispatch = createDispatcher<FakeSender>(handlers, (s) => isTrustedSender(s, APP));

describe('dispatcher (the one handle() path)', () => {
  it('answers a valid call from our window with ok:true', async () => {
    const reply = await dispatch(ours, 'fs.stat', { path: '/tmp' });
    assert.deepEqual(reply, { ok: true, result: { path: '/tmp', exists: true, kind: 'directory', size: 0, writable: true } });
  });

  it('rejects a payload the schema refuses, before the handler runs', async () => {
    const before = statCalls;
    const reply = await dispatch(ours, 'fs.stat', { path: 7 });
    assert.equal(reply.ok, false);
    assert.equal(!reply.ok && reply.error.code, 'INVALID_INPUT');
    assert.match(!reply.ok ? reply.error.message : '', /fs\.stat.*path/);
    assert.equal(statCalls, before, 'handler not called');
    const missing = await dispatch(ours, 'fs.stat', undefined);
    assert.equal(!missing.ok && missing.error.code, 'INVALID_INPUT');
  });

  it('does not echo a rejected value (it might be a secret)', async () => {
    const reply = await dispatch(ours, 'fs.stat', { path: ['hunter2-secret'] });
    assert.ok(!JSON.stringify(reply).includes('hunter2-secret'));
  });

  it('refuses unknown senders: another window, a subframe, a foreign page', async () => {
    const senders: FakeSender[] = [
      { ...ours, isOurWindow: false },
      { ...ours, isMainFrame: false },
      { ...ours, frameUrl: 'https://evil.example/' },
      { ...ours, frameUrl: 'file:///etc/passwd' },
      { ...ours, frameUrl: undefined },
    ];
    const before = statCalls;
    for (const s of senders) {
      const reply = await dispatch(s, 'fs.stat', { path: '/tmp' });
      assert.equal(!reply.ok && reply.error.code, 'FORBIDDEN', JSON.stringify(s));
    }
    assert.equal(statCalls, before);
  });

  it('refuses channels that are not in the contract', async () => {
    for (const channel of ['fs.rm', '__proto__', 'constructor', 42]) {
      const reply = await dispatch(ours, channel, {});
      assert.equal(!reply.ok && reply.error.code, 'USAGE');
    }
  });

  it('answers UNSUPPORTED for a contract method without a handler, and lists it as unavailable', async () => {
    const reply = await dispatch(ours, 'release.info', { pullspec: 'quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64' });
    assert.equal(!reply.ok && reply.error.code, 'UNSUPPORTED');
    assert.match(!reply.ok ? reply.error.message : '', /not yet available in this build/);
    const unavailable = unavailableMethods(handlers);
    assert.ok(unavailable.includes('release.info'));
    assert.ok(!unavailable.includes('fs.stat'));
  });

  it('turns an off-contract reply into INTERNAL instead of passing it on', async () => {
    const reply = await dispatch(ours, 'fs.freeSpace', { path: '/' });
    assert.equal(!reply.ok && reply.error.code, 'INTERNAL');
  });
});
