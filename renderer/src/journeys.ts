import { otherReleases, type CatalogChoice, type ImportedImageSet, type OperatorChoice, type ReleasePick } from '../../shared/imageset/journey';
import { createJourneyStore } from './store';

/**
 * The two journeys' remembered choices. Only non-secret data: references to stored secrets by name,
 * CA certificates (public), paths, job ids.
 */
export interface TrustedCa {
  fingerprintSha256: string;
  subject: string;
  pem: string;
}

export const EXPORT_STEPS = [
  { key: 'credentials', label: 'Credentials' },
  { key: 'trust', label: 'CA trust' },
  { key: 'release', label: 'Release' },
  { key: 'operators', label: 'Operators' },
  { key: 'plan', label: 'Plan' },
  { key: 'transfer', label: 'Transfer' },
  { key: 'verify', label: 'Verify' },
  { key: 'done', label: 'Done' },
] as const;
export type ExportStep = (typeof EXPORT_STEPS)[number]['key'];

export type { CatalogChoice, OperatorChoice } from '../../shared/imageset/journey';

export interface ExportState {
  step: ExportStep;
  done: ExportStep[];
  /** Name of the pull secret saved with secrets.save. */
  pullSecretRef?: string;
  registries: string[];
  cas: TrustedCa[];
  channel: string;
  arch: string;
  release: string;
  /** Channel and version `release` was picked as (from the list or an imported file): an export names it so. */
  releasePick?: ReleasePick;
  images: string[];
  catalog: CatalogChoice;
  /** The ImageSetConfiguration the choices were imported from: an export edits only what changed since. */
  imageSet?: ImportedImageSet;
  toDir: string;
  volumeSize: string;
  /** receipt.json (or an earlier transfer.json) from the other side: write only what is missing. */
  since: string;
  /** Carry the mirror registry's own image, for a site that has no registry yet. */
  withRegistry: boolean;
  /** Carry the update service's graph-data image (oc-mirror's platform.graph): the import side then configures the OpenShift Update Service. */
  graph?: boolean;
  transferJob?: string;
  verifyJob?: string;
  /** Result of reading the media back: a failure is not carried away. */
  mediaVerified?: 'passed' | 'failed';
  /** The volume files the last plan announced (for the choices in `key`): the transfer view fills them as the writer does. */
  plannedVolumes?: { key: string; volumeSize: number; files: Array<{ name: string; size: number }> };
}

/** `NAME[:CHANNEL][@MIN..MAX]`, as `ferry mirror --package` takes it. */
export function packageSpec(c: OperatorChoice): string {
  const range = c.min || c.max ? `@${c.min}..${c.max}` : '';
  return `${c.package}${c.channel ? `:${c.channel}` : ''}${range}`;
}

/** The operators step's choice as plan.export and the mirror job take it; none when nothing is picked. */
export function catalogRequests(c: CatalogChoice): Array<{ catalog: string; packages: string[]; withDependencies: boolean }> {
  return c.ref.trim() && c.packages.length > 0 ? [{ catalog: c.ref.trim(), packages: c.packages.map(packageSpec), withDependencies: c.withDependencies }] : [];
}

/** What a plan depends on: a plan made for other choices says nothing about the files the transfer writes. */
export function planKey(s: Pick<ExportState, 'release' | 'releasePick' | 'images' | 'catalog' | 'toDir' | 'volumeSize' | 'since' | 'withRegistry' | 'graph'>): string {
  return JSON.stringify([s.release.trim(), otherReleases(s), s.images, catalogRequests(s.catalog), s.toDir.trim(), s.volumeSize.trim(), s.since.trim(), s.withRegistry, s.graph === true]);
}

/** The engine's volume size when none is given (FAT32-safe). */
export const DEFAULT_VOLUME_SIZE = '4000MiB';

/** Why neither journey goes on from media that failed verification. */
export const FAILED_MEDIA = 'The media failed verification: copy the named volumes again, then verify again.';

export const exportStore = createJourneyStore<ExportState>('ferry.journey.export', {
  step: 'credentials',
  done: [],
  registries: [],
  cas: [],
  channel: 'stable-4.15',
  arch: 'amd64',
  release: '',
  images: [],
  catalog: { ref: '', packages: [], withDependencies: false },
  toDir: '',
  volumeSize: DEFAULT_VOLUME_SIZE,
  since: '',
  withRegistry: false,
});

export const IMPORT_STEPS = [
  { key: 'media', label: 'Choose media' },
  { key: 'verify', label: 'Verify media' },
  { key: 'node', label: 'Registry node' },
  { key: 'target', label: 'Target registry' },
  { key: 'push', label: 'Push' },
  { key: 'check', label: 'Verify in registry' },
  { key: 'config', label: 'Cluster config' },
  { key: 'receipt', label: 'Receipt' },
] as const;
export type ImportStep = (typeof IMPORT_STEPS)[number]['key'];

export interface ImportState {
  step: ImportStep;
  done: ImportStep[];
  dir: string;
  verifyJob?: string;
  /** Result of the media verification: the push stays blocked unless it passed. */
  mediaVerified?: 'passed' | 'failed';
  /** Fingerprints of signing keys the operator trusts (typed in, as read to them by whoever wrote the media). */
  trust: string[];
  /** The operator's explicit choice to go on with media nobody signed, or signed by a key they do not trust. */
  allowUnsigned: boolean;
  allowUntrusted: boolean;
  /** HOST:PORT/NAMESPACE */
  mirror: string;
  username: string;
  /** Name of the registry password saved with secrets.save. */
  credentialRef?: string;
  ca?: TrustedCa;
  connectionOk?: boolean;
  receiptPath: string;
  pushJob?: string;
  checkJob?: string;
  /** Where openshift-install and oc are extracted from the transfer. */
  installerDir: string;
  extractJob?: string;
  ocJob?: string;
}

export const importStore = createJourneyStore<ImportState>('ferry.journey.import', {
  step: 'media',
  done: [],
  dir: '',
  trust: [],
  allowUnsigned: false,
  allowUntrusted: false,
  mirror: '',
  username: '',
  receiptPath: '',
  installerDir: '',
});

/** Marks a step finished (for the stepper) without duplicates. */
export function withDone<K extends string>(done: K[], step: K): K[] {
  return done.includes(step) ? done : [...done, step];
}
