import { join } from 'node:path';
import { ferry, worldFlags } from '../support/cli';
import { test, expect } from './support/fixtures';
import { FULL_JOURNEYS_PENDING, FULL_JOURNEYS_READY } from './support/world-info';

/**
 * Issue 18: operators picked in the export journey (the catalog of test/support/catalog.ts, pushed by global
 * setup) travel as planned, and the import side's cluster config names the filtered catalog in the mirror.
 * ferry-backup requires ferry-database >=1.1.0 <2.0.0 and the Bucket API of ferry-storage: picked alone, the
 * plan refuses it in words; with ferry-database picked the Bucket is still lacking, and the offered fix adds it.
 */
test('operators step: load a catalog, search, pick two packages with a range, see them in the plan and the cluster config', async ({ app, page, world }) => {
  test.fixme(!FULL_JOURNEYS_READY, FULL_JOURNEYS_PENDING);
  test.setTimeout(600_000);
  const catalog = world.catalog!.ref;
  const toDir = join(world.workDir, 'export-operators');

  await app.startExport(world);
  await page.getByRole('button', { name: /Next: Operators/ }).click();

  await page.getByRole('textbox', { name: 'Catalog image' }).fill(catalog);
  await page.getByRole('button', { name: 'Load catalog' }).click();
  await expect(page.getByText(`4 package(s) in ${catalog}`)).toBeVisible();
  const packages = page.getByRole('list', { name: 'Packages' });
  await expect(packages.getByRole('checkbox')).toHaveCount(4);
  await app.checkpoint('01-catalog');

  await page.getByRole('searchbox', { name: 'Find a package' }).fill('backup');
  await expect(packages.getByRole('checkbox')).toHaveCount(1);
  await packages.getByRole('checkbox', { name: /^ferry-backup/ }).check();
  await expect(page.getByTestId('operators-estimate')).toContainText(/About \d/);
  await page.getByRole('button', { name: /Next: Plan/ }).click();

  // The dependency preflight refuses before anything moves, saying who needs what and who provides it.
  await page.getByRole('textbox', { name: 'Target directory' }).fill(toDir);
  await page.getByRole('button', { name: 'Make the plan' }).click();
  const refusal = page.getByRole('alert').filter({ hasText: 'The picked operators need others the selection lacks' });
  await expect(refusal).toContainText('needs package ferry-database >=1.1.0 <2.0.0');
  await expect(refusal).toContainText('provided by ferry-database 1.');
  await expect(refusal).toContainText('needs API storage.ferry.example/v1alpha1/Bucket: provided by ferry-storage 0.9.0');
  await app.checkpoint('02-dependency-missing');

  // Coming back to the step reads the catalog again and keeps the pick.
  await app.open('#/export/operators');
  await expect(packages.getByRole('checkbox', { name: /^ferry-backup/ })).toBeChecked();
  await page.getByRole('searchbox', { name: 'Find a package' }).fill('database');
  await packages.getByRole('checkbox', { name: /^ferry-database/ }).check();
  await page.getByRole('combobox', { name: 'Channel of ferry-database' }).selectOption('stable');
  await page.getByRole('combobox', { name: 'Oldest version of ferry-database' }).selectOption('1.1.0');
  await page.getByRole('combobox', { name: 'Newest version of ferry-database' }).selectOption('1.2.0');
  const estimate = page.getByRole('table', { name: 'Estimated size of the picked operators' });
  await expect(estimate).toContainText('ferry-database:stable@1.1.0..1.2.0');
  await expect(estimate.getByRole('row', { name: /ferry-database/ })).toContainText(/1\.2\.0, 1\.1\.1, 1\.1\.0.*\d+(\.\d+)? (KiB|MiB|B)/);
  await expect(page.getByTestId('operators-estimate')).toContainText(/About \d/);
  await app.checkpoint('03-picked');
  await page.emulateMedia({ colorScheme: 'dark' });
  await app.checkpoint('03-picked-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  await page.getByRole('button', { name: /Next: Plan/ }).click();
  await page.getByRole('button', { name: 'Make the plan' }).click();
  await expect(refusal).toContainText('Bucket');
  await expect(refusal).not.toContainText('needs package ferry-database');
  await refusal.getByRole('button', { name: 'Add the dependencies' }).click();

  // The plan carries what `ferry catalog resolve` says the same selection needs, plus the filtered catalog.
  const resolved = await ferry([
    'catalog', 'resolve', catalog, '--package', 'ferry-backup:stable', '--package', 'ferry-database:stable@1.1.0..1.2.0', '--with-dependencies', '--json', ...worldFlags(world),
  ]);
  expect(resolved.code, resolved.stderr).toBe(0);
  const expectedImages = (JSON.parse(resolved.stdout) as { images: string[] }).images.length + 1;
  await page.getByRole('button', { name: 'Make the plan' }).click();
  await expect(page.getByText(/^Fits: \d+ volume\(s\)/)).toBeVisible();
  const group = page.locator('details[data-group="catalog"]');
  await expect(group.locator('> summary')).toContainText(new RegExp(`Operator catalogs ${expectedImages} image\\(s\\), \\d+(\\.\\d+)? (KiB|MiB)`));
  await expect(group.getByRole('table')).toContainText('ferry-bundles/database-bundle');
  await expect(group.getByRole('table')).toContainText('ferry-bundles/backup-bundle');
  await expect(group.getByRole('table')).toContainText('ferry-bundles/storage-bundle');
  await expect(group.getByRole('table')).toContainText('ferry-catalogs/operator-index');
  await app.checkpoint('04-plan');
  await page.emulateMedia({ colorScheme: 'dark' });
  await app.checkpoint('04-plan-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  await page.getByRole('button', { name: /Next: Transfer/ }).click();
  await page.getByRole('button', { name: 'Start transfer' }).click();
  await expect(page.getByRole('group', { name: /^Job / }).getByText('succeeded', { exact: true })).toBeVisible({ timeout: 300_000 });
  await app.checkpoint('05-transfer');

  // The import side: the cluster config for these media names the filtered catalog in the mirror.
  await app.open('#/import/media');
  await page.getByRole('textbox', { name: 'Transfer directory' }).fill(toDir);
  await expect(page.getByTestId('transfer-fingerprint')).toBeVisible();
  await app.open('#/import/target');
  await page.getByRole('textbox', { name: 'Mirror location' }).fill(`${world.mirror.host}/ocp4`);
  await app.open('#/import/config');
  const source = page.getByRole('figure', { name: /^CatalogSource for the mirrored operator catalog/ });
  await expect(source).toContainText('kind: CatalogSource');
  await expect(source).toContainText(`${world.mirror.host}/ocp4/ferry-catalogs/operator-index`);
  const idms = page.getByRole('figure', { name: 'Operator bundles and operands by digest (IDMS)' });
  await expect(idms).toContainText(`${world.source.host}/ferry-bundles/database-bundle`);
  await expect(idms).toContainText(`${world.mirror.host}/ocp4/ferry-bundles/database-bundle`);
  await app.checkpoint('06-cluster-config');
  await page.emulateMedia({ colorScheme: 'dark' });
  await app.checkpoint('06-cluster-config-dark');
});
