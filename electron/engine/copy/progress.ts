import { FerryError } from '../../../shared/errors';
import { MAX_ACTIVE_IMAGES, RateWindow, etaSeconds, type ImageProgress, type ProgressEvent, type ProgressListener, type VolumeProgress } from '../../../shared/progress';

/**
 * The one progress model of a run that moves many blobs at once (mirror to disk, push, direct mirror, copy):
 * every figure it reports is counted from the plan, so none can pass its total however blobs interleave.
 *
 * - A unit (blob or manifest, by digest) counts once however many images need it and however often it is
 *   fetched: bytes in flight are capped at its size, dropped when its attempt fails (the retry counts
 *   afresh), and a complete unit counts its size, never more. Units kept from an earlier run count as done
 *   from the start, but not as moved, so the rate is what this run moves.
 * - An image's own bytes are those of the units it is the first image to need; an image is complete once
 *   every unit it needs is, its own or another's. Volumes get a unit's bytes part by part, in order, as the
 *   media writer fills them. So the images' and the volumes' figures each add up to the run's.
 * - The rate is bytes moved over a sliding window (shared/progress.ts), the ETA what is left at that rate.
 * - Events: one per completed unit, and at most one per `intervalMs` while bytes flow; the worker bounds
 *   what crosses to the app further. A run declaring images as it goes (push) says none until all are.
 */
export interface UnitPlan {
  digest: string;
  size: number;
  /** Where a media write puts the unit's bytes, in order (a split blob has several parts). */
  parts?: ReadonlyArray<{ volume: string; size: number }>;
}

export interface ImagePlan {
  source: string;
  /** Every unit the image needs, whether or not an image before it needs it too. */
  units: readonly UnitPlan[];
}

interface ImageState {
  source: string;
  own: number;
  ownDone: number;
  missing: number;
  started: boolean;
}

interface Unit {
  size: number;
  parts: ReadonlyArray<{ volume: VolumeProgress; size: number }>;
  owner: ImageState;
  /** Every image needing it, for their completion. */
  needers: ImageState[];
  /** Bytes counted for it: what has streamed of the current attempt, or its size once complete. */
  counted: number;
  done: boolean;
}

export interface TransferProgressOptions {
  /** The phase of byte and completion events, e.g. 'write-volume' or 'push'. */
  phase: string;
  /** Images known now, in the run's order. */
  images?: readonly ImagePlan[];
  /** How many images the run will declare in all (default: those given now). */
  expectImages?: number;
  /** The volume files in order, for a media write; each unit's parts name one of them. */
  volumes?: readonly string[];
  intervalMs?: number;
  now?: () => number;
}

export class TransferProgress {
  private readonly units = new Map<string, Unit>();
  private readonly active = new Set<ImageState>();
  private readonly volumes: Map<string, VolumeProgress> | undefined;
  private readonly rate = new RateWindow();
  private readonly now: () => number;
  private readonly intervalMs: number;
  private readonly expected: number;
  private declared = 0;
  private bytesTotal = 0;
  private bytesDone = 0;
  private unitsDone = 0;
  /** Images of the run so far, failed ones too (the same name twice is two images: each is complete on its own). */
  private imageCount = 0;
  private imagesDone = 0;
  private moved = 0;
  private lastEmit = -Infinity;

  constructor(
    private readonly listener: ProgressListener,
    private readonly options: TransferProgressOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.intervalMs = options.intervalMs ?? 250;
    this.expected = options.expectImages ?? options.images?.length ?? 0;
    this.volumes = options.volumes ? new Map(options.volumes.map((name) => [name, { name, bytesDone: 0, bytesTotal: 0 }])) : undefined;
    for (const image of options.images ?? []) this.add(image);
    this.rate.add(this.now(), 0);
  }

  /** An image and what it needs, declared once the run is under way; a unit an earlier image declared stays that image's. */
  declare(image: ImagePlan): void {
    this.add(image);
    this.emitIfDue();
  }

  private add(image: ImagePlan): void {
    const state: ImageState = { source: image.source, own: 0, ownDone: 0, missing: 0, started: false };
    this.imageCount++;
    const seen = new Set<string>();
    for (const plan of image.units) {
      if (seen.has(plan.digest)) continue;
      seen.add(plan.digest);
      let unit = this.units.get(plan.digest);
      if (!unit) {
        unit = { size: plan.size, parts: this.partsOf(plan), owner: state, needers: [], counted: 0, done: false };
        this.units.set(plan.digest, unit);
        state.own += plan.size;
        this.bytesTotal += plan.size;
      }
      unit.needers.push(state);
      if (!unit.done) state.missing++;
    }
    this.declared++;
    if (state.missing === 0) this.imagesDone++;
  }

  /** An image that will declare nothing: it failed before saying what it needs, and is one of the run's images never complete. */
  abandon(): void {
    this.imageCount++;
    this.declared++;
    this.emitIfDue();
  }

  /** Complete before this run started (kept by a resume): done, not moved. */
  kept(digest: string): void {
    this.complete(digest);
  }

  /** `n` more bytes of the unit's current attempt arrived. */
  bytes(digest: string, n: number): void {
    const unit = this.units.get(digest);
    if (!unit || unit.done) return;
    this.moved += n;
    this.count(unit, Math.min(unit.counted + n, unit.size));
    this.emitIfDue();
  }

  /** The unit's attempt failed: what it counted is no longer done (a retry or a resume counts it again). */
  failed(digest: string): void {
    const unit = this.units.get(digest);
    if (!unit || unit.done) return;
    this.count(unit, 0);
  }

  /** The unit is complete (written, uploaded, found present or mounted): its whole size counts, once. */
  done(digest: string): void {
    const unit = this.complete(digest);
    if (unit) this.emit(this.options.phase, { blob: digest, image: unit.owner.source });
  }

  /** An event out of turn, e.g. phase 'done' once the run finished, or 'resume' with what was kept. */
  report(phase: string, message?: string): void {
    this.emit(phase, message ? { message } : {});
  }

  snapshot(phase = this.options.phase): ProgressEvent {
    const now = this.now();
    this.rate.add(now, this.moved);
    const bytesPerSecond = this.rate.rate();
    const eta = etaSeconds(this.bytesTotal - this.bytesDone, bytesPerSecond);
    const active: ImageProgress[] = [];
    for (const image of this.active) {
      if (active.length === MAX_ACTIVE_IMAGES) break;
      active.push({ source: image.source, bytesDone: image.ownDone, bytesTotal: image.own });
    }
    return {
      phase,
      bytesDone: this.bytesDone,
      bytesTotal: this.bytesTotal,
      itemsDone: this.unitsDone,
      itemsTotal: this.units.size,
      ...(bytesPerSecond === undefined ? {} : { bytesPerSecond }),
      ...(eta === undefined ? {} : { etaSeconds: eta }),
      ...(this.volumes ? { volumes: [...this.volumes.values()].map((v) => ({ ...v })) } : {}),
      images: { done: this.imagesDone, total: this.imageCount, active },
    };
  }

  private partsOf(plan: UnitPlan): Unit['parts'] {
    if (!this.volumes || !plan.parts) return [];
    return plan.parts.map((p) => {
      const volume = this.volumes!.get(p.volume);
      if (!volume) {
        throw new FerryError('INTERNAL', `Blob ${plan.digest} is placed in ${p.volume}, which is not one of the planned volumes.`, { hint: 'This is a bug in the caller of the progress model; please report it.' });
      }
      volume.bytesTotal += p.size;
      return { volume, size: p.size };
    });
  }

  private complete(digest: string): Unit | undefined {
    const unit = this.units.get(digest);
    if (!unit || unit.done) return undefined;
    this.count(unit, unit.size);
    unit.done = true;
    this.unitsDone++;
    for (const image of unit.needers) {
      image.missing--;
      this.touch(image);
      if (image.missing === 0) {
        this.imagesDone++;
        this.active.delete(image);
      }
    }
    return unit;
  }

  /** Sets the bytes counted for the unit, moving the difference through its owner and its volume parts in order. */
  private count(unit: Unit, counted: number): void {
    const from = unit.counted;
    if (counted === from) return;
    unit.counted = counted;
    this.bytesDone += counted - from;
    unit.owner.ownDone += counted - from;
    this.touch(unit.owner);
    let start = 0;
    for (const part of unit.parts) {
      const end = start + part.size;
      // The overlap of [from, counted) (or [counted, from)) with this part's range of the unit.
      const grew = Math.max(0, Math.min(counted, end) - start) - Math.max(0, Math.min(from, end) - start);
      part.volume.bytesDone += grew;
      start = end;
    }
  }

  private touch(image: ImageState): void {
    if (image.started || image.missing === 0) return;
    image.started = true;
    this.active.add(image);
  }

  private emitIfDue(): void {
    if (this.now() - this.lastEmit >= this.intervalMs) this.emit(this.options.phase);
  }

  private emit(phase: string, extra: Pick<ProgressEvent, 'blob' | 'image' | 'message'> = {}): void {
    // A run still declaring its images has no total yet to report against.
    if (this.declared < this.expected) return;
    this.lastEmit = this.now();
    this.listener({ ...this.snapshot(phase), ...extra });
  }
}
