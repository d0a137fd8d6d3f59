import {
  data as routes,
  type WireDatasetDiff, type WireDatasetProfile, type WireDatasetRecord, type WireDatasetSchema, type WireDatasetVersion,
  type WireManifestFile, type WireSuite, type WireValidationResult,
} from '@capstan/api';
import { Transport, type CallOptions, type FetchLike, type TransportOptions } from './http.js';

/** Options of {@link DataApi.createVersion}. */
export interface CreateVersionOptions extends CallOptions {
  message?: string;
  userId?: string;
  tags?: Record<string, string>;
  /** Commit a new version even when the latest one has the same contents. */
  allowUnchanged?: boolean;
}

/** Bytes accepted by {@link DataApi.putBlob}. */
export type BlobBody = Blob | Uint8Array | ArrayBuffer | ReadableStream<Uint8Array> | string;

const MISSING_BATCH = 10_000;

/**
 * Versioned datasets (the native `/api/v1/datasets` routes): datasets and immutable versions,
 * the content-addressed blob protocol, manifests, diffs, profiles, schemas, validation and run
 * links. Runs in Node and browsers; `capstan data` builds on it.
 * @example
 * const data = new DataApi({ baseUrl: 'http://127.0.0.1:5000' });
 * const missing = await data.missingBlobs(files.map((f) => f.digest));
 * for (const d of missing) await data.putBlob(d, bytesOf(d));
 * const { version } = await data.createVersion('churn', files, { message: 'January batch' });
 */
export class DataApi {
  readonly transport: Transport;

  constructor(options: TransportOptions) {
    this.transport = new Transport({ ...options, apiPrefix: options.apiPrefix ?? '/api/v1' });
  }

  /** Creates an empty dataset (versions also create theirs). @throws RESOURCE_ALREADY_EXISTS */
  async createDataset(name: string, description?: string, options?: CallOptions): Promise<WireDatasetRecord> {
    return (await this.transport.call(routes.createDataset, { name, ...(description === undefined ? {} : { description }) }, options)).dataset;
  }

  /** One page of datasets, by name. */
  listDatasets(maxResults?: number, pageToken?: string, options?: CallOptions): Promise<{ datasets: WireDatasetRecord[]; nextPageToken?: string }> {
    return this.transport.call(routes.listDatasets, { ...(maxResults === undefined ? {} : { maxResults }), ...(pageToken ? { pageToken } : {}) }, options);
  }

  /** @throws RESOURCE_DOES_NOT_EXIST */
  async getDataset(name: string, options?: CallOptions): Promise<WireDatasetRecord> {
    return (await this.transport.call(routes.getDataset, { name }, options)).dataset;
  }

  /** The digests the server does not hold yet (asked in batches of 10,000). */
  async missingBlobs(digests: readonly string[], options?: CallOptions): Promise<string[]> {
    const unique = [...new Set(digests)];
    const out: string[] = [];
    for (let i = 0; i < unique.length; i += MISSING_BATCH) {
      out.push(...(await this.transport.call(routes.missingBlobs, { digests: unique.slice(i, i + MISSING_BATCH) }, options)).missing);
    }
    return out;
  }

  /**
   * Uploads one blob; the server hashes it and refuses bytes that do not match `digest`.
   * Pass `fetch: nodeFetch` (from `@capstan/client/node`) to stream a Node file with bounded memory.
   */
  async putBlob(digest: string, body: BlobBody, options: CallOptions & { fetch?: FetchLike; size?: number } = {}): Promise<{ stored: boolean; size: number }> {
    const response = await this.transport.request('PUT', `/datasets/blobs/${digest}`, {
      body: body as BodyInit,
      headers: { 'content-type': 'application/octet-stream', ...(options.size === undefined ? {} : { 'content-length': String(options.size) }) },
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return (await response.json()) as { stored: boolean; size: number };
  }

  /**
   * Uploads a pack of small blobs in one request: frames of `[sha256, 32 bytes][size, uint64
   * big-endian][bytes]`. The server checks every blob and keeps the pack only when all match.
   */
  async putPack(body: BlobBody, options: CallOptions & { fetch?: FetchLike; size?: number } = {}): Promise<{ stored: number; blobs: number; size: number }> {
    const response = await this.transport.request('POST', '/datasets/packs', {
      body: body as BodyInit,
      headers: { 'content-type': 'application/octet-stream', ...(options.size === undefined ? {} : { 'content-length': String(options.size) }) },
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return (await response.json()) as { stored: number; blobs: number; size: number };
  }

  /** Streams many blobs in one response, as pack frames in the order asked. @throws RESOURCE_DOES_NOT_EXIST */
  getBlobs(digests: readonly string[], options: CallOptions = {}): Promise<Response> {
    return this.transport.request('POST', '/datasets/blobs/batch', {
      body: JSON.stringify({ digests }), headers: { 'content-type': 'application/json' }, ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /** Opens a blob for download (the response body streams it). @throws RESOURCE_DOES_NOT_EXIST */
  getBlob(digest: string, options: CallOptions = {}): Promise<Response> {
    return this.transport.request('GET', `/datasets/blobs/${digest}`, options);
  }

  /** Commits a version from a manifest whose blobs are all uploaded; `created` is false when unchanged. */
  createVersion(name: string, files: WireManifestFile[], options: CreateVersionOptions = {}): Promise<{ version: WireDatasetVersion; created: boolean }> {
    const { signal, ...rest } = options;
    return this.transport.call(routes.createVersion, { name, files, ...rest }, signal ? { signal } : {});
  }

  /** One page of a dataset's versions, newest first. */
  listVersions(name: string, maxResults?: number, pageToken?: string, options?: CallOptions): Promise<{ versions: WireDatasetVersion[]; nextPageToken?: string }> {
    return this.transport.call(routes.listVersions, { name, ...(maxResults === undefined ? {} : { maxResults }), ...(pageToken ? { pageToken } : {}) }, options);
  }

  /** @throws RESOURCE_DOES_NOT_EXIST */
  async getVersion(name: string, version: number, options?: CallOptions): Promise<WireDatasetVersion> {
    return (await this.transport.call(routes.getVersion, { name, version }, options)).version;
  }

  /** A version's files, sorted by path (optionally under a folder). */
  async getManifest(name: string, version: number, prefix?: string, options?: CallOptions): Promise<WireManifestFile[]> {
    return (await this.transport.call(routes.getManifest, { name, version, ...(prefix ? { prefix } : {}) }, options)).files;
  }

  /** Added, removed, renamed and changed files; tabular files with row counts and schema changes. */
  async diff(name: string, from: number, to: number, options: CallOptions & { tables?: boolean } = {}): Promise<WireDatasetDiff> {
    return (await this.transport.call(routes.diff, { name, from, to, ...(options.tables === undefined ? {} : { tables: options.tables }) }, options)).diff;
  }

  /** Profiles a version's tabular files (cached per version unless `refresh`). */
  async profile(name: string, version: number, options: CallOptions & { files?: string; refresh?: boolean } = {}): Promise<WireDatasetProfile> {
    const { signal, ...rest } = options;
    return (await this.transport.call(routes.profile, { name, version, ...rest }, signal ? { signal } : {})).profile;
  }

  /** The stored schema, or the inferred one (`inferred: true`). */
  getSchema(name: string, version: number, options?: CallOptions): Promise<{ schema: WireDatasetSchema; inferred: boolean }> {
    return this.transport.call(routes.getSchema, { name, version }, options);
  }

  /** Stores an edited schema for a version. */
  async putSchema(name: string, version: number, schema: WireDatasetSchema, options?: CallOptions): Promise<WireDatasetSchema> {
    return (await this.transport.call(routes.putSchema, { name, version, schema }, options)).schema;
  }

  /** Runs a suite against a version; the result is stored. */
  async validate(name: string, version: number, suite: WireSuite, options?: CallOptions): Promise<WireValidationResult> {
    return (await this.transport.call(routes.validate, { name, version, suite }, options)).result;
  }

  /** Stored validation results of a version, newest first. */
  async listValidations(name: string, version: number, options?: CallOptions): Promise<WireValidationResult[]> {
    return (await this.transport.call(routes.listValidations, { name, version }, options)).validations;
  }

  /** A suite suggested from a version's profile, to edit. */
  async suggestSuite(name: string, version: number, files?: string, options?: CallOptions): Promise<WireSuite> {
    return (await this.transport.call(routes.suggestSuite, { name, version, ...(files ? { files } : {}) }, options)).suite;
  }

  /** Logs a version as an MLflow dataset input of a run; returns the digest logged. */
  async linkRun(name: string, version: number, runId: string, context?: string, options?: CallOptions): Promise<string> {
    return (await this.transport.call(routes.linkRun, { name, version, runId, ...(context ? { context } : {}) }, options)).digest;
  }
}
