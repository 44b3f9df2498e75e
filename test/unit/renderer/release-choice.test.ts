import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { listReleases, parseUpdateGraph } from '../../../shared/update-graph';
import { releaseOptionLabel, risksOfChoice, type ListedRelease } from '../../../renderer/src/release-choice';

// What the release.list handler answers for the recorded graph (electron/host/handlers/release.ts).
const releases: ListedRelease[] = listReleases(parseUpdateGraph(readFileSync(new URL('../../fixtures/update-graph/candidate-4.15-amd64.json', import.meta.url), 'utf8'), 'fixture')).map((r) => ({
  version: r.version,
  pullspec: r.payload,
  conditionalOnly: r.conditionalOnly,
  risks: r.risks,
}));
const byVersion = (v: string) => releases.find((r) => r.version === v)!;

test('the picker marks a version reached only conditionally with its risk names', () => {
  assert.equal(releaseOptionLabel(byVersion('4.15.5')), '4.15.5 — conditional update only (risk: AzureDefaultVMTypeChange, ImageRegistryPodsCrashLoop)');
  assert.equal(releaseOptionLabel(byVersion('4.15.3')), '4.15.3');
  // Reachable both ways: listed plainly, its conditional risks shown once chosen.
  assert.equal(releaseOptionLabel(byVersion('4.15.10')), '4.15.10');
});

test('choosing a version with conditional updates shows each risk with its message and link', () => {
  const chosen = risksOfChoice(releases, byVersion('4.15.10').pullspec);
  assert.ok(chosen);
  assert.deepEqual(chosen.risks.map((r) => r.name), ['OVNEgressFirewallDNSStale']);
  assert.match(chosen.risks[0]!.message, /EgressFirewall/);
  assert.equal(chosen.risks[0]!.url, 'https://issues.redhat.com/browse/OCPBUGS-29213');
  assert.equal(risksOfChoice(releases, byVersion('4.15.4').pullspec), undefined);
  assert.equal(risksOfChoice(releases, 'quay.io/x/y:typed-by-hand'), undefined);
});
