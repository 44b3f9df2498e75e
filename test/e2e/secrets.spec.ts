import { readFile } from 'node:fs/promises';
import { test, expect } from './support/fixtures';
import { missing } from './support/world-info';

/**
 * Secrets typed into the UI go to the privileged side once and never come back: not in any WebSocket
 * frame the page receives, not in the page's storage.
 */
test('no typed secret comes back in WebSocket frames or is kept in browser storage', async ({ app, page, world, framesReceived }) => {
  const why = missing(world, ['pullSecret.validate', 'secrets.save', 'pullSecret.addCredential']);
  test.fixme(!!why, why);
  const pullSecret = await readFile(world.authfile, 'utf8');
  const secrets = [
    world.mirror.password,
    world.source.password,
    Buffer.from(`${world.mirror.username}:${world.mirror.password}`).toString('base64'),
    Buffer.from(`${world.source.username}:${world.source.password}`).toString('base64'),
  ];

  // Export: paste the pull secret (it holds both registries' credentials), save it, add mirror credentials.
  await app.open('#/export/credentials');
  await page.getByRole('textbox', { name: 'Pull secret (JSON)' }).fill(pullSecret);
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await page.getByRole('button', { name: 'Save pull secret' }).click();
  await expect(page.getByText('Pull secret saved as “pull-secret”')).toBeVisible();
  await page.getByRole('textbox', { name: 'Registry', exact: true }).fill(`${world.mirror.host}/ocp4`);
  await page.getByRole('textbox', { name: 'Username' }).fill(world.mirror.username);
  await page.getByLabel('Password or token').fill(world.mirror.password);
  await page.getByRole('button', { name: 'Add to pull secret' }).click();
  await expect(page.getByText(`Credentials for ${world.mirror.host}/ocp4 added.`)).toBeVisible();

  // Import: the mirror password goes to the secret store; a connection test uses it by name.
  await app.open('#/import/target');
  await page.getByRole('textbox', { name: 'Mirror location' }).fill(`${world.mirror.host}/ocp4`);
  await page.getByRole('textbox', { name: 'Mirror username' }).fill(world.mirror.username);
  await page.getByLabel('Mirror password or token').fill(world.mirror.password);
  await page.getByRole('button', { name: 'Save credentials' }).click();
  await expect(page.getByText(`Credentials saved as “registry:${world.mirror.host}”.`)).toBeVisible();
  if (!missing(world, ['ca.inspect', 'registry.testConnection'])) {
    await page.locator('input[type=file]').setInputFiles(world.ca.certPath);
    await page.getByRole('button', { name: 'Use this CA for the mirror' }).click();
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect(page.getByText(`Connected to ${world.mirror.host}`)).toBeVisible();
  }
  await app.open('#/jobs');
  await app.checkpoint('jobs-after-secrets');

  expect(framesReceived.length, 'the page talked to ferry serve').toBeGreaterThan(3);
  for (const s of secrets) {
    expect(framesReceived.filter((f) => f.includes(s)), 'frames carrying a secret').toEqual([]);
  }
  const storage = await page.evaluate(() => JSON.stringify({ session: { ...sessionStorage }, local: { ...localStorage } }));
  for (const s of secrets) expect(storage.includes(s), 'secret kept in browser storage').toBe(false);
});
