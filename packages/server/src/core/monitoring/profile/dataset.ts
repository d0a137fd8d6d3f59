/**
 * Dataset profiles (one {@link ColumnProfile} per column plus a row count) and time-bucketed
 * profiles, where the profile of any window is the merge of its buckets.
 */
import { invalidParameter } from '@capstan/api';
import type { Column } from '../drift/types.js';
import { createColumnProfile, deserializeColumnProfile, resolveProfileOptions } from './column.js';
import type { ColumnProfile, ProfileOptions, SerializedColumnProfile } from './column.js';
import { mixSeed } from './hash.js';

/** Serialization format version. */
export const PROFILE_FORMAT_VERSION = 1;

/** Profiles of the columns of a dataset. */
export class DatasetProfile {
  /** Rows added. */
  rows = 0;
  /** Column profiles by name. */
  readonly columns = new Map<string, ColumnProfile>();

  /**
   * @throws CapstanError INVALID_PARAMETER_VALUE when an option is out of range.
   */
  constructor(readonly options: ProfileOptions = {}) {
    resolveProfileOptions(options);
  }

  /** A profile of the given columns. */
  static of(columns: readonly Column[], options: ProfileOptions = {}): DatasetProfile {
    return new DatasetProfile(options).update(columns);
  }

  /**
   * Adds a batch of rows given as columns of equal length. A column first seen in this batch gets
   * a new profile; a column missing from the batch is left as it was.
   * @throws CapstanError INVALID_PARAMETER_VALUE when the columns differ in length, a name
   *   repeats, or a column changes between numeric and categorical.
   */
  update(columns: readonly Column[]): this {
    const length = columns[0]?.values.length ?? 0;
    const seen = new Set<string>();
    for (const c of columns) {
      if (c.values.length !== length) throw invalidParameter(`Column '${c.name}' has ${c.values.length} values, expected ${length}`);
      if (seen.has(c.name)) throw invalidParameter(`Column '${c.name}' appears twice`);
      seen.add(c.name);
      const existing = this.columns.get(c.name);
      const numeric = c.dtype === 'float' || c.dtype === 'int';
      if (existing && (existing.kind === 'numeric') !== numeric) {
        throw invalidParameter(`Column '${c.name}' is ${existing.kind} in the profile but ${c.dtype} in the batch`);
      }
    }
    for (const c of columns) {
      let profile = this.columns.get(c.name);
      if (!profile) {
        profile = createColumnProfile(c.name, c.dtype, this.options);
        this.columns.set(c.name, profile);
      }
      if (profile.kind === 'numeric') {
        if (c.dtype === 'float' && profile.dtype === 'int') profile.dtype = 'float';
        profile.update(c.values as Float64Array);
      } else {
        if (c.dtype === 'string' && profile.dtype === 'bool') profile.dtype = 'string';
        profile.update(c.values as (string | null)[]);
      }
    }
    this.rows += length;
    return this;
  }

  /**
   * Adds `other`'s rows and columns (`other` is unchanged).
   * @throws CapstanError INVALID_PARAMETER_VALUE when a column is numeric on one side and
   *   categorical on the other, or the sketches cannot be merged.
   */
  merge(other: DatasetProfile): this {
    for (const [name, theirs] of other.columns) {
      const mine = this.columns.get(name);
      if (mine && mine.kind !== theirs.kind) throw invalidParameter(`Cannot merge profiles of column '${name}': ${mine.kind} and ${theirs.kind}`);
    }
    for (const [name, theirs] of other.columns) {
      const mine = this.columns.get(name);
      if (mine) mine.merge(theirs);
      else this.columns.set(name, theirs.clone());
    }
    this.rows += other.rows;
    return this;
  }

  /** A deep copy. */
  clone(): DatasetProfile {
    const out = new DatasetProfile(this.options);
    out.rows = this.rows;
    for (const [name, p] of this.columns) out.columns.set(name, p.clone());
    return out;
  }

  /** Plain-JSON state, columns by name. Its size depends on the columns and options, not on the rows. */
  serialize(): SerializedDatasetProfile {
    const names = [...this.columns.keys()].sort();
    return { version: PROFILE_FORMAT_VERSION, rows: this.rows, columns: names.map((n) => this.columns.get(n)!.serialize()) };
  }

  /**
   * Rebuilds a profile from {@link serialize}'s output.
   * @throws CapstanError INVALID_PARAMETER_VALUE when the version is unknown or the state is
   *   malformed.
   */
  static deserialize(s: SerializedDatasetProfile, options: ProfileOptions = {}): DatasetProfile {
    if (s?.version !== PROFILE_FORMAT_VERSION) throw invalidParameter(`Unsupported profile format version ${String(s?.version)}`);
    const out = new DatasetProfile(options);
    out.rows = s.rows;
    for (const c of s.columns) out.columns.set(c.name, deserializeColumnProfile(c));
    return out;
  }
}

/** Serialized {@link DatasetProfile}. */
export interface SerializedDatasetProfile {
  version: number;
  rows: number;
  columns: SerializedColumnProfile[];
}

/** Options of {@link TimeBucketedProfiles}. */
export interface TimeBucketOptions {
  /** Bucket width in milliseconds (default one hour). */
  bucketMs?: number;
  /** Options of every bucket's profile; each bucket's seed is mixed with its index. */
  profile?: ProfileOptions;
}

/** One hour, the default bucket width. */
export const DEFAULT_BUCKET_MS = 3_600_000;

/**
 * Dataset profiles per time bucket [start, start + bucketMs), start a multiple of bucketMs since
 * the epoch. A window is answered by merging whole buckets, in ascending order of start (so the
 * result is reproducible).
 */
export class TimeBucketedProfiles {
  /** Bucket width in milliseconds. */
  readonly bucketMs: number;
  private readonly profileOptions: ProfileOptions;
  private readonly buckets = new Map<number, DatasetProfile>();

  /**
   * @throws CapstanError INVALID_PARAMETER_VALUE when `bucketMs` is not a positive integer or a
   *   profile option is out of range.
   */
  constructor(options: TimeBucketOptions = {}) {
    const width = options.bucketMs ?? DEFAULT_BUCKET_MS;
    if (!Number.isSafeInteger(width) || width <= 0) throw invalidParameter(`bucketMs must be a positive integer, got ${width}`);
    this.bucketMs = width;
    this.profileOptions = options.profile ?? {};
    resolveProfileOptions(this.profileOptions);
  }

  /**
   * Start of the bucket holding `timestampMs`.
   * @throws CapstanError INVALID_PARAMETER_VALUE when the timestamp is not finite.
   */
  bucketStart(timestampMs: number): number {
    if (!Number.isFinite(timestampMs)) throw invalidParameter(`Timestamp must be a finite number of milliseconds, got ${timestampMs}`);
    return Math.floor(timestampMs / this.bucketMs) * this.bucketMs;
  }

  /**
   * Adds a batch of rows, all stamped `timestampMs`, to its bucket.
   * @throws CapstanError INVALID_PARAMETER_VALUE as {@link DatasetProfile.update} does, or for a
   *   non-finite timestamp.
   */
  add(timestampMs: number, columns: readonly Column[]): this {
    this.bucket(timestampMs).update(columns);
    return this;
  }

  /**
   * Merges an already computed profile into the bucket of `timestampMs`.
   * @throws CapstanError INVALID_PARAMETER_VALUE as {@link DatasetProfile.merge} does.
   */
  addProfile(timestampMs: number, profile: DatasetProfile): this {
    this.bucket(timestampMs).merge(profile);
    return this;
  }

  /** Bucket starts, ascending. */
  starts(): number[] {
    return [...this.buckets.keys()].sort((a, b) => a - b);
  }

  /** The profile of the bucket starting at `start`, if any. */
  get(start: number): DatasetProfile | undefined {
    return this.buckets.get(start);
  }

  /**
   * Merged profile of every bucket overlapping [fromMs, toMs): the window is widened to whole
   * buckets. Empty when no bucket overlaps.
   * @throws CapstanError INVALID_PARAMETER_VALUE when the bounds are not numbers or from > to.
   */
  window(fromMs: number, toMs: number): DatasetProfile {
    if (Number.isNaN(fromMs) || Number.isNaN(toMs) || fromMs > toMs) throw invalidParameter(`Invalid window [${fromMs}, ${toMs})`);
    const out = new DatasetProfile(this.profileOptions);
    for (const start of this.starts()) {
      if (start < toMs && start + this.bucketMs > fromMs) out.merge(this.buckets.get(start)!);
    }
    return out;
  }

  /** Drops the buckets that end at or before `beforeMs`; returns how many were dropped. */
  prune(beforeMs: number): number {
    let dropped = 0;
    for (const start of this.starts()) {
      if (start + this.bucketMs > beforeMs) break;
      this.buckets.delete(start);
      dropped++;
    }
    return dropped;
  }

  /** Plain-JSON state: the width and every bucket's profile, by start. */
  serialize(): SerializedTimeBuckets {
    return { version: PROFILE_FORMAT_VERSION, bucketMs: this.bucketMs, buckets: this.starts().map((start) => ({ start, profile: this.buckets.get(start)!.serialize() })) };
  }

  /**
   * Rebuilds bucketed profiles from {@link serialize}'s output.
   * @throws CapstanError INVALID_PARAMETER_VALUE when the state is malformed.
   */
  static deserialize(s: SerializedTimeBuckets, profile: ProfileOptions = {}): TimeBucketedProfiles {
    if (s?.version !== PROFILE_FORMAT_VERSION) throw invalidParameter(`Unsupported profile format version ${String(s?.version)}`);
    const out = new TimeBucketedProfiles({ bucketMs: s.bucketMs, profile });
    for (const b of s.buckets) {
      if (out.bucketStart(b.start) !== b.start) throw invalidParameter(`Bucket start ${b.start} is not a multiple of ${s.bucketMs}`);
      out.buckets.set(b.start, DatasetProfile.deserialize(b.profile, out.bucketOptions(b.start)));
    }
    return out;
  }

  private bucket(timestampMs: number): DatasetProfile {
    const start = this.bucketStart(timestampMs);
    let profile = this.buckets.get(start);
    if (!profile) {
      profile = new DatasetProfile(this.bucketOptions(start));
      this.buckets.set(start, profile);
    }
    return profile;
  }

  private bucketOptions(start: number): ProfileOptions {
    const index = start / this.bucketMs;
    return { ...this.profileOptions, seed: mixSeed(this.profileOptions.seed ?? 0, index | 0) | 0 };
  }
}

/** Serialized {@link TimeBucketedProfiles}. */
export interface SerializedTimeBuckets {
  version: number;
  bucketMs: number;
  buckets: { start: number; profile: SerializedDatasetProfile }[];
}
