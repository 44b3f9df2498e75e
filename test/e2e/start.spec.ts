import { test, expect } from './support/fixtures';

test('start screen offers both journeys and the job history', async ({ app, page }) => {
  await app.open('#/');
  await expect(page.getByRole('heading', { level: 1, name: 'What are you doing today?' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Export — connected side' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Import — disconnected side' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Start the export journey' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Start the import journey' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Recent jobs' })).toBeVisible();
  // The history answers (empty or not) rather than spinning forever.
  await expect(page.getByText('Loading jobs…')).toHaveCount(0);
  await app.checkpoint('start');
});

test('journeys are reachable by keyboard and land with focus on the step heading', async ({ app, page }) => {
  await app.open('#/');
  const start = page.getByRole('link', { name: 'Start the export journey' });
  for (let i = 0; i < 10 && !(await start.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(start).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#\/export\/credentials$/);
  await expect(page.getByRole('heading', { level: 1, name: /Export: Credentials/ })).toBeFocused();
  await expect(page.getByRole('navigation', { name: 'Export steps' }).getByRole('button', { name: 'Credentials' })).toHaveAttribute('aria-current', 'step');
});

test('a journey left half-way is resumed where it was', async ({ app, page }) => {
  await app.open('#/import/target');
  await expect(page.getByRole('heading', { level: 1, name: /Import: Target registry/ })).toBeVisible();
  await page.getByRole('link', { name: 'Ferry', exact: true }).click();
  await page.getByRole('link', { name: /Resume at “Target registry” the import journey/ }).click();
  await expect(page).toHaveURL(/#\/import\/target$/);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: /Import: Target registry/ })).toBeVisible();
});

test('job history screen', async ({ app, page }) => {
  await app.open('#/');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Jobs' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Jobs' })).toBeVisible();
  await expect(page.getByText('Loading jobs…')).toHaveCount(0);
  await app.checkpoint('jobs');
});
