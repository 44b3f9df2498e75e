import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoSecretFields, createJourneyStore } from '../../../renderer/src/store';

/** sessionStorage's contract over a Map: the store must only ever write what it was given. */
function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k), m };
}

test('journey state survives a reload: a new store over the same storage resumes it', () => {
  const storage = memoryStorage();
  const a = createJourneyStore('j', { step: 'one', dir: '' }, storage);
  a.update({ step: 'three', dir: '/media/usb' });
  const b = createJourneyStore('j', { step: 'one', dir: '' }, storage);
  assert.deepEqual(b.get(), { step: 'three', dir: '/media/usb' });
});

test('a corrupt stored entry starts the journey afresh instead of breaking the app', () => {
  const storage = memoryStorage();
  storage.setItem('j', '{not json');
  assert.deepEqual(createJourneyStore('j', { step: 'one' }, storage).get(), { step: 'one' });
});

test('a secret-looking field is refused and nothing is written', () => {
  const storage = memoryStorage();
  const s = createJourneyStore<Record<string, unknown>>('j', { step: 'one' }, storage);
  assert.throws(() => s.update({ password: 'hunter2' }), /may not hold "password"/);
  assert.throws(() => s.update({ target: { registryPassword: 'x' } }), /target\.registryPassword/);
  assert.throws(() => s.update({ pullSecret: '{"auths":{}}' }), /pullSecret/);
  assert.equal(storage.m.size, 0);
  assert.deepEqual(s.get(), { step: 'one' });
});

test('references to stored secrets are allowed', () => {
  assert.doesNotThrow(() => assertNoSecretFields({ pullSecretRef: 'pull-secret', credentialRef: 'registry:host:5000', username: 'u' }));
});

test('subscribers hear updates and reset clears storage', () => {
  const storage = memoryStorage();
  const s = createJourneyStore('j', { n: 0 }, storage);
  let calls = 0;
  const off = s.subscribe(() => calls++);
  s.update((x) => ({ n: x.n + 1 }));
  s.reset();
  off();
  s.update({ n: 5 });
  assert.equal(calls, 2);
  assert.equal(storage.getItem('j'), JSON.stringify({ n: 5 }));
});
