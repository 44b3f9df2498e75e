import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FerryError } from '../../../shared/errors';
import { registriesConf } from '../../../shared/config/registries-conf';
import { findRegistry, parseRegistriesConf, resolvePull } from '../../../shared/config/resolve';
import { SEED003_REGISTRIES_CONF } from './seed-examples';

const D = `sha256:${'ab'.repeat(32)}`;

// Table fixture in the spirit of containers/image pkg/sysregistriesv2/testdata.
const CONF = `
unqualified-search-registries = ["registry.access.redhat.com", "docker.io"]

[[registry]]
prefix = "registry-a.com/foo"
location = "registry-a.com/bar"
  [[registry.mirror]]
  location = "mirror-1.registry-a.com"
  [[registry.mirror]]
  location = "mirror-2.registry-a.com"
  insecure = true

[[registry]]
prefix = "registry-b.com/foo"
location = "registry-b.com/bar"
mirror-by-digest-only = true
  [[registry.mirror]]
  location = "mirror-1.registry-b.com"
  [[registry.mirror]]
  location = "mirror-2.registry-b.com"

[[registry]]
location = "registry-c.com"
  [[registry.mirror]]
  location = "mirror-1.registry-c.com"
  [[registry.mirror]]
  location = "mirror-2.registry-c.com"
  pull-from-mirror = "digest-only"
  [[registry.mirror]]
  location = "mirror-3.registry-c.com"
  pull-from-mirror = "tag-only"

[[registry]]
location = "registry-c.com/ns/deep"
  [[registry.mirror]]
  location = "deep-mirror.example.com/deep"

[[registry]]
prefix = ""
location = "blocked.example.com"
blocked = true
  [[registry.mirror]]
  location = "mirror.blocked.example.com"

[[registry]]
location = "mirror-1.registry-a.com/blocked"
blocked = true

[[registry]]
prefix = "*.wild.example.com"
location = "wild-mirror.example.com"

[[registry]]
prefix = "*.example.org"

[[registry]]
location = "docker.io/library"
  [[registry.mirror]]
  location = "hub-mirror.example.com/library"

[[registry]]
location = "registry-a.com/foo"
blocked = true
`;

interface Row {
  name: string;
  ref: string;
  /** [reference, kind, refused?] per attempt, in order. */
  attempts: Array<[string, 'mirror' | 'source', boolean?]>;
  prefix?: string;
  skipped?: string[];
}

const table: Row[] = [
  {
    name: 'prefix rewritten to location; mirrors in order, then the registry',
    ref: 'registry-a.com/foo/image:latest',
    prefix: 'registry-a.com/foo',
    attempts: [
      ['mirror-1.registry-a.com/image:latest', 'mirror'],
      ['mirror-2.registry-a.com/image:latest', 'mirror'],
      ['registry-a.com/bar/image:latest', 'source'],
    ],
  },
  {
    name: 'first entry for a prefix wins; the later blocked duplicate is dead configuration',
    ref: `registry-a.com/foo/image@${D}`,
    prefix: 'registry-a.com/foo',
    attempts: [
      [`mirror-1.registry-a.com/image@${D}`, 'mirror'],
      [`mirror-2.registry-a.com/image@${D}`, 'mirror'],
      [`registry-a.com/bar/image@${D}`, 'source'],
    ],
  },
  {
    name: 'mirror-by-digest-only: a digest reference uses the mirrors',
    ref: `registry-b.com/foo/image@${D}`,
    attempts: [
      [`mirror-1.registry-b.com/image@${D}`, 'mirror'],
      [`mirror-2.registry-b.com/image@${D}`, 'mirror'],
      [`registry-b.com/bar/image@${D}`, 'source'],
    ],
  },
  {
    name: 'mirror-by-digest-only: a tag reference goes to the registry only',
    ref: 'registry-b.com/foo/image:v1',
    attempts: [['registry-b.com/bar/image:v1', 'source']],
    skipped: ['mirror-1.registry-b.com', 'mirror-2.registry-b.com'],
  },
  {
    name: 'pull-from-mirror per mirror, digest reference',
    ref: `registry-c.com/ns/image@${D}`,
    attempts: [
      [`mirror-1.registry-c.com/ns/image@${D}`, 'mirror'],
      [`mirror-2.registry-c.com/ns/image@${D}`, 'mirror'],
      [`registry-c.com/ns/image@${D}`, 'source'],
    ],
    skipped: ['mirror-3.registry-c.com'],
  },
  {
    name: 'pull-from-mirror per mirror, tag reference; no tag or digest means :latest',
    ref: 'registry-c.com/ns/image',
    attempts: [
      ['mirror-1.registry-c.com/ns/image:latest', 'mirror'],
      ['mirror-3.registry-c.com/ns/image:latest', 'mirror'],
      ['registry-c.com/ns/image:latest', 'source'],
    ],
    skipped: ['mirror-2.registry-c.com'],
  },
  {
    name: 'longest prefix wins',
    ref: 'registry-c.com/ns/deep/image:1',
    prefix: 'registry-c.com/ns/deep',
    attempts: [
      ['deep-mirror.example.com/deep/image:1', 'mirror'],
      ['registry-c.com/ns/deep/image:1', 'source'],
    ],
  },
  {
    name: 'a prefix matches only at a path boundary',
    ref: 'registry-c.com/ns/deeper:1',
    prefix: 'registry-c.com',
    attempts: [
      ['mirror-1.registry-c.com/ns/deeper:1', 'mirror'],
      ['mirror-3.registry-c.com/ns/deeper:1', 'mirror'],
      ['registry-c.com/ns/deeper:1', 'source'],
    ],
    skipped: ['mirror-2.registry-c.com'],
  },
  {
    name: 'blocked registry: mirrors still tried, the source is refused',
    ref: 'blocked.example.com/app:1',
    attempts: [
      ['mirror.blocked.example.com/app:1', 'mirror'],
      ['blocked.example.com/app:1', 'source', true],
    ],
  },
  {
    name: 'a mirror whose target is blocked is refused (blocked is applied per endpoint)',
    ref: 'registry-a.com/foo/blocked/x:1',
    attempts: [
      ['mirror-1.registry-a.com/blocked/x:1', 'mirror', true],
      ['mirror-2.registry-a.com/blocked/x:1', 'mirror'],
      ['registry-a.com/bar/blocked/x:1', 'source'],
    ],
  },
  {
    name: 'wildcard prefix rewrites the host part it matched',
    ref: 'a.b.wild.example.com/repo/img:2',
    prefix: '*.wild.example.com',
    attempts: [['wild-mirror.example.com/repo/img:2', 'source']],
  },
  {
    name: 'wildcard prefix without location keeps the reference',
    ref: 'x.example.org/img:2',
    prefix: '*.example.org',
    attempts: [['x.example.org/img:2', 'source']],
  },
  {
    name: 'a wildcard matches subdomains only, not the domain itself',
    ref: 'example.org/img:2',
    attempts: [['example.org/img:2', 'source']],
  },
  {
    name: 'Docker Hub short names are normalised before matching',
    ref: 'busybox',
    prefix: 'docker.io/library',
    attempts: [
      ['hub-mirror.example.com/library/busybox:latest', 'mirror'],
      ['docker.io/library/busybox:latest', 'source'],
    ],
  },
  {
    name: 'no matching prefix: pulled as written',
    ref: 'quay.io/other/img:1',
    attempts: [['quay.io/other/img:1', 'source']],
  },
];

const parsed = parseRegistriesConf(CONF, 'table.conf');

for (const row of table) {
  test(`resolve: ${row.name}`, () => {
    const r = resolvePull(parsed, row.ref);
    assert.deepEqual(
      r.attempts.map((a) => (a.refused ? [a.reference, a.kind, true] : [a.reference, a.kind])),
      row.attempts.map(([ref, kind, refused]) => (refused ? [ref, kind, true] : [ref, kind])),
    );
    if (row.prefix !== undefined) assert.equal(r.registry?.prefix, row.prefix);
    assert.deepEqual(
      r.skipped.map((s) => s.location),
      row.skipped ?? [],
    );
  });
}

test('resolve: insecure comes from the endpoint itself', () => {
  const r = resolvePull(parsed, 'registry-a.com/foo/image:latest');
  assert.deepEqual(
    r.attempts.map((a) => a.insecure),
    [false, true, false],
  );
});

test('resolve: a tag and a digest together are refused like containers/image does', () => {
  assert.throws(() => resolvePull(parsed, `registry-a.com/foo/image:v1@${D}`), (e: unknown) => e instanceof FerryError && e.code === 'INVALID_REFERENCE');
});

test('findRegistry: longest prefix among overlapping entries', () => {
  assert.equal(findRegistry(parsed, 'registry-c.com/ns/deep/x')?.prefix, 'registry-c.com/ns/deep');
  assert.equal(findRegistry(parsed, 'registry-c.com/ns/deepx')?.prefix, 'registry-c.com');
  assert.equal(findRegistry(parsed, 'registry-c.comx/a'), undefined);
});

test('the seed 003 node file sends the component digest to the mirror and the tag to quay.io', () => {
  const conf = parseRegistriesConf(SEED003_REGISTRIES_CONF);
  const byDigest = resolvePull(conf, `quay.io/openshift-release-dev/ocp-v4.0-art-dev@${D}`);
  assert.deepEqual(
    byDigest.attempts.map((a) => a.reference),
    [`mirror.registry.com:443/ocp/release@${D}`, `quay.io/openshift-release-dev/ocp-v4.0-art-dev@${D}`],
  );
  const byTag = resolvePull(conf, 'quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64');
  assert.deepEqual(
    byTag.attempts.map((a) => a.reference),
    ['quay.io/openshift-release-dev/ocp-release:4.15.3-x86_64'],
  );
});

test('a generated node view resolves through the same rules (round trip)', () => {
  const text = registriesConf({
    digestMirrors: [{ source: 'quay.io/openshift-release-dev/ocp-v4.0-art-dev', mirrors: ['mirror.example.com:5000/ocp4/ocp-v4.0-art-dev'], mirrorSourcePolicy: 'NeverContactSource' }],
  }).text;
  const r = resolvePull(parseRegistriesConf(text), `quay.io/openshift-release-dev/ocp-v4.0-art-dev@${D}`);
  assert.deepEqual(
    r.attempts.map((a) => [a.reference, a.refused !== undefined]),
    [
      [`mirror.example.com:5000/ocp4/ocp-v4.0-art-dev@${D}`, false],
      [`quay.io/openshift-release-dev/ocp-v4.0-art-dev@${D}`, true],
    ],
  );
});

function invalidInput(pattern: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof FerryError, String(e));
    assert.equal(e.code, 'INVALID_INPUT');
    assert.equal(e.exitCode, 2);
    assert.match(e.message, pattern);
    return true;
  };
}

test('parse errors: TOML syntax with line and column', () => {
  assert.throws(
    () => parseRegistriesConf('unqualified-search-registries = ["a.io"]\n[[registry]\nlocation = "x"\n', 'bad.conf'),
    (e: unknown) => {
      invalidInput(/^bad\.conf: TOML syntax error at line 2, column \d+/)(e);
      assert.equal((e as FerryError).details?.line, 2);
      return true;
    },
  );
});

test('parse errors: semantic checks containers/image makes when loading', () => {
  const cases: Array<[string, RegExp]> = [
    ['[[registry]]\nlocation = "https://a.io"\n', /URI scheme/],
    ['[[registry]]\nlocation = "a.io"\n[[registry.mirror]]\nlocation = "m.io"\npull-from-mirror = "sometimes"\n', /pull-from-mirror is "sometimes"/],
    ['[[registry]]\nlocation = "a.io"\nmirror-by-digest-only = true\n[[registry.mirror]]\nlocation = "m.io"\npull-from-mirror = "all"\n', /mirror-by-digest-only/],
    ['[[registry]]\nprefix = "*.a.io/ns"\nlocation = "b.io"\n', /wildcard prefix/],
    ['[[registry]]\nprefix = "a.io"\n', /no location/],
    ['[[registry]]\ninsecure = true\n', /neither location nor prefix/],
    ['[[registry]]\nlocation = "a.io"\n[[registry.mirror]]\ninsecure = true\n', /has no location/],
    ['[[registry]]\nlocation = "a.io"\nblocked = true\n[[registry]]\nprefix = "b.io"\nlocation = "a.io"\n', /conflicting "blocked"/],
    ['[[registry]]\nlocation = "a.io"\ninsecure = "yes"\n', /insecure must be true or false/],
    ['[registries.search]\nregistries = ["a.io"]\n', /v1 format/],
  ];
  for (const [text, pattern] of cases) assert.throws(() => parseRegistriesConf(text), invalidInput(pattern), text);
});

test('unknown keys are reported (containers/image silently ignores them)', () => {
  const conf = parseRegistriesConf('[[registry]]\nlocation = "a.io"\nmirror-by-digest-onyl = true\n[[registry.mirror]]\nlocation = "m.io"\n');
  assert.deepEqual(conf.unknownKeys, ['registry[0].mirror-by-digest-onyl']);
  // …and, as on a node, the typo means the mirror is used for tags too.
  assert.equal(resolvePull(conf, 'a.io/x:1').attempts[0]!.reference, 'm.io/x:1');
});
