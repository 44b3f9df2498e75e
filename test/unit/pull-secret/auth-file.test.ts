import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAuth, entryCredential, readAuthDocument, type AuthEntry } from '../../../shared/pull-secret/auth-file';
import { authKeyLookupOrder, normalizeAuthKey } from '../../../shared/pull-secret/auth-key';
import { checkPullSecret } from '../../../shared/pull-secret/validate';

/**
 * The one reader of auth.json / pull secrets / docker config.json. Expected decodings and key
 * normalization follow containers/image pkg/docker/config/config.go (decodeDockerAuth,
 * normalizeAuthFileKey, normalizeRegistry, authKeysForKey).
 */
const b64 = (s: string) => Buffer.from(s).toString('base64');

function entries(text: string): { text: string; entries: AuthEntry[] } {
  const doc = readAuthDocument(text);
  assert.ok(doc.ok && doc.problems.length === 0, text);
  return { text, entries: doc.entries };
}

function credentialOf(text: string, key: string) {
  const doc = entries(text);
  return entryCredential(doc.text, doc.entries.find((e) => e.key === key)!);
}

test('malformed JSON is reported with line, column and reason, never with the offending line in the reason', () => {
  const text = `{\n  "auths": {\n    "a.io": { "auth": "${b64('u:hunter2')}" },\n  }\n}\n`;
  const doc = readAuthDocument(text);
  assert.equal(doc.ok, false);
  if (doc.ok) return;
  assert.deepEqual([doc.syntaxError.line, doc.syntaxError.column], [4, 3]);
  assert.match(doc.syntaxError.reason, /trailing comma/);
  assert.ok(!doc.syntaxError.reason.includes(b64('u:hunter2')));
});

test('the excerpt of a syntax error stars out string values, keeping keys and the caret column', () => {
  const secret = b64('user:hunter2-hunter2');
  const text = `{"auths":{"a.io":{"auth":"${secret}" "email":"ops@example.com"}}}`;
  const doc = readAuthDocument(text);
  assert.equal(doc.ok, false);
  if (doc.ok) return;
  const [shown, caret] = doc.syntaxError.excerpt.split('\n') as [string, string];
  assert.ok(!shown.includes(secret.slice(0, 8)) && !shown.includes('ops@'), shown);
  assert.match(shown, /"auth":"\*+" "email":"\*+"/);
  assert.equal(shown[caret.indexOf('^')], '"', 'the caret is under the string that should have been preceded by a comma');
});

test('structural problems carry the JSON path and the position of the value at fault', () => {
  const top = readAuthDocument('\n  [1, 2]');
  assert.ok(top.ok);
  assert.deepEqual(top.problems.map((p) => [p.path, p.line, p.column]), [['(top level)', 2, 3]]);
  const auths = readAuthDocument('{"auths": "quay.io"}');
  assert.ok(auths.ok);
  assert.deepEqual(auths.problems.map((p) => [p.path, p.line, p.column, p.message]), [['auths', 1, 11, '"auths" must be an object mapping registries to credentials']]);
  // No auths at all is an empty file for a reader (containers/image), not a problem.
  const none = readAuthDocument('{"credsStore":"desktop"}');
  assert.ok(none.ok && none.problems.length === 0 && none.entries.length === 0);

  const notObject = credentialOf('{"auths":{\n"a.io": "x"}}', 'a.io');
  assert.deepEqual([notObject.problem?.path, notObject.problem?.line, notObject.problem?.column], ['auths["a.io"]', 2, 9]);
  const wrongType = credentialOf('{"auths":{"a.io":{\n  "auth": 42}}}', 'a.io');
  assert.equal(wrongType.problem?.path, 'auths["a.io"].auth');
  assert.deepEqual([wrongType.problem?.line, wrongType.problem?.column], [2, 11]);
  assert.match(wrongType.problem!.message, /"auth" of "a\.io" must be a string/);
});

test('auth is strict standard base64 of user:password, split at the first colon, NULs trimmed from the password', () => {
  assert.deepEqual(decodeAuth(b64('user:pa:ss')), { ok: true, username: 'user', password: 'pa:ss' });
  assert.deepEqual(decodeAuth(b64('user:pw\0\0')), { ok: true, username: 'user', password: 'pw' });
  assert.deepEqual(decodeAuth(b64(':token')), { ok: true, username: '', password: 'token' });
  // Node's Buffer decoder would skip the '!' and the missing padding and log in with garbage; Go's StdEncoding refuses.
  for (const bad of ['dXNlcjpwdw!=', 'dXNlcjpwdw', 'dXNl cjpwdw==']) {
    const r = decodeAuth(bad);
    assert.equal(r.ok, false, bad);
    if (!r.ok) assert.match(r.reason, /not valid base64/);
  }
  const noColon = decodeAuth(b64('just-a-token'));
  assert.ok(!noColon.ok && /without ':'/.test(noColon.reason));
  const binary = decodeAuth(Buffer.from([0xff, 0xfe, 0x3a]).toString('base64'));
  assert.ok(!binary.ok && /not text/.test(binary.reason));
});

test('an entry gives an identity token first, then auth, then Docker username/password; a bad auth is a positioned problem without the secret', () => {
  assert.deepEqual(credentialOf(`{"auths":{"a.io":{"auth":"${b64('u:p')}","identitytoken":"refresh","username":"u"}}}`, 'a.io').credential, { identityToken: 'refresh', username: 'u' });
  assert.deepEqual(credentialOf(`{"auths":{"a.io":{"auth":"${b64('u:p')}","username":"x","password":"y"}}}`, 'a.io').credential, { username: 'u', password: 'p' });
  assert.deepEqual(credentialOf('{"auths":{"a.io":{"username":"x","password":"y"}}}', 'a.io').credential, { username: 'x', password: 'y' });
  // Docker writes {} for a registry handled by a credential helper: nothing to use, nothing wrong.
  assert.deepEqual(credentialOf('{"auths":{"a.io":{}}}', 'a.io'), {});

  const text = `{"auths":{\n  "a.io": {"auth": "${b64('no-colon-secret')}"},\n  "b.io": {"auth": "${b64(':empty-user-secret')}"}}}`;
  const noColon = credentialOf(text, 'a.io').problem!;
  assert.deepEqual([noColon.line, noColon.column, noColon.path, noColon.key], [2, 20, 'auths["a.io"].auth', 'a.io']);
  assert.match(noColon.message, /"auth" of "a\.io" decodes to text without ':'/);
  const emptyUser = credentialOf(text, 'b.io').problem!;
  assert.match(emptyUser.message, /empty user name/);
  const all = JSON.stringify([noColon, emptyUser]);
  assert.ok(!all.includes('secret') && !all.includes(b64('no-colon-secret')));
});

test('keys are normalized as containers/image does: URL keys name their host, Docker Hub aliases are one registry', () => {
  const cases: Array<[string, string]> = [
    ['https://index.docker.io/v1/', 'docker.io'],
    ['http://registry-1.docker.io', 'docker.io'],
    ['index.docker.io', 'docker.io'],
    ['docker.io', 'docker.io'],
    ['https://mirror.local:5000/v2/', 'mirror.local:5000'],
    // Without a scheme the path is a namespace and stays (a trailing '/' goes, as the kubelet reads it).
    ['mirror.local:5000/ocp4/', 'mirror.local:5000/ocp4'],
    ['mirror.local:5000/ocp4/release', 'mirror.local:5000/ocp4/release'],
    ['[fd00::1]:5000', '[fd00::1]:5000'],
  ];
  for (const [key, want] of cases) assert.equal(normalizeAuthKey(key), want, key);
  assert.deepEqual(authKeyLookupOrder('quay.io', 'repo/ns/image'), ['quay.io/repo/ns/image', 'quay.io/repo/ns', 'quay.io/repo', 'quay.io']);
});

test('pull-secret check warns when two different keys name one registry after normalization', () => {
  const text = `{"auths":{\n"https://index.docker.io/v1/":{"auth":"${b64('a:b')}"},\n"docker.io":{"auth":"${b64('c:d')}"},\n"quay.io":{"auth":"${b64('e:f')}"}}}`;
  const r = checkPullSecret(text);
  assert.equal(r.valid, true);
  const same = r.findings.filter((f) => /name the same registry/.test(f.message));
  assert.deepEqual(same.map((f) => [f.key, f.line]), [['docker.io', 3]]);
  assert.match(same[0]!.message, /"docker\.io" and "https:\/\/index\.docker\.io\/v1\/" \(line 2\) name the same registry docker\.io/);
});
