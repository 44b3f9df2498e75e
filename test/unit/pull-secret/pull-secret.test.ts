import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { FerryError } from '../../../shared/errors';
import { parseJsonDocument } from '../../../shared/pull-secret/json-document';
import { checkPullSecret } from '../../../shared/pull-secret/validate';
import { addCredential } from '../../../shared/pull-secret/add';
import { dockerConfigSecret, ocSecretsLinkCommand, ocSetPullSecretCommand } from '../../../shared/pull-secret/cluster';
import { parseAuthKey } from '../../../shared/pull-secret/auth-key';

const seedSample = readFileSync(new URL('../../fixtures/pull-secret/seed-000-sample.json', import.meta.url), 'utf8');
const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString();

const pretty = `{
  "auths": {
    "cloud.openshift.com": {
      "auth": "${b64('cloud-user:cloud-pass')}",
      "email": "user@example.com"
    },
    "quay.io": {
      "auth": "${b64('quay-user:quay-pass')}",
      "email": "user@example.com"
    }
  }
}
`;

test("seed 000's sample pull secret: the missing ':' is reported at line 3, column 30", () => {
  const r = checkPullSecret(seedSample);
  assert.equal(r.valid, false);
  assert.ok(r.syntaxError);
  assert.equal(r.syntaxError.line, 3);
  assert.equal(r.syntaxError.column, 30);
  assert.match(r.syntaxError.reason, /expected ':' after the key "registry\.connect\.redhat\.com" but found '\{'/);
  const [shown, caret] = r.syntaxError.excerpt.split('\n') as [string, string];
  assert.ok(shown.startsWith('"registry.connect.redhat.com"{'));
  assert.equal(caret.indexOf('^'), 29, 'the caret sits under the offending {');
  assert.equal(shown[caret.indexOf('^')], '{');
  // JSON.parse agrees the document is broken (it just does not say where in a portable way).
  assert.throws(() => JSON.parse(seedSample));
});

test('syntax errors are located precisely', () => {
  const cases: Array<[string, number, number, RegExp]> = [
    ['{"auths":{"a.io":{"auth":"x"},}}', 1, 31, /trailing comma/],
    ['{\n  "auths": {\n    "a.io": {"auth": "x}\n  }\n}', 3, 25, /line break inside a string/],
    ['{"auths":{}', 1, 12, /object opened at line 1, column 1: a '}' is missing/],
    ["{'auths':{}}", 1, 2, /expected a key in double quotes/],
    ['{"auths":{}} x', 1, 14, /after the end of the JSON value/],
    ['', 1, 1, /empty/],
  ];
  for (const [text, line, column, reason] of cases) {
    const r = parseJsonDocument(text);
    assert.equal(r.ok, false, text);
    if (r.ok) continue;
    assert.deepEqual([r.error.line, r.error.column], [line, column], text);
    assert.match(r.error.reason, reason, text);
  }
});

test('the reader agrees with JSON.parse on valid documents, keeping duplicates it would drop', () => {
  const text = '{"a":[1,-2.5e3,true,false,null,"\\u00e9\\n"],"a":{"b":"c"}}';
  const r = parseJsonDocument(text);
  assert.ok(r.ok && r.root.kind === 'object');
  assert.deepEqual(r.root.members.map((m) => m.key), ['a', 'a']);
  const first = r.root.members[0]!.value;
  assert.ok(first.kind === 'array');
  assert.deepEqual(first.items.map((i) => ('value' in i ? i.value : null)), JSON.parse(text.replace(/,"a":\{"b":"c"\}/, '')).a);
});

test('a valid pull secret lists its registries, users and emails; namespaced keys are understood', () => {
  const text = JSON.stringify({ auths: { 'quay.io': { auth: b64('u1:p1'), email: 'a@example.com' }, 'my-registry:5000/my-namespace': { auth: b64('u2:p:with:colons') } } });
  const r = checkPullSecret(text);
  assert.equal(r.valid, true);
  assert.deepEqual(r.findings, []);
  assert.deepEqual(
    r.entries.map((e) => [e.key, e.registry, e.namespace, e.username, e.email]),
    [
      ['quay.io', 'quay.io', undefined, 'u1', 'a@example.com'],
      ['my-registry:5000/my-namespace', 'my-registry:5000', 'my-namespace', 'u2', undefined],
    ],
  );
});

test('wrong base64, auth without user:password and bad keys are errors with their position; passwords never appear', () => {
  const text = `{"auths":{\n"good.io":{"auth":"${b64('u:secret-one')}"},\n"bad64.io":{"auth":"not base64!"},\n"nocolon.io":{"auth":"${b64('just-a-token-secret')}"},\n"<local_registry>":{"auth":"${b64('u:p')}"}}}`;
  const r = checkPullSecret(text);
  assert.equal(r.valid, false);
  const errors = r.findings.filter((f) => f.severity === 'error');
  assert.deepEqual(errors.map((f) => [f.key, f.line]), [['bad64.io', 3], ['nocolon.io', 4], ['<local_registry>', 5]]);
  assert.match(errors[0]!.message, /"auth" of "bad64\.io" is not valid base64/);
  assert.equal(errors[0]!.column, 20, 'the column of the auth value');
  assert.match(errors[1]!.message, /without ':'/);
  assert.match(errors[2]!.message, /not a registry key/);
  const all = JSON.stringify(r);
  assert.ok(!all.includes('secret-one') && !all.includes('just-a-token-secret'));
});

test('duplicates, URL schemes and trailing slashes are warnings, not errors', () => {
  const text = `{"auths":{\n"quay.io":{"auth":"${b64('a:b')}"},\n"quay.io":{"auth":"${b64('c:d')}"},\n"https://old.example.com":{"auth":"${b64('e:f')}"},\n"my-registry:5000/my-namespace/":{"auth":"${b64('g:h')}"}}}`;
  const r = checkPullSecret(text);
  assert.equal(r.valid, true);
  const warnings = r.findings.map((f) => [f.line, f.key, f.message]);
  assert.equal(warnings.length, 3);
  assert.equal(warnings[0]![0], 3);
  assert.match(String(warnings[0]![2]), /"quay\.io" appears more than once in "auths" \(first at line 2\)/);
  assert.match(String(warnings[1]![2]), /URL scheme/);
  assert.match(String(warnings[2]![2]), /ends with '\/'.*"my-registry:5000\/my-namespace"/);
});

test('structure errors: no auths, auths not an object, top level not an object', () => {
  assert.match(checkPullSecret('{"credsStore":"x"}').findings.find((f) => f.severity === 'error')!.message, /no "auths" object/);
  assert.equal(checkPullSecret('{"auths":[]}').editable, false);
  assert.match(checkPullSecret('[1]').findings[0]!.message, /top level must be a JSON object/);
});

test('parseAuthKey accepts host, host:port, IPs and namespaces, and refuses the rest', () => {
  assert.deepEqual(parseAuthKey('mirror.example.com:5000/ocp4/openshift4'), { registry: 'mirror.example.com:5000', namespace: 'ocp4/openshift4', scheme: false, trailingSlash: false });
  assert.deepEqual(parseAuthKey('https://index.docker.io/v1/'), { registry: 'index.docker.io', scheme: true, trailingSlash: true });
  assert.equal(parseAuthKey('10.0.0.5:5000')?.registry, '10.0.0.5:5000');
  for (const bad of ['', 'host:99999', 'Host/UPPER', 'a b', 'host:port', 'quay.io/ns@sha256:aa']) assert.equal(parseAuthKey(bad), undefined, bad);
});

test('addCredential inserts a new entry after the others, in the file\'s own style, changing nothing else', () => {
  const { text, replaced } = addCredential(pretty, { registry: 'mirror.example.com:5000', username: 'mirror', password: 'p@ss:word', email: 'ops@example.com' });
  assert.equal(replaced, false);
  const doc = JSON.parse(text);
  assert.deepEqual(Object.keys(doc.auths), ['cloud.openshift.com', 'quay.io', 'mirror.example.com:5000']);
  assert.equal(unb64(doc.auths['mirror.example.com:5000'].auth), 'mirror:p@ss:word');
  assert.equal(doc.auths['mirror.example.com:5000'].email, 'ops@example.com');
  // The original bytes are all still there, in order: only the new member was spliced in.
  const inserted = text.slice(pretty.lastIndexOf('}\n  }'), text.length - (pretty.length - pretty.lastIndexOf('}\n  }')));
  assert.equal(text.replace(inserted, ''), pretty);
  assert.match(text, /\n {4}"mirror\.example\.com:5000": \{\n {6}"auth": "[^"]+",\n {6}"email": "ops@example\.com"\n {4}\}\n/);
});

test('addCredential replaces an existing entry in place and keeps compact files compact', () => {
  const compact = JSON.stringify({ auths: { 'a.io': { auth: b64('a:1') }, 'mirror.io:5000': { auth: b64('old:old'), email: 'x@y' }, 'z.io': { auth: b64('z:9') } } });
  const { text, replaced } = addCredential(compact, { registry: 'mirror.io:5000', username: 'sa', password: 'eyJhbGciOiJSUzI1NiJ9.token' });
  assert.equal(replaced, true);
  assert.ok(!text.includes('\n'));
  const doc = JSON.parse(text);
  assert.deepEqual(Object.keys(doc.auths), ['a.io', 'mirror.io:5000', 'z.io']);
  assert.deepEqual(doc.auths['mirror.io:5000'], { auth: b64('sa:eyJhbGciOiJSUzI1NiJ9.token') });
  assert.equal(doc.auths['a.io'].auth, b64('a:1'));
  assert.equal(doc.auths['z.io'].auth, b64('z:9'));
});

test('addCredential creates auths when missing or empty, and replaces every copy of a duplicated key', () => {
  assert.deepEqual(JSON.parse(addCredential('{}', { registry: 'r.io', username: 'u', password: 'p' }).text), { auths: { 'r.io': { auth: b64('u:p') } } });
  assert.deepEqual(JSON.parse(addCredential('{"auths":{}}', { registry: 'r.io', username: 'u', password: 'p' }).text), { auths: { 'r.io': { auth: b64('u:p') } } });
  const dup = `{"auths":{"r.io":{"auth":"${b64('a:a')}"},"r.io":{"auth":"${b64('b:b')}"}}}`;
  const out = addCredential(dup, { registry: 'r.io', username: 'n', password: 'n' }).text;
  const r = parseJsonDocument(out);
  assert.ok(r.ok && r.root.kind === 'object');
  const auths = r.root.members[0]!.value;
  assert.ok(auths.kind === 'object');
  assert.equal(auths.members.length, 2);
  for (const m of auths.members) assert.equal(JSON.stringify(JSON.parse(out.slice(m.value.start, m.value.end))), JSON.stringify({ auth: b64('n:n') }));
});

test('addCredential refuses malformed JSON (with line/column) and bad credentials, without echoing the password', () => {
  assert.throws(
    () => addCredential(seedSample, { registry: 'm.io', username: 'u', password: 'hunter2' }),
    (e: unknown) => e instanceof FerryError && e.code === 'INVALID_INPUT' && e.exitCode === 2 && /line 3, column 30/.test(e.message) && !e.message.includes('hunter2'),
  );
  for (const [cred, re] of [
    [{ registry: 'https://m.io', username: 'u', password: 'p' }, /not a registry/],
    [{ registry: 'm.io', username: 'a:b', password: 'p' }, /colon/],
    [{ registry: 'm.io', username: 'u', password: '' }, /empty/],
  ] as const) {
    assert.throws(() => addCredential(pretty, cred), (e: unknown) => e instanceof FerryError && e.code === 'USAGE' && re.test(e.message));
  }
  assert.throws(() => addCredential('{"auths":"x"}', { registry: 'm.io', username: 'u', password: 'p' }), /not of the form/);
});

test('seed 003 and 004 generators: oc set data, dockerconfigjson Secret, oc secrets link', () => {
  assert.equal(ocSetPullSecretCommand('.mirrorsecretconfigjson'), 'oc set data secret/pull-secret -n openshift-config --from-file=.dockerconfigjson=.mirrorsecretconfigjson');
  assert.equal(ocSetPullSecretCommand('/tmp/my pull.json'), "oc set data secret/pull-secret -n openshift-config --from-file=.dockerconfigjson='/tmp/my pull.json'");
  const { yaml } = dockerConfigSecret({ name: 'my-registry', namespace: 'my-project', registry: 'myregistry.example.com', username: 'notused', password: 'sa-token-value', email: 'me@example.com' });
  const secret = parseYaml(yaml);
  assert.equal(secret.apiVersion, 'v1');
  assert.equal(secret.kind, 'Secret');
  assert.equal(secret.type, 'kubernetes.io/dockerconfigjson');
  assert.deepEqual(secret.metadata, { name: 'my-registry', namespace: 'my-project' });
  assert.deepEqual(Object.keys(secret.data), ['.dockerconfigjson']);
  const config = JSON.parse(unb64(secret.data['.dockerconfigjson']));
  assert.deepEqual(Object.keys(config.auths), ['myregistry.example.com']);
  assert.equal(unb64(config.auths['myregistry.example.com'].auth), 'notused:sa-token-value');
  assert.equal(config.auths['myregistry.example.com'].email, 'me@example.com');
  assert.equal(ocSecretsLinkCommand('my-registry'), 'oc secrets link default my-registry --for=pull');
  assert.throws(() => dockerConfigSecret({ name: 'Bad_Name', registry: 'r.io', username: 'u', password: 'p' }), /not a valid Kubernetes object name/);
});
