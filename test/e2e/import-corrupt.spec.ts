import { join } from 'node:path';
import { fixtureContent, writeFixture } from '../unit/media/fixtures';
import { flipByte } from '../support/bytes';
import { test, expect } from './support/fixtures';
import { missing } from './support/world-info';

/** Flips one byte in the middle of a volume: its sha256 no longer matches and a blob inside is damaged. */
test('import: a corrupted volume fails verification, is named in the report, and blocks the push', async ({ app, page, world }) => {
  const why = missing(world, ['jobs.start', 'jobs.get']);
  test.fixme(!!why, why);
  // Real media from the engine's writer (the same code a mirror job uses), then damaged.
  const dir = join(world.workDir, 'corrupt-media');
  const content = fixtureContent({ shared: 20_000, big: 300_000, medium: 90_000, small: 40_000 }, 'e2e-corrupt');
  await writeFixture(dir, content, { volumeSize: 128 * 1024 });
  await flipByte(join(dir, 'ferry-000001.tar'));

  await app.open('#/import/media');
  await page.getByRole('textbox', { name: 'Transfer directory' }).fill(dir);
  await app.checkpoint('01-media');
  await page.getByRole('button', { name: /Next: Verify media/ }).click();
  // The fixture is unsigned: accept that explicitly so the verification goes on to the volumes.
  await page.getByRole('checkbox', { name: /although they are not signed/ }).check();
  await page.getByRole('button', { name: 'Verify the media' }).click();
  await expect(page.getByRole('group', { name: /^Job / }).getByText('failed', { exact: true })).toBeVisible({ timeout: 120_000 });
  await expect(page.getByText(/The media: \d+ problem\(s\) found\./)).toBeVisible();
  const problems = page.getByRole('table', { name: 'Problems' });
  await expect(problems).toContainText('ferry-000001.tar');
  // Every problem names the images that need the damaged volume, in words and without raw count keys.
  await expect(problems.getByRole('cell', { name: content.images[0]!.source }).first()).toBeVisible();
  await expect(page.getByText(/Checked .*blob digest\(s\) checked/)).toBeVisible();
  await expect(page.getByText(/blobsVerified|parentBlobs/)).toHaveCount(0);
  await expect(problems.getByRole('button', { name: /^Copy the blob digest sha256:[0-9a-f]{12}…$/ }).first()).toBeVisible();
  await expect(page.getByRole('button', { name: /Next: Registry node/ })).toBeDisabled();
  await expect(page.getByText('The media failed verification: copy the named volumes again, then verify again.')).toBeVisible();
  await app.checkpoint('02-verify-failed');

  // Reached another way (the stepper, a link), the push stays blocked.
  await app.open('#/import/push');
  await expect(page.getByText('The media failed verification; pushing is blocked.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Start push' })).toBeDisabled();
  await app.checkpoint('04-push-blocked');
});
