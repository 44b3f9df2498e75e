import { test, expect } from './support/fixtures';

/**
 * Every step of both journeys, in the state a fresh session sees it (empty, or "not yet available"
 * where this build lacks the engine part): each renders its heading, passes axe and gets a screenshot.
 */
/** A method each step calls on its own; when the build lacks it, the step must say so in place. */
const NEEDS: Record<string, string> = { 'export/release': 'release.list', 'export/plan': 'plan.export', 'import/config': 'config.generate' };

const JOURNEYS = {
  export: ['credentials', 'trust', 'release', 'operators', 'plan', 'transfer', 'verify', 'done'],
  import: ['media', 'verify', 'node', 'target', 'push', 'check', 'config', 'receipt'],
} as const;

for (const [journey, steps] of Object.entries(JOURNEYS)) {
  test(`${journey} journey: every step renders, is labelled and passes axe`, async ({ app, page, world }) => {
    await app.open(`#/${journey}/${steps[0]}`);
    const stepper = page.getByRole('navigation', { name: `${journey === 'export' ? 'Export' : 'Import'} steps` });
    await expect(stepper.getByRole('button')).toHaveCount(steps.length);
    for (const [i, step] of steps.entries()) {
      await stepper.getByRole('button').nth(i).click();
      await expect(page).toHaveURL(new RegExp(`#/${journey}/${step}$`));
      await expect(page.getByRole('heading', { level: 1 })).toContainText(`step ${i + 1} of ${steps.length}`);
      await expect(page.getByRole('status').filter({ hasText: /Loading|Reading|Generating/ })).toHaveCount(0);
      const needed = NEEDS[`${journey}/${step}`];
      if (needed && world.unavailable.includes(needed)) {
        await expect(page.getByText('Not yet available in this build').first()).toBeVisible();
      }
      await app.checkpoint(`${journey}-${String(i + 1).padStart(2, '0')}-${step}`);
    }
  });
}
