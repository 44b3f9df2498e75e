import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './test/e2e/support/browser';

// Browser e2e against the real `ferry serve` and the real test world (registries with TLS and auth).
// Debian's chromium: Playwright's own browser download cannot work here. One worker: the world and
// the server are shared, and the machine has two cores for everyone.
export default defineConfig({
  testDir: 'test/e2e',
  testMatch: /.*\.spec\.ts$/,
  globalSetup: './test/e2e/support/global-setup.ts',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  outputDir: 'test-results/e2e',
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    screenshot: 'only-on-failure',
    trace: 'off',
    launchOptions: chromiumLaunchOptions,
  },
});
