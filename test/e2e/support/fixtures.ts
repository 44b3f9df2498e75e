import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type Page } from '@playwright/test';
import { e2eWorld, type E2eWorld } from './world-info';

export const SCREENSHOT_DIR = join(process.cwd(), 'test-results', 'screenshots');

/** The app as a test drives it: screenshots of each step and an axe check of each screen. */
export class FerryApp {
  constructor(
    readonly page: Page,
    private readonly prefix: string,
  ) {}

  async open(hash = '#/'): Promise<void> {
    await this.page.goto(`/${hash}`);
    await expect(this.page.getByRole('link', { name: 'Ferry', exact: true })).toBeVisible();
  }

  /**
   * The export journey's first two steps as every export test takes them: the test world's auth file saved as
   * the pull secret, its CA trusted; ends on the Release step.
   */
  async startExport(world: { authfile: string; ca: { certPath: string } }): Promise<void> {
    const page = this.page;
    await this.open('#/export/credentials');
    await page.locator('input[type=file]').setInputFiles(world.authfile);
    await page.getByRole('button', { name: 'Save pull secret' }).click();
    await expect(page.getByText('Pull secret saved as “pull-secret”')).toBeVisible();
    await page.getByRole('button', { name: /Next: CA trust/ }).click();
    await page.locator('input[type=file]').setInputFiles(world.ca.certPath);
    await page.getByRole('button', { name: 'Trust this CA' }).click();
    await page.getByRole('button', { name: /Next: Release/ }).click();
  }

  /** Saves test-results/screenshots/<spec>-<name>.png (full page) as a build artifact. */
  async shot(name: string): Promise<void> {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await this.page.screenshot({ path: join(SCREENSHOT_DIR, `${this.prefix}-${name}.png`), fullPage: true });
  }

  /** No serious or critical axe violation on the screen as it is now (WCAG 2.x A/AA rules). */
  async expectAccessible(screen: string): Promise<void> {
    const result = await new AxeBuilder({ page: this.page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
    const bad = result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    expect(bad, `axe violations on ${screen}`).toEqual([]);
  }

  /** Shot and axe check together: every screen of a journey gets both. */
  async checkpoint(name: string): Promise<void> {
    await this.shot(name);
    await this.expectAccessible(name);
  }
}

interface Fixtures {
  world: E2eWorld;
  app: FerryApp;
  /** Text of every WebSocket frame the page received during the test. */
  framesReceived: string[];
}

export const test = base.extend<Fixtures>({
  world: async ({}, use) => {
    await use(e2eWorld());
  },
  baseURL: async ({}, use) => {
    await use(new URL(e2eWorld().url).origin);
  },
  storageState: async ({}, use) => {
    await use(e2eWorld().storageState);
  },
  framesReceived: async ({ page }, use) => {
    const frames: string[] = [];
    page.on('websocket', (ws) => {
      ws.on('framereceived', (f) => frames.push(typeof f.payload === 'string' ? f.payload : f.payload.toString('utf8')));
    });
    await use(frames);
  },
  app: async ({ page, framesReceived }, use, testInfo) => {
    // Frames are collected from the first navigation on; depending on the fixture wires that up first.
    void framesReceived;
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(`${e.name}: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`);
    });
    const spec = testInfo.file.split('/').pop()!.replace(/\.spec\.ts$/, '');
    await use(new FerryApp(page, spec));
    expect(pageErrors, 'errors in the page').toEqual([]);
  },
});

export { expect };
