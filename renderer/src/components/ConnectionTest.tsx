import { useCallback, useState } from 'react';
import type { ResponseOf } from '../../../shared/api/contract';
import { getApi, useUnavailable } from '../api';
import { useAction } from '../use-action';
import { ActionError, NotAvailable } from './ActionError';
import { Button } from './Button';
import { Callout } from './Callout';
import { Field } from './Field';

type Auth = 'stored' | 'password' | 'none';
export type ConnectionResult = ResponseOf<'registry.testConnection'>;

/**
 * Tries TLS and login against one registry with the CAs trusted so far. A typed password goes to
 * this one call and is cleared from the form afterwards; a stored secret is referred to by name.
 */
export function ConnectionTest({ caPem, storedRef, storedLabel, initialRegistry = '', onResult }: { caPem?: string; storedRef?: string; storedLabel?: string; initialRegistry?: string; onResult?: (r: ConnectionResult) => void }) {
  const [registry, setRegistry] = useState(initialRegistry);
  const [auth, setAuth] = useState<Auth>(storedRef ? 'stored' : 'password');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const testFn = useCallback((req: Parameters<ReturnType<typeof getApi>['registry']['testConnection']>[0]) => getApi().registry.testConnection(req), []);
  const [test, tested] = useAction(testFn);
  const absent = useUnavailable('registry.testConnection');
  const onTest = async () => {
    const host = registry.trim().replace(/^https?:\/\//, '').split('/')[0] ?? '';
    const res = await test({
      registry: host,
      ...(caPem ? { caPem } : {}),
      ...(auth === 'stored' && storedRef ? { credentialRef: storedRef } : {}),
      ...(auth === 'password' ? { username: username.trim(), password } : {}),
    });
    setPassword('');
    if (res) onResult?.(res);
  };
  return (
    <div>
      <Field label="Registry to test" help="HOST:PORT, e.g. mirror.example.com:5000">
        <input type="text" value={registry} onChange={(e) => setRegistry(e.target.value)} spellCheck={false} autoComplete="off" />
      </Field>
      <fieldset className="field">
        <legend>Log in with</legend>
        {storedRef ? (
          <label className="check">
            <input type="radio" name="auth" checked={auth === 'stored'} onChange={() => setAuth('stored')} /> {storedLabel ?? 'the saved credentials'}
          </label>
        ) : null}
        <label className="check">
          <input type="radio" name="auth" checked={auth === 'password'} onChange={() => setAuth('password')} /> a username and password
        </label>
        <label className="check">
          <input type="radio" name="auth" checked={auth === 'none'} onChange={() => setAuth('none')} /> no credentials (anonymous)
        </label>
      </fieldset>
      {auth === 'password' ? (
        <div className="row">
          <Field label="Username">
            <input type="text" value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="off" />
          </Field>
          <Field label="Password">
            <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
          </Field>
        </div>
      ) : null}
      <div className="actions">
        <Button onClick={() => void onTest()} disabled={!!absent || !registry.trim() || (auth === 'password' && (!username.trim() || !password))} busy={tested.busy}>
          Test connection
        </Button>
      </div>
      {absent ? <NotAvailable what={absent} /> : null}
      <ActionError error={tested.error} />
      {tested.result ? (
        <Callout tone="ok" title={`Connected to ${tested.result.registry}`}>
          <p>{tested.result.message}</p>
          <p className="muted">
            TLS {tested.result.tls.trusted ? 'trusted' : 'not trusted'}
            {tested.result.tls.subject ? ` (${tested.result.tls.subject})` : ''} · auth {tested.result.auth}
            {tested.result.username ? ` as ${tested.result.username}` : ''}
          </p>
        </Callout>
      ) : null}
    </div>
  );
}
