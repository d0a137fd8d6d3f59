import { z } from 'zod';
import { field } from '../fields.js';
import type { RouteContract } from '../mlflow/contracts.js';

/** A dataset: a name whose versions are immutable, content-addressed snapshots. */
export interface WireDatasetRecord {
  name: string;
  description: string;
  creationTime: number;
  lastUpdateTime: number;
  /** Newest version number; 0 before the first version. */
  latestVersion: number;
}

/** One file of a version's manifest: a relative POSIX path, its sha256 (64 hex digits) and size. */
export interface WireManifestFile {
  path: string;
  digest: string;
  size: number;
}

/** One immutable version of a dataset. */
export interface WireDatasetVersion {
  name: string;
  version: number;
  /** sha256 of the canonical manifest: equal digests mean byte-identical contents. */
  digest: string;
  fileCount: number;
  totalBytes: number;
  message: string;
  creationTime: number;
  userId: string;
  tags: Record<string, string>;
}

/** Tabular facts about one file: row count and columns (DuckDB types). */
export interface WireTableInfo {
  format: string;
  rowCount: number;
  columns: { name: string; type: string }[];
}

/** A file present in both versions with different content. */
export interface WireChangedFile {
  path: string;
  from: WireManifestFile;
  to: WireManifestFile;
  /** For tabular files: row counts and schema changes (absent for other files or when unreadable). */
  table?: {
    rowsFrom: number;
    rowsTo: number;
    addedColumns: { name: string; type: string }[];
    removedColumns: { name: string; type: string }[];
    retypedColumns: { name: string; from: string; to: string }[];
  };
  /** Why `table` is absent for a tabular file (it could not be read). */
  tableError?: string;
}

/** What changed between two versions. */
export interface WireDatasetDiff {
  name: string;
  from: number;
  to: number;
  added: (WireManifestFile & { rows?: number })[];
  removed: (WireManifestFile & { rows?: number })[];
  changed: WireChangedFile[];
  /** Files moved without a content change (same digest, new path). */
  renamed: { from: string; to: string; digest: string; size: number }[];
  unchanged: number;
}

/** One column's profile. Numeric fields are absent where they do not apply. */
export interface WireColumnProfile {
  name: string;
  type: string;
  count: number;
  nullCount: number;
  nullShare: number;
  distinct: number;
  min?: number | string;
  max?: number | string;
  mean?: number;
  std?: number;
  quantiles?: Record<string, number>;
  histogram?: { edges: number[]; counts: number[] };
  topValues?: { value: string; count: number }[];
  minLength?: number;
  maxLength?: number;
  meanLength?: number;
}

/** The profile of a version's table. */
export interface WireDatasetProfile {
  rowCount: number;
  files: string[];
  columns: WireColumnProfile[];
  computeMs: number;
}

/** A stored, editable schema: columns, their types and whether nulls are allowed. */
export interface WireDatasetSchema {
  columns: { name: string; type: string; nullable: boolean }[];
}

/** The outcome of one check. */
export interface WireCheckResult {
  check: Record<string, unknown>;
  /** Human-readable description, e.g. `not_null(age) mostly 0.99`. */
  title: string;
  success: boolean;
  /** Rows the check looked at (row checks other than not_null skip nulls). */
  elementCount?: number;
  /** Rows breaking the rule. */
  unexpectedCount?: number;
  unexpectedShare?: number;
  /** The value measured for aggregate checks (a count, a mean, a drift share...). */
  observed?: unknown;
  /** Up to `sampleSize` failing rows, as JSON objects. */
  sample?: Record<string, unknown>[];
  details?: string;
  error?: string;
}

/** The outcome of a suite run against a version. */
export interface WireValidationResult {
  id?: number;
  dataset: string;
  version: number;
  suite: string;
  success: boolean;
  statistics: { evaluated: number; successful: number; failed: number };
  rowCount: number;
  results: WireCheckResult[];
  startTime: number;
  durationMs: number;
}

const name = () => field.requiredString().max(256);
const version = () => field.int64();
const digest = () => z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 digest: 64 lower-case hex digits');
const paging = { maxResults: field.int64().optional(), pageToken: field.string().optional() };

function route<Res>() {
  return <Req extends z.ZodType>(method: RouteContract['method'], path: string, request: Req): RouteContract<Req, Res> => ({ method, path, request });
}

/** A manifest entry as sent by clients. */
export const manifestFileSchema = z.object({ path: z.string().min(1).max(4096), digest: digest(), size: z.number().int().nonnegative() });

/** A validation suite document (checks are validated by the server, which names what is wrong). */
export const suiteSchema = z.object({
  name: z.string().optional(),
  files: z.string().optional(),
  sampleSize: z.number().int().nonnegative().optional(),
  checks: z.array(z.record(z.string(), z.unknown())),
});

/** Native data routes (under `/api/v1`). */
export const data = {
  createDataset: route<{ dataset: WireDatasetRecord }>()('POST', '/datasets', z.object({ name: name(), description: z.string().max(65_536).optional() })),
  listDatasets: route<{ datasets: WireDatasetRecord[]; nextPageToken?: string }>()('GET', '/datasets', z.object(paging)),
  getDataset: route<{ dataset: WireDatasetRecord }>()('GET', '/datasets/{name}', z.object({ name: name() })),
  missingBlobs: route<{ missing: string[] }>()('POST', '/datasets/blobs/missing', z.object({ digests: z.array(digest()).max(1_000_000) })),
  createVersion: route<{ version: WireDatasetVersion; created: boolean }>()('POST', '/datasets/{name}/versions', z.object({
    name: name(),
    files: z.array(manifestFileSchema).max(2_000_000),
    message: z.string().max(65_536).optional(),
    userId: z.string().max(256).optional(),
    tags: z.record(z.string().max(250), z.string().max(5000)).optional(),
    /** Commit even when the latest version has the same digest. */
    allowUnchanged: field.bool().optional(),
  })),
  listVersions: route<{ versions: WireDatasetVersion[]; nextPageToken?: string }>()('GET', '/datasets/{name}/versions', z.object({ name: name(), ...paging })),
  getVersion: route<{ version: WireDatasetVersion }>()('GET', '/datasets/{name}/versions/{version}', z.object({ name: name(), version: version() })),
  getManifest: route<{ files: WireManifestFile[] }>()('GET', '/datasets/{name}/versions/{version}/files', z.object({ name: name(), version: version(), prefix: z.string().optional() })),
  diff: route<{ diff: WireDatasetDiff }>()('GET', '/datasets/{name}/diff', z.object({ name: name(), from: version(), to: version(), tables: field.bool().optional() })),
  profile: route<{ profile: WireDatasetProfile }>()('POST', '/datasets/{name}/versions/{version}/profile', z.object({ name: name(), version: version(), files: z.string().optional(), refresh: field.bool().optional() })),
  getSchema: route<{ schema: WireDatasetSchema; inferred: boolean }>()('GET', '/datasets/{name}/versions/{version}/schema', z.object({ name: name(), version: version() })),
  putSchema: route<{ schema: WireDatasetSchema }>()('PUT', '/datasets/{name}/versions/{version}/schema', z.object({
    name: name(), version: version(),
    schema: z.object({ columns: z.array(z.object({ name: z.string().min(1), type: z.string().min(1), nullable: z.boolean() })).max(100_000) }),
  })),
  validate: route<{ result: WireValidationResult }>()('POST', '/datasets/{name}/versions/{version}/validate', z.object({ name: name(), version: version(), suite: suiteSchema })),
  listValidations: route<{ validations: WireValidationResult[] }>()('GET', '/datasets/{name}/versions/{version}/validations', z.object({ name: name(), version: version() })),
  suggestSuite: route<{ suite: z.infer<typeof suiteSchema> }>()('POST', '/datasets/{name}/versions/{version}/suggest-suite', z.object({ name: name(), version: version(), files: z.string().optional() })),
  linkRun: route<{ digest: string }>()('POST', '/datasets/{name}/versions/{version}/link', z.object({ name: name(), version: version(), runId: field.requiredString(), context: z.string().max(250).optional() })),
};

/** A validation suite: checks, file selection and the number of failing rows sampled. */
export type WireSuite = z.infer<typeof suiteSchema>;
