/** What global setup hands the tests (through one environment variable: workers inherit it). */
export const E2E_ENV = 'FERRY_E2E_WORLD';

export interface E2eWorld {
  /** `ferry serve` address with its one-time token. */
  url: string;
  /** Browser storage state holding the serve session (the printed token is used once, in global setup). */
  storageState: string;
  /** API methods this build answers UNSUPPORTED (app.info). */
  unavailable: string[];
  /** Scratch directory for transfers written during the suite. */
  workDir: string;
  ca: { certPath: string; derPath: string; certPem: string };
  source: { host: string; username: string; password: string };
  mirror: { host: string; username: string; password: string };
  authfile: string;
  /** Fixture images in the source registry (HOST/REPO:TAG). */
  images: string[];
  /**
   * The synthetic release pushed to the source, when the full journeys run. `pullspec` is the name an
   * operator types (quay.io/openshift-release-dev/...); serve and the CLI fetch it from the source
   * through --source-mirror, so the mirror config the journeys show names quay.io, as on a real site.
   */
  release?: { pullspec: string; version: string; digest: string; componentCount: number };
  /** The faithful release (test/support/faithful-release.ts: 183 components, as a real payload), pushed the same way. */
  faithful?: { pullspec: string; version: string; digest: string; componentCount: number };
  /** The operator catalog (test/support/catalog.ts, version v1) in the source, HOST/ferry-catalogs/operator-index:v1. */
  catalog?: { ref: string };
}

/**
 * The full export/import journeys run against the real engine (mirror, push and verify jobs, release,
 * plan, config and connection handlers). Setting this to false holds them back as fixme with the reason
 * below and skips pushing the synthetic release in global setup (a quicker run while working on screens).
 */
export const FULL_JOURNEYS_READY = true;
export const FULL_JOURNEYS_PENDING = 'the full journeys are switched off in test/e2e/support/world-info.ts';

export function e2eWorld(): E2eWorld {
  const raw = process.env[E2E_ENV];
  if (!raw) throw new Error(`${E2E_ENV} is not set: run the e2e suite through playwright.config.ts (its global setup starts the world).`);
  return JSON.parse(raw) as E2eWorld;
}

/** Reason for test.fixme when the build lacks a method the test needs; undefined when all are there. */
export function missing(world: E2eWorld, methods: string[]): string | undefined {
  const absent = methods.filter((m) => world.unavailable.includes(m));
  return absent.length > 0 ? `not yet available in this build: ${absent.join(', ')}` : undefined;
}
