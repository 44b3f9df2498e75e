import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createApiClient } from '../../../shared/api/client';
import { apiEvents, apiMethods, methodNames } from '../../../shared/api/contract';
import type { ApiTransport } from '../../../shared/api/transport';
import { FerryError } from '../../../shared/errors';

describe('API contract and client', () => {
  it('exposes every contract method as namespace.method on the client', () => {
    const api = createApiClient({ invoke: async () => ({ ok: true, result: null }), subscribe: () => () => {} }) as unknown as Record<string, Record<string, unknown>>;
    for (const name of methodNames) {
      const [ns, m] = name.split('.') as [string, string];
      assert.equal(typeof api[ns]?.[m], 'function', name);
    }
    assert.ok(methodNames.length === Object.keys(apiMethods).length && methodNames.includes('jobs.start'));
  });

  it('sends the method name and payload, and returns the result', async () => {
    const calls: Array<[string, unknown]> = [];
    const transport: ApiTransport = {
      invoke: async (method, payload) => {
        calls.push([method, payload]);
        return { ok: true, result: { id: 'job-1' } };
      },
      subscribe: () => () => {},
    };
    const api = createApiClient(transport);
    assert.deepEqual(await api.jobs.start({ kind: 'verify', params: { dir: '/media/usb' } }), { id: 'job-1' });
    await api.app.info();
    assert.deepEqual(calls, [
      ['jobs.start', { kind: 'verify', params: { dir: '/media/usb' } }],
      ['app.info', {}],
    ]);
  });

  it('rejects with a FerryError carrying code, message and hint', async () => {
    const api = createApiClient({
      invoke: async () => ({ ok: false, error: { code: 'AUTH_DENIED', message: 'refused', hint: 'check the password' } }),
      subscribe: () => () => {},
    });
    await assert.rejects(api.secrets.list(), (e: unknown) => e instanceof FerryError && e.code === 'AUTH_DENIED' && e.hint === 'check the password');
  });

  it('subscribes to contract events only and returns a disposer', () => {
    const seen: string[] = [];
    const api = createApiClient({ invoke: async () => ({ ok: true, result: null }), subscribe: (e) => (seen.push(e), () => seen.push(`off:${e}`)) });
    const off = api.subscribe('jobs.changed', () => {});
    off();
    assert.deepEqual(seen, ['jobs.changed', 'off:jobs.changed']);
    assert.throws(() => api.subscribe('nope' as never, () => {}), { code: 'USAGE' });
    assert.ok('jobs.progress' in apiEvents);
  });

  it('applies request defaults in the schema (what handlers receive)', () => {
    const parsed = apiMethods['jobs.start'].request.parse({ kind: 'mirror', params: { toDir: '/d' } });
    assert.equal(parsed.kind, 'mirror');
    assert.deepEqual(parsed.kind === 'mirror' && parsed.params.images, []);
    assert.deepEqual(parsed.params.credentials, []);
    assert.equal(apiMethods['jobs.start'].request.safeParse({ kind: 'format-disk', params: {} }).success, false);
  });
});
