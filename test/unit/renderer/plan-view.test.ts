import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { PlanGroups } from '../../../renderer/src/components/PlanGroups';
import { PlanPicture } from '../../../renderer/src/components/PlanPicture';
import { GROUP_KINDS, groupPlan, matchesQuery, shortReference, volumeFills, type GroupKind, type Plan, type PlanImage } from '../../../renderer/src/plan-groups';

/**
 * The export plan as the Plan step shows it: a release of 183 components (the size of a real 4.16
 * payload), a cosign signature beside an extra image, two volume files. Written-per-volume figures
 * are as plan.export returns them (engine: media/plan.ts ownerBytes).
 */
const MiB = 1024 * 1024;
const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

function faithfulPlan(): Plan {
  const images: PlanImage[] = [{ source: 'quay.io/openshift-release-dev/ocp-release:4.16.3-x86_64', role: 'release', digest: digest(1), bytes: 5 * MiB, written: [{ volume: 'ferry-000001.tar', bytes: 5 * MiB }] }];
  for (let i = 0; i < 183; i++) {
    const d = digest(100 + i);
    // The first 100 land in volume 1, the rest in volume 2; every component shares a 1 MiB base layer written once.
    images.push({ source: `quay.io/openshift-release-dev/ocp-v4.0-art-dev@${d}`, role: 'component', digest: d, bytes: 3 * MiB, components: [`component-${i}`], written: [{ volume: i < 100 ? 'ferry-000001.tar' : 'ferry-000002.tar', bytes: 2 * MiB }] });
  }
  images.push({ source: `registry.example.com/tools/debug@${digest(2)}`, role: 'extra', digest: digest(2), bytes: 4 * MiB, written: [{ volume: 'ferry-000002.tar', bytes: 4 * MiB }] });
  images.push({ source: `registry.example.com/tools/debug:sha256-${digest(2).slice(7)}.sig`, role: 'extra', digest: digest(3), bytes: 1024, signatureArtifact: true, written: [{ volume: 'ferry-000002.tar', bytes: 1024 }] });
  return {
    images,
    totalBytes: images.reduce((n, i) => n + i.bytes, 0),
    uniqueBytes: images.reduce((n, i) => n + i.written.reduce((m, w) => m + w.bytes, 0), 0),
    volumes: { count: 2, volumeSize: 256 * MiB, bytes: 480 * MiB, files: [{ name: 'ferry-000001.tar', size: 206 * MiB }, { name: 'ferry-000002.tar', size: 172 * MiB }] },
    freeBytes: 10 * 1024 * MiB,
    fits: true,
  };
}

test('a 183-component release groups into the release, extra images and signature artifacts, with totals per group', () => {
  const plan = faithfulPlan();
  const groups = groupPlan(plan.images);
  assert.deepEqual(
    groups.map((g) => [g.kind.id, g.images.length]),
    [['signatures', 1], ['release', 184], ['extra', 1]],
  );
  const release = groups.find((g) => g.kind.id === 'release')!;
  assert.equal(release.bytes, 5 * MiB + 183 * 3 * MiB);
  assert.equal(release.uniqueBytes, 5 * MiB + 183 * 2 * MiB);
  assert.deepEqual([...release.perVolume], [['ferry-000001.tar', 205 * MiB], ['ferry-000002.tar', 166 * MiB]]);
  assert.equal(groups.reduce((n, g) => n + g.uniqueBytes, 0), plan.uniqueBytes, 'the groups share out every written byte once');
});

test('a new kind of content is one more group kind; an image no kind takes is an error, not silently dropped', () => {
  const plan = faithfulPlan();
  const catalog: GroupKind = { id: 'catalog', title: 'Operator catalog', color: '--chart-2', collapsed: true, matches: (i) => i.source.includes('/tools/') && !i.signatureArtifact };
  const groups = groupPlan(plan.images, [GROUP_KINDS[0]!, catalog, ...GROUP_KINDS.slice(1)]);
  assert.deepEqual(groups.map((g) => g.kind.id), ['signatures', 'catalog', 'release']);
  assert.throws(() => groupPlan(plan.images, [GROUP_KINDS[1]!]), /No plan group takes registry\.example\.com\/tools\/debug/);
});

test('search finds images by component name, repository or digest, every term required', () => {
  const [, etcd] = faithfulPlan().images;
  assert.ok(matchesQuery(etcd!, 'COMPONENT-0'));
  assert.ok(matchesQuery(etcd!, 'art-dev component-0'));
  assert.ok(matchesQuery(etcd!, etcd!.digest.slice(7, 20)));
  assert.ok(!matchesQuery(etcd!, 'art-dev installer'));
  assert.ok(matchesQuery(etcd!, '  '));
});

test('each volume file is split by group, the rest of it is headers and index, and the parts add up to the file', () => {
  const plan = faithfulPlan();
  const fills = volumeFills(plan, groupPlan(plan.images));
  assert.deepEqual(
    fills.map((f) => [f.name, f.groups.map((g) => `${g.id}=${g.bytes / MiB}`).join(' '), f.overhead / MiB, f.capacity / MiB]),
    [
      ['ferry-000001.tar', 'signatures=0 release=205 extra=0', 1, 256],
      ['ferry-000002.tar', `signatures=${1024 / MiB} release=166 extra=4`, 172 - 170 - 1024 / MiB, 256],
    ],
  );
  for (const f of fills) assert.equal(f.groups.reduce((n, g) => n + g.bytes, 0) + f.overhead, f.size);
});

test('digests shorten inside references; tags stay whole', () => {
  assert.equal(shortReference(`quay.io/a/b@${digest(255)}`), 'quay.io/a/b@sha256:000000000000…');
  assert.equal(shortReference('quay.io/a/b:4.16'), 'quay.io/a/b:4.16');
});

test('the plan renders grouped (release folded) and its picture draws every volume against the volume size, with a text equivalent', () => {
  const plan = faithfulPlan();
  const groups = groupPlan(plan.images);
  const picture = renderToStaticMarkup(createElement(PlanPicture, { plan, groups, target: '/media/usb' }));
  assert.match(picture, /<svg[^>]*role="img"[^>]*aria-labelledby="[^"]+ [^"]+"/);
  assert.match(picture, /<title id="[^"]+">Where the bytes go<\/title>/);
  assert.match(picture, /<desc[^>]*>480.0 MiB needed of 10.0 GiB free on the target \(5%\), in 2 volume file\(s\) of up to 256.0 MiB\./);
  assert.equal((picture.match(/data-volume="/g) ?? []).length, 2);
  assert.match(picture, /206.0 MiB of 256.0 MiB \(80%\)/);
  // The table says what the bars show.
  assert.match(picture, /<caption>Volume files by group<\/caption>/);
  assert.match(picture, /<span data-bytes="216006656">206.0 MiB<\/span>/);
  const list = renderToStaticMarkup(createElement(PlanGroups, { groups }));
  assert.equal((list.match(/<details /g) ?? []).length, 3);
  const opened = (group: string) => / open=""/.test(list.match(new RegExp(`<details[^>]*data-group="${group}"[^>]*>`))![0]);
  assert.deepEqual([opened('release'), opened('signatures'), opened('extra')], [false, false, true]);
  assert.match(list, /184 image\(s\), 554.0 MiB, 371.0 MiB new on the media/);
  // Folded or not, a group draws at most a page of rows until asked for more.
  assert.match(list, /Show 84 more of 84/);
  assert.ok(!list.replace(/<[^>]*>/g, ' ').includes(digest(100)), 'full digests are not in the text (only in a hover title)');
});
