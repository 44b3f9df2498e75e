import { join } from 'node:path';
import { ferry } from '../support/cli';
import { test, expect } from './support/fixtures';
import { FULL_JOURNEYS_PENDING, FULL_JOURNEYS_READY } from './support/world-info';

test('full export journey: pull secret, CA, release, plan, transfer to a directory, verify, done', async ({ app, page, world }) => {
  test.fixme(!FULL_JOURNEYS_READY, FULL_JOURNEYS_PENDING);
  test.setTimeout(600_000);
  const release = world.release!;
  const toDir = join(world.workDir, 'export-journey');

  await app.startExport(world);
  await app.checkpoint('journey-01-trust');

  await page.getByRole('textbox', { name: 'Release pullspec' }).fill(release.pullspec);
  await page.getByRole('textbox', { name: 'Extra image references' }).fill(world.images.join('\n'));
  await page.getByRole('button', { name: 'Look up release' }).click();
  await expect(page.getByText(release.digest)).toBeVisible();
  await app.checkpoint('journey-02-release');
  await page.getByRole('button', { name: /Next: Operators/ }).click();
  await page.getByRole('button', { name: /Next: Plan/ }).click();

  await page.getByRole('textbox', { name: 'Target directory' }).fill(toDir);
  await page.getByRole('button', { name: 'Make the plan' }).click();
  await expect(page.getByText(/^Fits: \d+ volume\(s\)/)).toBeVisible();
  await expect(page.locator('details[data-group="release"] > summary')).toContainText(`${1 + release.componentCount} image(s)`);
  await expect(page.locator('details[data-group="extra"] > summary')).toContainText(`${world.images.length} image(s)`);
  await app.checkpoint('journey-03-plan');
  await page.getByRole('button', { name: /Next: Transfer/ }).click();

  await page.getByRole('button', { name: 'Start transfer' }).click();
  await expect(page.getByRole('group', { name: /^Job / }).getByText('succeeded', { exact: true })).toBeVisible({ timeout: 300_000 });
  await app.checkpoint('journey-04-transfer');
  await page.getByRole('button', { name: /Next: Verify/ }).click();

  await page.getByRole('button', { name: 'Verify the media' }).click();
  await expect(page.getByText('The media: everything checked out.')).toBeVisible({ timeout: 300_000 });
  await app.checkpoint('journey-05-verify');
  await page.getByRole('button', { name: /Next: Done/ }).click();

  // Signed with the app's key: Done shows its fingerprint, the one `ferry verify --trust` prints for these media.
  const shown = page.getByTestId('signing-fingerprint');
  await expect(shown).toHaveText(/^([0-9A-F]{4} ){7}[0-9A-F]{4}$/);
  await expect(page.getByTestId('transfer-fingerprint')).toHaveCount(0);
  await expect(page.getByRole('table', { name: /Files to carry/ })).toContainText('ferry-000001.tar');
  await app.checkpoint('journey-06-done');
  const fingerprint = (await shown.textContent())!;
  const trusted = await ferry(['verify', '--dir', toDir, '--trust', fingerprint]);
  expect(trusted.code, trusted.stdout + trusted.stderr).toBe(0);
  expect(trusted.stdout).toContain(`signing key fingerprint: ${fingerprint}`);
  const stranger = await ferry(['verify', '--dir', toDir, '--trust', fingerprint.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))]);
  expect(stranger.code).toBe(1);
  expect(stranger.stdout).toMatch(/signed by an unknown key/);
});
