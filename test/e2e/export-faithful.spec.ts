import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, type FerryApp } from './support/fixtures';
import { FULL_JOURNEYS_PENDING, FULL_JOURNEYS_READY } from './support/world-info';

/**
 * The export screens with a release the size of a real one (the faithful fixture: 183 components) plus
 * the extra images: the plan grouped and searchable with its picture of the volumes, the live transfer,
 * verify and done. Every step is shot in light and dark and checked with axe in both. The picture's
 * volume files are compared with the transfer.json the job wrote.
 */

/** Light, then the same screen dark (prefers-color-scheme), each with a screenshot and an axe check. */
async function inBothThemes(app: FerryApp, page: Page, name: string): Promise<void> {
  await app.checkpoint(name);
  await page.emulateMedia({ colorScheme: 'dark' });
  await app.checkpoint(`${name}-dark`);
  await page.emulateMedia({ colorScheme: 'light' });
}

/** Every "a / b (p%)" a progress bar shows: p never above 100, and the same for every volume bar. */
async function expectNoFigureAboveTotal(page: Page): Promise<void> {
  const labels = await page.locator('.progress .label .muted').allTextContents();
  expect(labels.length).toBeGreaterThan(0);
  for (const text of labels) {
    const pct = /\((\d+)%\)/.exec(text);
    expect(pct, text).not.toBeNull();
    expect(Number(pct![1]), text).toBeLessThanOrEqual(100);
  }
}

/**
 * For the report, not asserted: in the page, when the plan's answer arrives over the WebSocket and when
 * the three volume files of the re-plan are on screen (grouping, picture and tables rendered).
 */
function timePlanRendering(): void {
  const w = window as unknown as { __planAt?: number; __shownAt?: number };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      this.addEventListener('message', (e: MessageEvent) => {
        if (typeof e.data === 'string' && e.data.includes('"freeBytes"')) w.__planAt = performance.now();
      });
    }
  };
  new MutationObserver(() => {
    if (w.__planAt !== undefined && w.__shownAt === undefined && document.querySelectorAll('[data-volume]').length === 3) w.__shownAt = performance.now();
  }).observe(document, { childList: true, subtree: true });
}

test('a real-size release: grouped plan and its picture, live transfer, verify, done — light and dark', async ({ app, page, world }) => {
  test.fixme(!FULL_JOURNEYS_READY || !world.faithful, FULL_JOURNEYS_PENDING);
  test.setTimeout(600_000);
  const release = world.faithful!;
  const toDir = join(world.workDir, 'export-faithful');
  await page.addInitScript(timePlanRendering);

  await app.startExport(world);

  await page.getByRole('textbox', { name: 'Release pullspec' }).fill(release.pullspec);
  await page.getByRole('textbox', { name: 'Extra image references' }).fill(world.images.join('\n'));
  await page.getByRole('button', { name: 'Look up release' }).click();
  await expect(page.getByText(release.digest)).toBeVisible({ timeout: 120_000 });
  await inBothThemes(app, page, '01-release');
  await page.getByRole('button', { name: /Next: Operators/ }).click();
  await page.getByRole('button', { name: /Next: Plan/ }).click();

  // First with the default volume size, to learn the transfer's size; then with volumes of about a third.
  await page.getByRole('textbox', { name: 'Target directory' }).fill(toDir);
  await page.getByRole('button', { name: 'Make the plan' }).click();
  const releaseGroup = page.locator('details[data-group="release"]');
  await expect(releaseGroup.locator('> summary')).toContainText(`${1 + release.componentCount} image(s)`, { timeout: 120_000 });
  const volumeTable = page.getByRole('table', { name: 'Volume files by group' });
  const oneVolume = Number(await volumeTable.locator('[data-bytes]').first().getAttribute('data-bytes'));
  // Two and a half volumes of content: three files, whatever the per-volume tar overhead and split parts add.
  const volumeSize = `${Math.ceil(oneVolume / 2.5 / 1024)}KiB`;
  await page.getByRole('textbox', { name: 'Volume size' }).fill(volumeSize);

  const started = Date.now();
  await page.evaluate(() => {
    const w = window as unknown as { __planAt?: number; __shownAt?: number };
    w.__planAt = w.__shownAt = undefined;
  });
  await page.getByRole('button', { name: 'Make the plan' }).click();
  await expect(volumeTable.getByRole('row')).toHaveCount(1 + 3, { timeout: 120_000 });
  // Measured for the report (CI machines vary too much to assert a time): the click to the plan on screen, planning included, and the rendering alone.
  const rendered = await page.evaluate(() => {
    const w = window as unknown as { __planAt?: number; __shownAt?: number };
    return w.__planAt !== undefined && w.__shownAt !== undefined ? w.__shownAt - w.__planAt : undefined;
  });
  test.info().annotations.push({ type: 'plan-click-to-screen-ms', description: String(Date.now() - started) }, { type: 'plan-answer-to-screen-ms', description: String(rendered) });

  await expect(releaseGroup.locator('> summary')).toContainText(`${1 + release.componentCount} image(s)`);
  await expect(page.locator('details[data-group="extra"] > summary')).toContainText(`${world.images.length} image(s)`);
  // The release is folded: its 184 rows are not on screen until opened.
  await expect(releaseGroup).not.toHaveAttribute('open', '');
  const picture = page.getByRole('img', { name: 'Where the bytes go' });
  await expect(picture).toBeVisible();
  await expect(picture.locator('[data-volume]')).toHaveCount(3);
  const planned = await volumeTable.locator('tbody tr').evaluateAll((rows) =>
    rows.map((r) => ({ name: r.querySelector('td')!.textContent!, size: Number(r.querySelector('[data-bytes]')!.getAttribute('data-bytes')) })),
  );
  await inBothThemes(app, page, '02-plan');

  // Search opens the release group on the one component asked for.
  await page.getByRole('searchbox', { name: 'Find an image' }).fill('cluster-version-operator');
  await expect(releaseGroup).toHaveAttribute('open', '');
  await expect(releaseGroup.locator('> summary')).toContainText('1 match(es)');
  await expect(releaseGroup.getByRole('table').locator('tbody tr')).toHaveCount(1);
  await expect(releaseGroup.getByRole('table')).toContainText('cluster-version-operator');
  await inBothThemes(app, page, '03-plan-search');
  await page.getByRole('button', { name: /Next: Transfer/ }).click();

  await page.getByRole('button', { name: 'Start transfer' }).click();
  const job = page.getByRole('group', { name: /^Job / });
  // While it runs: the overall bar, and the volume files filling.
  await expect(job.getByRole('group', { name: 'Volume files' })).toBeVisible({ timeout: 120_000 });
  // Likely still running (the write takes some seconds): the live view as the operator watches it.
  await app.shot('04-transfer-live');
  await expect(job.getByText('succeeded', { exact: true })).toBeVisible({ timeout: 300_000 });
  await expect(job.getByTestId('job-summary')).toHaveText(/^Finished after \d+(s|m \d\ds)(: .+ at .+\/s on average)?\.$/);
  for (const v of planned) await expect(job.getByRole('progressbar', { name: `Volume ${v.name}` })).toHaveAttribute('value', String(v.size));
  await expectNoFigureAboveTotal(page);
  await inBothThemes(app, page, '04-transfer');

  // The picture was the media: the volume files written are the ones planned, byte for byte.
  const written = JSON.parse(await readFile(join(toDir, 'transfer.json'), 'utf8')) as { volumes: Array<{ name: string; size: number }> };
  expect(written.volumes.map((v) => ({ name: v.name, size: v.size }))).toEqual(planned);

  await page.getByRole('button', { name: /Next: Verify/ }).click();
  await page.getByRole('button', { name: 'Verify the media' }).click();
  // Until the app signs what it writes (issue 20, item 1) verify refuses the unsigned transfer.json, and
  // says so; once it signs, everything checks out. Any other outcome fails here.
  await expect(page.getByText('The media: everything checked out.').or(page.getByText(/transfer\.json in .* is not signed \(no transfer\.json\.sig\)/)).first()).toBeVisible({ timeout: 300_000 });
  await inBothThemes(app, page, '05-verify');
  await page.getByRole('button', { name: /Next: Done/ }).click();

  const carry = page.getByRole('table', { name: /Files to carry/ });
  for (const v of planned) await expect(carry).toContainText(v.name);
  await inBothThemes(app, page, '06-done');
});
