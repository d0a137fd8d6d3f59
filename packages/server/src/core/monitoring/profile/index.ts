/** Streaming mode of the drift engine: mergeable profiles, time buckets and drift from profiles. */
export { CategoricalProfile, createColumnProfile, deserializeColumnProfile, MAX_EXACT_DEFAULT, NumericProfile, resolveProfileOptions } from './column.js';
export type { ColumnDtype, ColumnProfile, ProfileOptions, ResolvedProfileOptions, SerializedCategoricalProfile, SerializedColumnProfile, SerializedNumericProfile } from './column.js';
export { DatasetProfile, DEFAULT_BUCKET_MS, PROFILE_FORMAT_VERSION, TimeBucketedProfiles } from './dataset.js';
export type { SerializedDatasetProfile, SerializedTimeBuckets, TimeBucketOptions } from './dataset.js';
export { defaultProfileStattest, driftFromProfiles, inferProfileColumnType } from './drift.js';
export type { ProfileColumnDrift, ProfileDriftReport } from './drift.js';
export { ksPValue, PROFILE_STATTESTS } from './stattests.js';
export type { ProfileStatTest, ProfileStatTestInput } from './stattests.js';
export { FREQUENT_DEFAULT_K, MisraGries } from './frequent.js';
export type { FrequentItem, SerializedFrequent } from './frequent.js';
export { HLL_DEFAULT_P, hllRelativeError, HyperLogLog } from './hll.js';
export { KLL_DEFAULT_K, KllSketch, kllPmfError, kllRankError } from './kll.js';
export type { SerializedKll, SortedView } from './kll.js';
export { Moments } from './moments.js';
