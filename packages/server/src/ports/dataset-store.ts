import type { WireDatasetRecord, WireDatasetVersion, WireValidationResult } from '@capstan/api';

/** A blob a new version references: the store checks it was uploaded, with this size. */
export interface BlobRef {
  digest: string;
  size: number;
}

/** Where a blob's bytes are: its own object, or `size` bytes at `offset` inside a pack object. */
export interface BlobLocation extends BlobRef {
  pack?: string;
  offset?: number;
}

/** A version to commit; the store assigns its number. */
export interface NewDatasetVersion {
  name: string;
  digest: string;
  fileCount: number;
  totalBytes: number;
  message: string;
  userId: string;
  tags: Record<string, string>;
  time: number;
  /** Every distinct blob the manifest references. */
  blobs: BlobRef[];
  /** When false and the latest version has the same digest, that version is returned instead. */
  allowUnchanged: boolean;
}

/** A page of items and the offset of the next page (absent on the last one). */
export interface OffsetPage<T> {
  items: T[];
  nextOffset?: number;
}

/** Kinds of per-version documents: the editable schema and the cached profile. */
export type DatasetDocumentKind = 'schema' | 'profile';

/**
 * Metadata of versioned datasets: datasets, immutable versions, the index of verified blobs
 * (content-addressed, sha256), per-version documents, cached per-blob table facts and validation
 * results. Implementations: SQL (SQLite, PostgreSQL) in `adapters/sql/data`; each passes
 * `test/contract/dataset-store.ts`.
 */
export interface DatasetStore {
  /** Records that a blob with this digest and size is in the artifact store (idempotent). */
  recordBlob(blob: BlobRef, time: number): Promise<void>;
  /** Records many blobs at once, in one transaction; blobs already recorded keep their location. */
  recordBlobs(blobs: readonly BlobLocation[], time: number): Promise<void>;
  /** The recorded sizes of those digests that are known. */
  blobSizes(digests: readonly string[]): Promise<Map<string, number>>;
  /** Where the known ones among `digests` are stored. */
  blobLocations(digests: readonly string[]): Promise<Map<string, BlobLocation>>;
  /**
   * In one transaction: creates the dataset when absent, checks every blob is recorded with the
   * declared size, and inserts the version with the next number. Nothing is visible unless all of
   * it succeeds.
   * @throws CapstanError INVALID_PARAMETER_VALUE naming missing or mis-sized blobs.
   */
  createVersion(version: NewDatasetVersion): Promise<{ version: WireDatasetVersion; created: boolean }>;
  /** Creates an empty dataset. @throws RESOURCE_ALREADY_EXISTS */
  createDataset(name: string, description: string, time: number): Promise<WireDatasetRecord>;
  getDataset(name: string): Promise<WireDatasetRecord | null>;
  listDatasets(limit: number, offset: number): Promise<OffsetPage<WireDatasetRecord>>;
  getVersion(name: string, version: number): Promise<WireDatasetVersion | null>;
  /** Newest first. */
  listVersions(name: string, limit: number, offset: number): Promise<OffsetPage<WireDatasetVersion>>;
  /** Stores (replaces) a document of a version. */
  putDocument(name: string, version: number, kind: DatasetDocumentKind, body: string, time: number): Promise<void>;
  getDocument(name: string, version: number, kind: DatasetDocumentKind): Promise<string | null>;
  /** Cached facts about a blob read as a table in `format` (JSON text). */
  getTableInfo(digest: string, format: string): Promise<string | null>;
  putTableInfo(digest: string, format: string, body: string): Promise<void>;
  /** Stores a validation result; returns its id. */
  saveValidation(result: WireValidationResult): Promise<number>;
  /** Validation results of a version, newest first. */
  listValidations(name: string, version: number, limit: number): Promise<WireValidationResult[]>;
}
