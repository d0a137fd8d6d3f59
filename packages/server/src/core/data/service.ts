import { createHash, randomUUID } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CapstanError, ErrorCode, doesNotExist, invalidParameter, isCapstanError,
  type WireDatasetDiff, type WireDatasetProfile, type WireDatasetRecord, type WireDatasetSchema, type WireDatasetVersion,
  type WireManifestFile, type WireSuite, type WireTableInfo, type WireValidationResult,
} from '@capstan/api';
import type { ArtifactObject, ArtifactStore } from '../../ports/artifact-store.js';
import type { BlobFiles, ColumnarEngine, ColumnarSession, TableFormat, TableSource } from '../../ports/columnar-engine.js';
import type { BlobLocation, DatasetStore } from '../../ports/dataset-store.js';
import type { EventBus } from '../events/bus.js';
import { decodePageToken, encodePageToken } from '../search/page-token.js';
import type { TrackingService } from '../tracking/service.js';
import { diffManifests, tableChange } from './diff.js';
import {
  blobPath, canonicalManifest, checkDatasetName, globMatcher, isDigest, manifestDigest, manifestPath, normalizeManifest, tableFormatOf,
} from './manifest.js';
import { PackParser, frameHeader } from './pack.js';
import { inferSchema, profileTable } from './profile.js';
import { ident } from './sql.js';
import { suggestSuite } from './suggest.js';
import { parseSuite, referenceTables } from './suite.js';
import { runSuite } from './validate.js';

/** What the data service is built from. */
export interface DataServiceDeps {
  store: DatasetStore;
  artifacts: ArtifactStore;
  engine: ColumnarEngine;
  blobFiles: BlobFiles;
  events?: EventBus;
  tracking?: TrackingService;
  now?: () => number;
}

/** Input of {@link DataService.createVersion}. */
export interface NewVersionInput {
  files: WireManifestFile[];
  message?: string;
  userId?: string;
  tags?: Record<string, string>;
  allowUnchanged?: boolean;
}

const MAX_PAGE = 1000;
const MANIFEST_CACHE = 32;

/**
 * Versioned datasets: content-addressed blobs (sha256, verified on upload) in the artifact store,
 * one immutable canonical manifest per version, metadata in the dataset store; diffs with row
 * counts and schema changes of tabular files; profiles, stored schemas and validation suites run
 * by the columnar engine; links to runs as MLflow dataset inputs.
 */
export class DataService {
  private readonly now: () => number;
  private readonly manifests = new Map<string, WireManifestFile[]>();

  constructor(private readonly deps: DataServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Creates an empty dataset. @throws RESOURCE_ALREADY_EXISTS */
  createDataset(name: string, description = ''): Promise<WireDatasetRecord> {
    return this.deps.store.createDataset(checkDatasetName(name), description, this.now());
  }

  /** @throws RESOURCE_DOES_NOT_EXIST */
  async getDataset(name: string): Promise<WireDatasetRecord> {
    const dataset = await this.deps.store.getDataset(name);
    if (!dataset) throw doesNotExist(`Dataset '${name}' not found`);
    return dataset;
  }

  /** One page of datasets by name. */
  async listDatasets(maxResults?: number, pageToken?: string): Promise<{ datasets: WireDatasetRecord[]; nextPageToken?: string }> {
    const page = await this.deps.store.listDatasets(pageSize(maxResults), decodePageToken(pageToken));
    return { datasets: page.items, ...(page.nextOffset === undefined ? {} : { nextPageToken: encodePageToken(page.nextOffset) }) };
  }

  /** The digests among `digests` whose blobs the server does not hold yet. */
  async missingBlobs(digests: readonly string[]): Promise<string[]> {
    const unique = [...new Set(digests)];
    for (const d of unique) if (!isDigest(d)) throw invalidParameter(`Invalid digest '${d}': expected sha256 as 64 lower-case hex digits`);
    const known = await this.deps.store.blobSizes(unique);
    return unique.filter((d) => !known.has(d));
  }

  /**
   * Stores a blob streamed by a client, hashing it on the way; it becomes usable only when its
   * sha256 equals `digest`. A blob already held is not written again (the body is drained).
   * @throws CapstanError INVALID_PARAMETER_VALUE when the bytes do not hash to `digest`.
   */
  async putBlob(digest: string, body: Readable): Promise<{ stored: boolean; size: number }> {
    if (!isDigest(digest)) throw invalidParameter(`Invalid digest '${digest}': expected sha256 as 64 lower-case hex digits`);
    const known = (await this.deps.store.blobSizes([digest])).get(digest);
    if (known !== undefined) {
      body.resume();
      await new Promise<void>((resolve) => (body.readableEnded ? resolve() : body.once('end', resolve).once('error', () => resolve()).once('close', resolve)));
      return { stored: false, size: known };
    }
    const hash = createHash('sha256');
    let size = 0;
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    });
    const path = blobPath(digest);
    const writing = this.deps.artifacts.put(path, hashing);
    await Promise.all([pipeline(body, hashing), writing]);
    const actual = hash.digest('hex');
    if (actual !== digest) {
      if ((await this.deps.store.blobSizes([digest])).get(digest) === undefined) await this.deps.artifacts.delete(path);
      throw invalidParameter(`Blob content does not match its digest: the bytes hash to ${actual}, not ${digest}`);
    }
    await this.deps.store.recordBlob({ digest, size }, this.now());
    return { stored: true, size };
  }

  /**
   * Stores a pack of small blobs in one object (frames of `[sha256][size uint64 BE][bytes]`), each
   * blob hashed on the way; the pack is kept only when every blob matches its digest, and only
   * blobs not held yet are recorded (a pack adding nothing is removed again).
   * @throws CapstanError INVALID_PARAMETER_VALUE for a malformed pack or a blob whose bytes do not match.
   */
  async putPack(body: Readable): Promise<{ stored: number; blobs: number; size: number }> {
    const id = randomUUID();
    const path = packPath(id);
    const parser = new PackParser();
    try {
      await Promise.all([pipeline(body, parser), this.deps.artifacts.put(path, parser)]);
    } catch (e) {
      await this.deps.artifacts.delete(path).catch(() => undefined);
      throw e;
    }
    if (parser.mismatch !== null) {
      await this.deps.artifacts.delete(path);
      throw invalidParameter(`Blob content does not match its digest in the pack: ${parser.mismatch}`);
    }
    const known = await this.deps.store.blobSizes(parser.entries.map((e) => e.digest));
    const fresh = new Map<string, BlobLocation>();
    for (const e of parser.entries) if (!known.has(e.digest)) fresh.set(e.digest, { digest: e.digest, size: e.size, pack: id, offset: e.offset });
    if (fresh.size === 0) await this.deps.artifacts.delete(path);
    else await this.deps.store.recordBlobs([...fresh.values()], this.now());
    return { stored: fresh.size, blobs: parser.entries.length, size: parser.entries.reduce((s, e) => s + e.size, 0) };
  }

  /** Opens a blob for reading, whole or out of its pack. @throws RESOURCE_DOES_NOT_EXIST */
  async getBlob(digest: string): Promise<ArtifactObject> {
    const location = isDigest(digest) ? (await this.deps.store.blobLocations([digest])).get(digest) : undefined;
    if (!location) throw doesNotExist(`Blob '${digest}' not found`);
    return { stream: await this.openLocation(location), size: location.size };
  }

  /**
   * Streams many blobs as frames (`[sha256][size uint64 BE][bytes]`, in the order given), reading
   * each pack once. @throws RESOURCE_DOES_NOT_EXIST naming the first unknown digest
   */
  async getBlobs(digests: readonly string[]): Promise<{ stream: Readable; size: number }> {
    const unique = [...new Set(digests)];
    const locations = await this.deps.store.blobLocations(unique);
    const unknown = unique.find((d) => !locations.has(d));
    if (unknown !== undefined) throw doesNotExist(`Blob '${unknown}' not found`);
    const ordered = unique.map((d) => locations.get(d)!);
    const size = ordered.reduce((s, l) => s + 40 + l.size, 0);
    const byPack = new Map<string, BlobLocation[]>();
    const loose: BlobLocation[] = [];
    for (const l of ordered) {
      if (l.pack === undefined) loose.push(l);
      else byPack.set(l.pack, [...(byPack.get(l.pack) ?? []), l]);
    }
    const artifacts = this.deps.artifacts;
    async function* frames(): AsyncGenerator<Buffer> {
      for (const [pack, members] of byPack) {
        members.sort((a, b) => a.offset! - b.offset!);
        const object = await artifacts.get(packPath(pack));
        yield* slices(object.stream, members);
      }
      for (const l of loose) {
        yield frameHeader(l.digest, l.size);
        for await (const chunk of (await artifacts.get(blobPath(l.digest))).stream) yield chunk as Buffer;
      }
    }
    return { stream: Readable.from(frames()), size };
  }

  private async openLocation(location: BlobLocation): Promise<Readable> {
    if (location.pack === undefined) return (await this.deps.artifacts.get(blobPath(location.digest))).stream;
    const object = await this.deps.artifacts.get(packPath(location.pack));
    return Readable.from(slices(object.stream, [location], false));
  }

  private opener(digest: string): () => Promise<Readable> {
    return async () => (await this.getBlob(digest)).stream;
  }

  /**
   * Commits a version: the manifest is checked and stored (content-addressed), then in one
   * transaction every blob is checked present with its size and the version numbered. When the
   * latest version has the same digest, it is returned with `created: false` instead (unless
   * `allowUnchanged`). Publishes `dataset_version.created` after a commit.
   * @throws CapstanError INVALID_PARAMETER_VALUE for a bad manifest or missing blobs.
   */
  async createVersion(name: string, input: NewVersionInput): Promise<{ version: WireDatasetVersion; created: boolean }> {
    checkDatasetName(name);
    const files = normalizeManifest(input.files);
    const canonical = canonicalManifest(files);
    const digest = manifestDigest(canonical);
    const blobs = new Map<string, number>();
    for (const f of files) {
      const seen = blobs.get(f.digest);
      if (seen !== undefined && seen !== f.size) throw invalidParameter(`Blob ${f.digest} is listed with two sizes (${seen} and ${f.size})`);
      blobs.set(f.digest, f.size);
    }
    const path = manifestPath(digest);
    if ((await this.deps.artifacts.stat(path)) === null) await this.deps.artifacts.put(path, Readable.from([Buffer.from(canonical)]));
    const result = await this.deps.store.createVersion({
      name, digest, fileCount: files.length, totalBytes: files.reduce((s, f) => s + f.size, 0),
      message: input.message ?? '', userId: input.userId ?? '', tags: input.tags ?? {}, time: this.now(),
      blobs: [...blobs].map(([d, size]) => ({ digest: d, size })), allowUnchanged: input.allowUnchanged ?? false,
    });
    if (result.created) this.deps.events?.publish('dataset_version.created', { dataset: name, version: String(result.version.version), digest });
    return result;
  }

  /** @throws RESOURCE_DOES_NOT_EXIST */
  async getVersion(name: string, version: number): Promise<WireDatasetVersion> {
    const v = await this.deps.store.getVersion(name, version);
    if (!v) {
      const dataset = await this.deps.store.getDataset(name);
      throw doesNotExist(dataset ? `Version ${version} of dataset '${name}' not found (latest is ${dataset.latestVersion})` : `Dataset '${name}' not found`);
    }
    return v;
  }

  /** One page of a dataset's versions, newest first. @throws RESOURCE_DOES_NOT_EXIST */
  async listVersions(name: string, maxResults?: number, pageToken?: string): Promise<{ versions: WireDatasetVersion[]; nextPageToken?: string }> {
    await this.getDataset(name);
    const page = await this.deps.store.listVersions(name, pageSize(maxResults), decodePageToken(pageToken));
    return { versions: page.items, ...(page.nextOffset === undefined ? {} : { nextPageToken: encodePageToken(page.nextOffset) }) };
  }

  /** The files of a version, sorted by path (optionally under a folder prefix). */
  async getManifest(name: string, version: number, prefix?: string): Promise<WireManifestFile[]> {
    const v = await this.getVersion(name, version);
    const files = await this.readManifest(v.digest);
    if (!prefix) return files;
    const p = prefix.replace(/\/+$/, '');
    return files.filter((f) => f.path === p || f.path.startsWith(`${p}/`));
  }

  /** What changed from version `from` to `to`; tabular files also get row counts and schema changes. */
  async diff(name: string, from: number, to: number, tables = true): Promise<WireDatasetDiff> {
    const [a, b] = await Promise.all([this.getManifest(name, from), this.getManifest(name, to)]);
    const d = diffManifests(a, b);
    const rows = async (f: WireManifestFile) => {
      if (!tables || !tableFormatOf(f.path)) return f;
      const info = await this.tableInfo(f).catch(() => null);
      return info ? { ...f, rows: info.rowCount } : f;
    };
    const changed = [];
    for (const c of d.changed) {
      if (!tables || !tableFormatOf(c.path)) {
        changed.push(c);
        continue;
      }
      try {
        changed.push({ ...c, table: tableChange(await this.tableInfo(c.from), await this.tableInfo(c.to)) });
      } catch (e) {
        changed.push({ ...c, tableError: isCapstanError(e) ? e.message : String(e) });
      }
    }
    return {
      name, from, to,
      added: await mapLimit(d.added, 4, rows), removed: await mapLimit(d.removed, 4, rows),
      changed, renamed: d.renamed, unchanged: d.unchanged,
    };
  }

  /** Profiles a version's tabular files (all, or those matching `files`), read as one table; cached per version. */
  async profile(name: string, version: number, files?: string, refresh = false): Promise<WireDatasetProfile> {
    if (!files && !refresh) {
      const cached = await this.deps.store.getDocument(name, version, 'profile');
      if (cached) return JSON.parse(cached) as WireDatasetProfile;
    }
    const started = this.now();
    const { session, paths } = await this.openVersion(name, version, files);
    try {
      const result = await profileTable(session, 't');
      const profile: WireDatasetProfile = { rowCount: result.rowCount, files: paths, columns: result.columns, computeMs: this.now() - started };
      if (!files) await this.deps.store.putDocument(name, version, 'profile', JSON.stringify(profile), this.now());
      return profile;
    } finally {
      await session.close();
    }
  }

  /** The version's stored schema, or the one inferred from its profile (`inferred: true`). */
  async getSchema(name: string, version: number): Promise<{ schema: WireDatasetSchema; inferred: boolean }> {
    await this.getVersion(name, version);
    const stored = await this.deps.store.getDocument(name, version, 'schema');
    if (stored) return { schema: JSON.parse(stored) as WireDatasetSchema, inferred: false };
    return { schema: inferSchema(await this.profile(name, version)), inferred: true };
  }

  /** Stores an edited schema for a version. @throws INVALID_PARAMETER_VALUE for duplicate column names */
  async putSchema(name: string, version: number, schema: WireDatasetSchema): Promise<WireDatasetSchema> {
    await this.getVersion(name, version);
    const seen = new Set<string>();
    for (const c of schema.columns) {
      if (seen.has(c.name)) throw invalidParameter(`The schema lists column '${c.name}' twice`);
      seen.add(c.name);
    }
    const clean = { columns: schema.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable })) };
    await this.deps.store.putDocument(name, version, 'schema', JSON.stringify(clean), this.now());
    return clean;
  }

  /**
   * Runs a suite against a version and stores the result. Checks that fail (including those
   * naming missing columns) make `success` false; a malformed suite is an error.
   * @throws CapstanError INVALID_PARAMETER_VALUE for a malformed suite, a version without tabular
   * files or unreadable files; RESOURCE_DOES_NOT_EXIST for unknown versions (also references).
   */
  async validate(name: string, version: number, suiteDoc: WireSuite | unknown): Promise<WireValidationResult> {
    const startTime = this.now();
    const suite = parseSuite(suiteDoc, name);
    const refs = referenceTables(suite);
    const main = await this.versionSources(name, version, suite.files);
    const sources: TableSource[] = [{ name: 't', format: main.format, files: main.files, labels: main.paths }];
    for (const ref of refs) {
      const refVersion = ref.version ?? (await this.getDataset(ref.dataset)).latestVersion;
      const s = await this.versionSources(ref.dataset, refVersion, ref.files);
      sources.push({ name: ref.table, format: s.format, files: s.files, labels: s.paths.map((p) => `${ref.dataset}@${refVersion}/${p}`) });
    }
    const session = await this.deps.engine.open(sources);
    let outcome;
    try {
      outcome = await runSuite(suite, { session, table: 't', now: startTime, schema: async () => (await this.getSchema(name, version)).schema });
    } finally {
      await session.close();
    }
    const successful = outcome.results.filter((r) => r.success).length;
    const result: WireValidationResult = {
      dataset: name, version, suite: suite.name, success: successful === outcome.results.length,
      statistics: { evaluated: outcome.results.length, successful, failed: outcome.results.length - successful },
      rowCount: outcome.rowCount, results: outcome.results, startTime, durationMs: this.now() - startTime,
    };
    result.id = await this.deps.store.saveValidation(result);
    return result;
  }

  /** Validation results of a version, newest first. */
  async listValidations(name: string, version: number): Promise<WireValidationResult[]> {
    await this.getVersion(name, version);
    return this.deps.store.listValidations(name, version, 100);
  }

  /** A starting suite from a version's profile (every check passes on that version). */
  async suggestSuite(name: string, version: number, files?: string): Promise<WireSuite> {
    const suite = suggestSuite(name, await this.profile(name, version, files));
    return files ? { ...suite, files } : suite;
  }

  /**
   * Logs a version as an MLflow dataset input of a run (source type `capstan`, source
   * `{"uri": "capstan-data:/NAME@VERSION"}`), so `mlflow` clients list it on the run.
   * @returns the digest logged (the first 32 hex digits of the version digest).
   */
  async linkRun(name: string, version: number, runId: string, context?: string): Promise<string> {
    const tracking = this.deps.tracking;
    if (!tracking) throw new CapstanError(ErrorCode.NOT_IMPLEMENTED, 'This server has no tracking service to link runs to');
    const v = await this.getVersion(name, version);
    const profile = await this.deps.store.getDocument(name, version, 'profile');
    const schemaDoc = await this.deps.store.getDocument(name, version, 'schema');
    const columns = schemaDoc ? (JSON.parse(schemaDoc) as WireDatasetSchema).columns : profile ? inferSchema(JSON.parse(profile) as WireDatasetProfile).columns : null;
    const digest = v.digest.slice(0, 32);
    await tracking.logInputs(runId, [{
      tags: context ? [{ key: 'mlflow.data.context', value: context }] : [],
      dataset: {
        name, digest, sourceType: 'capstan',
        source: JSON.stringify({ uri: `capstan-data:/${name}@${version}`, digest: v.digest }),
        ...(columns ? { schema: JSON.stringify({ mlflow_colspec: columns.map((c) => ({ name: c.name, type: mlflowType(c.type) })) }) } : {}),
        profile: JSON.stringify({ num_files: v.fileCount, num_bytes: v.totalBytes, ...(profile ? { num_rows: (JSON.parse(profile) as WireDatasetProfile).rowCount } : {}) }),
      },
    }], []);
    return digest;
  }

  /**
   * Rows of a version's tabular files as plain records: all of them up to `maxRows`, else a
   * seeded uniform sample of `maxRows` (monitoring references are built from these). CSV columns
   * that type detection would make boolean (`yes`/`no`) keep their text, as a model's labels do.
   * @throws INVALID_PARAMETER_VALUE when the version has no tabular files or they cannot be read
   */
  async sampleRows(name: string, version: number, maxRows: number): Promise<{ rows: Record<string, unknown>[]; total: number; sampled: boolean }> {
    const s = await this.versionSources(name, version);
    const source = { name: 't', format: s.format, files: s.files, labels: s.paths };
    let session = await this.deps.engine.open([source]);
    const booleans = s.format === 'csv' ? (await session.columns('t')).filter((c) => c.type === 'BOOLEAN').map((c) => c.name) : [];
    if (booleans.length) {
      await session.close();
      session = await this.deps.engine.open([{ ...source, textColumns: booleans }]);
    }
    try {
      const total = Number((await session.query('SELECT count(*) AS n FROM t'))[0]?.n ?? 0);
      const sampled = total > maxRows;
      const limit = Math.max(0, Math.floor(maxRows));
      const rows = await session.query(sampled ? `SELECT * FROM t USING SAMPLE reservoir(${limit} ROWS) REPEATABLE (7)` : 'SELECT * FROM t');
      return { rows, total, sampled };
    } finally {
      await session.close();
    }
  }

  /** Cached row count and columns of one tabular file. */
  async tableInfo(file: WireManifestFile): Promise<WireTableInfo> {
    const kind = tableFormatOf(file.path);
    if (!kind) throw invalidParameter(`'${file.path}' is not a tabular file`);
    const cached = await this.deps.store.getTableInfo(file.digest, kind.suffix);
    if (cached) return JSON.parse(cached) as WireTableInfo;
    const local = await this.deps.blobFiles.localPath(file.digest, kind.suffix, this.opener(file.digest));
    const session = await this.deps.engine.open([{ name: 't', format: kind.format, files: [local], labels: [file.path] }]);
    try {
      const columns = await session.columns('t');
      const rows = await session.query(`SELECT count(*) AS n FROM ${ident('t')}`);
      const info: WireTableInfo = { format: kind.format, rowCount: Number(rows[0]?.n ?? 0), columns };
      await this.deps.store.putTableInfo(file.digest, kind.suffix, JSON.stringify(info));
      return info;
    } finally {
      await session.close();
    }
  }

  private async readManifest(digest: string): Promise<WireManifestFile[]> {
    const cached = this.manifests.get(digest);
    if (cached) return cached;
    const object = await this.deps.artifacts.get(manifestPath(digest));
    const chunks: Buffer[] = [];
    for await (const chunk of object.stream) chunks.push(chunk as Buffer);
    const files = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { files: WireManifestFile[] }).files;
    if (this.manifests.size >= MANIFEST_CACHE) this.manifests.delete(this.manifests.keys().next().value!);
    this.manifests.set(digest, files);
    return files;
  }

  /** Local paths of a version's tabular files (optionally matching a glob), all of one format. */
  private async versionSources(name: string, version: number, glob?: string): Promise<{ format: TableFormat; files: string[]; paths: string[] }> {
    const manifest = await this.getManifest(name, version);
    const match = glob ? globMatcher(glob) : () => true;
    const tabular = manifest.flatMap((f) => {
      const kind = tableFormatOf(f.path);
      return kind && match(f.path) ? [{ file: f, kind }] : [];
    });
    if (tabular.length === 0) {
      throw invalidParameter(`${name}@${version} has no tabular files${glob ? ` matching '${glob}'` : ''} (CSV, TSV, Parquet or JSON lines)`);
    }
    const formats = new Set(tabular.map((t) => t.kind.format));
    if (formats.size > 1) throw invalidParameter(`${name}@${version} mixes tabular formats (${[...formats].join(', ')}): choose files of one format with a glob such as '*.parquet'`);
    const files = await mapLimit(tabular, 4, (t) => this.deps.blobFiles.localPath(t.file.digest, t.kind.suffix, this.opener(t.file.digest)));
    return { format: tabular[0]!.kind.format, files, paths: tabular.map((t) => t.file.path) };
  }

  private async openVersion(name: string, version: number, glob?: string): Promise<{ session: ColumnarSession; paths: string[] }> {
    const s = await this.versionSources(name, version, glob);
    return { session: await this.deps.engine.open([{ name: 't', format: s.format, files: s.files, labels: s.paths }]), paths: s.paths };
  }
}

/** Store path of a pack: `datasets/packs/ab/<uuid>`. */
function packPath(id: string): string {
  return `datasets/packs/${id.slice(0, 2)}/${id}`;
}

/**
 * The bytes of `members` (sorted by offset) out of a pack stream, each preceded by its frame header
 * when `framed`; the rest of the pack is skipped and the stream closed after the last member.
 */
async function* slices(stream: Readable, members: BlobLocation[], framed = true): AsyncGenerator<Buffer> {
  let position = 0;
  let m = 0;
  let remaining = -1;
  try {
    for await (const raw of stream) {
      const chunk = raw as Buffer;
      let i = 0;
      while (i < chunk.length && m < members.length) {
        const member = members[m]!;
        if (remaining < 0) {
          const skip = Math.min(member.offset! - (position + i), chunk.length - i);
          i += skip;
          if (position + i < member.offset!) break;
          if (framed) yield frameHeader(member.digest, member.size);
          remaining = member.size;
        }
        const take = Math.min(remaining, chunk.length - i);
        if (take > 0) yield chunk.subarray(i, i + take);
        i += take;
        remaining -= take;
        if (remaining === 0) {
          remaining = -1;
          m++;
        }
      }
      position += chunk.length;
      if (m >= members.length) break;
    }
    for (; m < members.length && members[m]!.size === 0 && members[m]!.offset === position; m++) if (framed) yield frameHeader(members[m]!.digest, 0);
  } finally {
    stream.destroy();
  }
  if (m < members.length) throw new CapstanError(ErrorCode.INTERNAL_ERROR, `A pack in the artifact store is shorter than its index says (blob ${members[m]!.digest})`);
}

function pageSize(maxResults: number | undefined): number {
  if (maxResults === undefined) return 100;
  if (!Number.isSafeInteger(maxResults) || maxResults < 1 || maxResults > MAX_PAGE) throw invalidParameter(`maxResults must be between 1 and ${MAX_PAGE}, got ${maxResults}`);
  return maxResults;
}

function mlflowType(type: string): string {
  const t = type.toUpperCase();
  if (/^(TINYINT|SMALLINT|INTEGER|UTINYINT|USMALLINT)$/.test(t)) return 'integer';
  if (/INT/.test(t)) return 'long';
  if (t === 'FLOAT') return 'float';
  if (t === 'DOUBLE' || t.startsWith('DECIMAL')) return 'double';
  if (t === 'BOOLEAN') return 'boolean';
  if (t.startsWith('TIMESTAMP') || t === 'DATE') return 'datetime';
  if (t === 'BLOB') return 'binary';
  return 'string';
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
