import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { registriesConf } from '../../../shared/config/registries-conf';
import { parseRegistriesConf } from '../../../shared/config/resolve';
import type { MirrorMapping } from '../../../shared/mirror-mapping';
import {
  SEED002_BLOCKED_CONF,
  SEED002_ICSP,
  SEED002_INSECURE_CONF,
  SEED002_PAYLOAD_BLOCKED_CONF,
  SEED002_PAYLOAD_ICSP,
  SEED002_PAYLOAD_MIRRORED_CONF,
  SEED002_REGISTRIES_CONF,
  SEED002_SEARCH_CONF,
  SEED003_ICSP,
  SEED003_REGISTRIES_CONF,
} from './seed-examples';

/** smol-toml builds null-prototype objects; compare as plain data. */
function parseToml(text: string): Record<string, unknown> {
  return JSON.parse(JSON.stringify(parse(text))) as Record<string, unknown>;
}

function icspMappings(seedYaml: string): MirrorMapping[] {
  return (parseYaml(seedYaml) as { spec: { repositoryDigestMirrors: MirrorMapping[] } }).spec.repositoryDigestMirrors;
}

test('seed 002: ICSP ubi8repo gives the node file of seed 002 (sorted by source, digest-only)', () => {
  const out = registriesConf({ legacyDigestMirrors: icspMappings(SEED002_ICSP) });
  const parsed = parseToml(out.text);
  const seed = parseToml(SEED002_REGISTRIES_CONF);
  assert.deepEqual(parsed['unqualified-search-registries'], ['registry.access.redhat.com', 'docker.io']);
  assert.equal(parsed['short-name-mode'], '');
  assert.deepEqual(parsed.registry, seed.registry);
  assert.deepEqual(parsed, seed);
  assert.deepEqual(parsed, out.object);
  assert.equal(out.text, SEED002_REGISTRIES_CONF, 'laid out like the node file');
});

test('seed 003: ICSP mirror-ocp gives the node file of seed 003', () => {
  const out = registriesConf({ legacyDigestMirrors: icspMappings(SEED003_ICSP) });
  const parsed = parseToml(out.text);
  const seed = parseToml(SEED003_REGISTRIES_CONF);
  assert.deepEqual(parsed.registry, seed.registry);
  assert.deepEqual(parsed['unqualified-search-registries'], seed['unqualified-search-registries']);
  const first = (parsed.registry as Array<Record<string, unknown>>)[0]!;
  assert.equal(first.prefix, '');
  assert.equal(first.location, 'quay.io/openshift-release-dev/ocp-release');
  assert.equal(first['mirror-by-digest-only'], true);
  assert.deepEqual(first.mirror, [{ location: 'mirror.registry.com:443/ocp/release' }]);
});

test('IDMS entries render like ICSP; NeverContactSource blocks the source', () => {
  const idms = icspMappings(SEED002_PAYLOAD_ICSP);
  assert.deepEqual(parseToml(registriesConf({ digestMirrors: idms }).text).registry, parseToml(SEED002_PAYLOAD_MIRRORED_CONF).registry);
  const never = registriesConf({ digestMirrors: idms.map((m) => ({ ...m, mirrorSourcePolicy: 'NeverContactSource' as const })) });
  assert.deepEqual(parseToml(never.text).registry, parseToml(SEED002_PAYLOAD_BLOCKED_CONF).registry);
});

test('seed 002: blocking the mirrored payload registry adds blocked = true to its entry', () => {
  const out = registriesConf({ legacyDigestMirrors: icspMappings(SEED002_PAYLOAD_ICSP), registrySources: { blockedRegistries: ['quay.io/openshift-payload'] } });
  assert.deepEqual(parseToml(out.text).registry, parseToml(SEED002_PAYLOAD_BLOCKED_CONF).registry);
});

test('seed 002: blocked and insecure registries', () => {
  assert.deepEqual(parseToml(registriesConf({ registrySources: { blockedRegistries: ['untrusted.com'] } }).text), {
    ...parseToml(SEED002_BLOCKED_CONF),
    'short-name-mode': '',
  });
  assert.deepEqual(parseToml(registriesConf({ registrySources: { insecureRegistries: ['insecure.com'] } }).text), {
    ...parseToml(SEED002_INSECURE_CONF),
    'short-name-mode': '',
  });
});

test('seed 002: containerRuntimeSearchRegistries become the unqualified-search-registries', () => {
  const parsed = parseToml(registriesConf({ registrySources: { containerRuntimeSearchRegistries: ['reg1.io', 'reg2.io', 'reg3.io'] } }).text);
  assert.deepEqual(parsed['unqualified-search-registries'], parseToml(SEED002_SEARCH_CONF)['unqualified-search-registries']);
  assert.ok(!('registry' in parsed), 'no [[registry]] tables');
});

test('digest and tag mirrors for one source: per-mirror pull-from-mirror, no registry-wide flag', () => {
  const m = { source: 'registry.example.com/team', mirrors: ['mirror.example.com/team'] };
  const parsed = parseToml(registriesConf({ digestMirrors: [m], tagMirrors: [{ source: m.source, mirrors: ['fresh.example.com/team'] }] }).text);
  assert.deepEqual(parsed.registry, [
    {
      prefix: '',
      location: 'registry.example.com/team',
      mirror: [
        { location: 'mirror.example.com/team', 'pull-from-mirror': 'digest-only' },
        { location: 'fresh.example.com/team', 'pull-from-mirror': 'tag-only' },
      ],
    },
  ]);
});

test('insecure scope marks matching mirrors; blocked scope nested in a mirrored one inherits its mirrors', () => {
  const out = registriesConf({
    digestMirrors: [{ source: 'quay.io/openshift-release-dev', mirrors: ['mirror.example.com:5000/ocp4'] }],
    registrySources: { insecureRegistries: ['mirror.example.com:5000'], blockedRegistries: ['quay.io/openshift-release-dev/ocp-release'] },
  });
  const parsed = parseToml(out.text);
  assert.deepEqual(parsed.registry, [
    { prefix: '', location: 'quay.io/openshift-release-dev', 'mirror-by-digest-only': true, mirror: [{ location: 'mirror.example.com:5000/ocp4', insecure: true }] },
    {
      prefix: '',
      location: 'quay.io/openshift-release-dev/ocp-release',
      blocked: true,
      'mirror-by-digest-only': true,
      mirror: [{ location: 'mirror.example.com:5000/ocp4/ocp-release', insecure: true }],
    },
    { prefix: '', location: 'mirror.example.com:5000', insecure: true },
  ]);
  // And containers/image's own load-time checks accept it.
  assert.equal(parseRegistriesConf(out.text).registries.length, 3);
});

test('a wildcard blocked scope is a prefix-only entry', () => {
  const parsed = parseToml(registriesConf({ registrySources: { blockedRegistries: ['*.blocked.example.com'] } }).text);
  assert.deepEqual(parsed.registry, [{ prefix: '*.blocked.example.com', blocked: true }]);
});
