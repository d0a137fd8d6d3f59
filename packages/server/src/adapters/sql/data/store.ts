import { CapstanError, invalidParameter, type WireDatasetRecord, type WireDatasetVersion, type WireValidationResult } from '@capstan/api';
import type { BlobLocation, BlobRef, DatasetDocumentKind, DatasetStore, NewDatasetVersion, OffsetPage } from '../../../ports/dataset-store.js';
import type { SqlDriver, SqlExecutor, SqlRow } from '../driver.js';

const CHUNK = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

function marks(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

function datasetOf(row: SqlRow): WireDatasetRecord {
  return {
    name: String(row.name), description: String(row.description ?? ''), creationTime: Number(row.creation_time),
    lastUpdateTime: Number(row.last_update_time), latestVersion: Number(row.next_version) - 1,
  };
}

function versionOf(row: SqlRow): WireDatasetVersion {
  return {
    name: String(row.name), version: Number(row.version), digest: String(row.digest), fileCount: Number(row.file_count),
    totalBytes: Number(row.total_bytes), message: String(row.message), creationTime: Number(row.creation_time),
    userId: String(row.user_id), tags: JSON.parse(String(row.tags)) as Record<string, string>,
  };
}

function paged<T>(rows: T[], limit: number, offset: number): OffsetPage<T> {
  return rows.length > limit ? { items: rows.slice(0, limit), nextOffset: offset + limit } : { items: rows };
}

const VERSION_COLUMNS = 'name, version, digest, file_count, total_bytes, message, user_id, tags, creation_time';

/** {@link DatasetStore} over the shared SQL driver (SQLite or PostgreSQL). */
export class SqlDatasetStore implements DatasetStore {
  constructor(private readonly db: SqlDriver) {}

  async recordBlob(blob: BlobRef, time: number): Promise<void> {
    await this.db.run('INSERT INTO dataset_blobs (digest, size, creation_time) VALUES (?, ?, ?) ON CONFLICT (digest) DO NOTHING', [blob.digest, blob.size, time]);
  }

  async recordBlobs(blobs: readonly BlobLocation[], time: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (let i = 0; i < blobs.length; i += 100) {
        const part = blobs.slice(i, i + 100);
        await tx.run(
          `INSERT INTO dataset_blobs (digest, size, creation_time, pack, pack_offset) VALUES ${part.map(() => '(?, ?, ?, ?, ?)').join(', ')} ON CONFLICT (digest) DO NOTHING`,
          part.flatMap((b) => [b.digest, b.size, time, b.pack ?? null, b.offset ?? null]),
        );
      }
    });
  }

  async blobSizes(digests: readonly string[]): Promise<Map<string, number>> {
    return sizes(this.db, digests);
  }

  async blobLocations(digests: readonly string[]): Promise<Map<string, BlobLocation>> {
    const out = new Map<string, BlobLocation>();
    for (const part of chunks([...new Set(digests)])) {
      const rows = await this.db.all<{ digest: string; size: number; pack: string | null; pack_offset: number | null }>(`SELECT digest, size, pack, pack_offset FROM dataset_blobs WHERE digest IN (${marks(part.length)})`, part);
      for (const r of rows) {
        out.set(String(r.digest), { digest: String(r.digest), size: Number(r.size), ...(r.pack === null ? {} : { pack: String(r.pack), offset: Number(r.pack_offset) }) });
      }
    }
    return out;
  }

  async createVersion(v: NewDatasetVersion): Promise<{ version: WireDatasetVersion; created: boolean }> {
    return this.db.transaction(async (tx) => {
      await tx.run("INSERT INTO data_sets (name, description, creation_time, last_update_time, next_version) VALUES (?, '', ?, ?, 1) ON CONFLICT (name) DO NOTHING", [v.name, v.time, v.time]);
      await tx.run('UPDATE data_sets SET last_update_time = last_update_time WHERE name = ?', [v.name]);
      const known = await sizes(tx, v.blobs.map((b) => b.digest));
      const missing = v.blobs.filter((b) => !known.has(b.digest));
      const wrong = v.blobs.filter((b) => known.has(b.digest) && known.get(b.digest) !== b.size);
      if (missing.length > 0 || wrong.length > 0) {
        const parts = [
          ...(missing.length ? [`${missing.length} blob${missing.length > 1 ? 's are' : ' is'} not uploaded (first: ${missing[0]!.digest})`] : []),
          ...(wrong.length ? [`${wrong.length} blob${wrong.length > 1 ? 's have' : ' has'} another size than declared (first: ${wrong[0]!.digest} is ${known.get(wrong[0]!.digest)} bytes, not ${wrong[0]!.size})`] : []),
        ];
        throw invalidParameter(`Cannot commit a version of '${v.name}': ${parts.join('; ')}. Upload missing blobs first (PUT /api/v1/datasets/blobs/{digest}).`);
      }
      if (!v.allowUnchanged) {
        const latest = await tx.get(`SELECT ${VERSION_COLUMNS} FROM dataset_versions WHERE name = ? ORDER BY version DESC LIMIT 1`, [v.name]);
        if (latest && String(latest.digest) === v.digest) return { version: versionOf(latest), created: false };
      }
      const row = await tx.get<{ next_version: number }>('UPDATE data_sets SET next_version = next_version + 1, last_update_time = ? WHERE name = ? RETURNING next_version', [v.time, v.name]);
      const number = Number(row!.next_version) - 1;
      await tx.run(`INSERT INTO dataset_versions (${VERSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
        v.name, number, v.digest, v.fileCount, v.totalBytes, v.message, v.userId, JSON.stringify(v.tags), v.time,
      ]);
      return {
        version: { name: v.name, version: number, digest: v.digest, fileCount: v.fileCount, totalBytes: v.totalBytes, message: v.message, userId: v.userId, tags: v.tags, creationTime: v.time },
        created: true,
      };
    });
  }

  async createDataset(name: string, description: string, time: number): Promise<WireDatasetRecord> {
    try {
      await this.db.run('INSERT INTO data_sets (name, description, creation_time, last_update_time, next_version) VALUES (?, ?, ?, ?, 1)', [name, description, time, time]);
    } catch (error) {
      if (this.db.dialect.isUniqueViolation(error)) throw new CapstanError('RESOURCE_ALREADY_EXISTS', `Dataset '${name}' already exists`);
      throw error;
    }
    return { name, description, creationTime: time, lastUpdateTime: time, latestVersion: 0 };
  }

  async getDataset(name: string): Promise<WireDatasetRecord | null> {
    const row = await this.db.get('SELECT * FROM data_sets WHERE name = ?', [name]);
    return row ? datasetOf(row) : null;
  }

  async listDatasets(limit: number, offset: number): Promise<OffsetPage<WireDatasetRecord>> {
    const rows = await this.db.all('SELECT * FROM data_sets ORDER BY name LIMIT ? OFFSET ?', [limit + 1, offset]);
    return paged(rows.map(datasetOf), limit, offset);
  }

  async getVersion(name: string, version: number): Promise<WireDatasetVersion | null> {
    const row = await this.db.get(`SELECT ${VERSION_COLUMNS} FROM dataset_versions WHERE name = ? AND version = ?`, [name, version]);
    return row ? versionOf(row) : null;
  }

  async listVersions(name: string, limit: number, offset: number): Promise<OffsetPage<WireDatasetVersion>> {
    const rows = await this.db.all(`SELECT ${VERSION_COLUMNS} FROM dataset_versions WHERE name = ? ORDER BY version DESC LIMIT ? OFFSET ?`, [name, limit + 1, offset]);
    return paged(rows.map(versionOf), limit, offset);
  }

  async putDocument(name: string, version: number, kind: DatasetDocumentKind, body: string, time: number): Promise<void> {
    await this.db.run(
      'INSERT INTO dataset_documents (name, version, kind, body, update_time) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name, version, kind) DO UPDATE SET body = excluded.body, update_time = excluded.update_time',
      [name, version, kind, body, time],
    );
  }

  async getDocument(name: string, version: number, kind: DatasetDocumentKind): Promise<string | null> {
    const row = await this.db.get<{ body: string }>('SELECT body FROM dataset_documents WHERE name = ? AND version = ? AND kind = ?', [name, version, kind]);
    return row ? String(row.body) : null;
  }

  async getTableInfo(digest: string, format: string): Promise<string | null> {
    const row = await this.db.get<{ body: string }>('SELECT body FROM dataset_tables WHERE digest = ? AND format = ?', [digest, format]);
    return row ? String(row.body) : null;
  }

  async putTableInfo(digest: string, format: string, body: string): Promise<void> {
    await this.db.run('INSERT INTO dataset_tables (digest, format, body) VALUES (?, ?, ?) ON CONFLICT (digest, format) DO NOTHING', [digest, format, body]);
  }

  async saveValidation(result: WireValidationResult): Promise<number> {
    const { id: _id, ...rest } = result;
    const row = await this.db.transaction((tx) => tx.get<{ validation_id: number }>(
      'INSERT INTO dataset_validations (name, version, suite, success, result, creation_time) VALUES (?, ?, ?, ?, ?, ?) RETURNING validation_id',
      [result.dataset, result.version, result.suite, result.success ? 1 : 0, JSON.stringify(rest), result.startTime],
    ));
    return Number(row!.validation_id);
  }

  async listValidations(name: string, version: number, limit: number): Promise<WireValidationResult[]> {
    const rows = await this.db.all<{ validation_id: number; result: string }>(
      'SELECT validation_id, result FROM dataset_validations WHERE name = ? AND version = ? ORDER BY validation_id DESC LIMIT ?', [name, version, limit],
    );
    return rows.map((r) => ({ ...(JSON.parse(String(r.result)) as WireValidationResult), id: Number(r.validation_id) }));
  }
}

async function sizes(db: SqlExecutor, digests: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const part of chunks([...new Set(digests)])) {
    const rows = await db.all<{ digest: string; size: number }>(`SELECT digest, size FROM dataset_blobs WHERE digest IN (${marks(part.length)})`, part);
    for (const r of rows) out.set(String(r.digest), Number(r.size));
  }
  return out;
}
