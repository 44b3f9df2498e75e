import { test } from 'node:test';
import assert from 'node:assert/strict';
import { policyJson } from '../../../shared/config/policy-json';
import { SEED002_POLICY_JSON } from './seed-examples';

test('allowed list: reject by default, insecureAcceptAnything per allowed scope (seed 002 example 9.1)', () => {
  const out = policyJson({
    allowedRegistries: ['example.com', 'quay.io', 'registry.redhat.io', 'insecure.com', 'reg4.io/myrepo/myapp:latest', 'image-registry.openshift-image-registry.svc:5000'],
    insecureRegistries: ['insecure.com'],
  });
  const parsed = JSON.parse(out.text);
  const seed = JSON.parse(SEED002_POLICY_JSON);
  assert.deepEqual(parsed.default, [{ type: 'reject' }]);
  assert.deepEqual(Object.keys(parsed.transports).sort(), ['atomic', 'docker', 'docker-daemon']);
  assert.deepEqual(parsed.transports.docker, seed.transports.docker);
  assert.deepEqual(parsed.transports.atomic, seed.transports.atomic);
  assert.deepEqual(parsed.transports['docker-daemon'], { '': [{ type: 'insecureAcceptAnything' }] });
  assert.deepEqual(parsed, seed);
  assert.deepEqual(parsed, out.object);
});

test('blocked list: accept by default, reject per blocked scope', () => {
  const parsed = JSON.parse(policyJson({ blockedRegistries: ['untrusted.com', 'reg1.io/myrepo/myapp:latest'] }).text);
  assert.deepEqual(parsed.default, [{ type: 'insecureAcceptAnything' }]);
  assert.deepEqual(parsed.transports.docker, {
    'reg1.io/myrepo/myapp:latest': [{ type: 'reject' }],
    'untrusted.com': [{ type: 'reject' }],
  });
  assert.deepEqual(parsed.transports.atomic, parsed.transports.docker);
});

test('no lists: the MCO default policy', () => {
  assert.deepEqual(JSON.parse(policyJson({ insecureRegistries: ['insecure.com'] }).text), {
    default: [{ type: 'insecureAcceptAnything' }],
    transports: { 'docker-daemon': { '': [{ type: 'insecureAcceptAnything' }] } },
  });
});
