import { randomUUID } from 'node:crypto';
import { CapstanError, doesNotExist, invalidParameter } from '@capstan/api';
import type {
  DatasetInput, Experiment, KeyValue, LifecycleStage, LoggedModel, LoggedModelStatus, Metric,
  ModelVersion, Page, RegisteredModel, Run, RunInfo, RunStatus, Stage, RegistryChange, RegistryChangeKind,
} from '../../core/model.js';
import type {
  MetadataStore, MetadataStoreCapabilities, NewModelVersion, RunBatch, SearchQuery, ViewType,
} from '../../ports/metadata-store.js';
import type { SqlDriver, SqlExecutor, SqlRow, SqlValue } from './driver.js';
import {
  EXPERIMENTS, MODEL_VERSIONS, REGISTERED_MODELS, RUNS, loggedModelsMapping, orderSql, whereSql,
  type Fragment,
} from './filters.js';

const CHUNK = 500;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function marks(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

function stages(view: ViewType): LifecycleStage[] {
  return view === 'ALL' ? ['active', 'deleted'] : view === 'DELETED_ONLY' ? ['deleted'] : ['active'];
}

/** Splits a metric value into the stored (value, is_nan) pair; NaN is not storable in SQLite. */
function storedValue(value: number): [number, number] {
  return Number.isNaN(value) ? [0, 1] : [value, 0];
}

function metricValue(row: SqlRow): number {
  return Number(row.is_nan) ? Number.NaN : Number(row.value);
}

function page<T>(rows: T[], query: { maxResults: number; offset: number }): Page<T> {
  if (rows.length > query.maxResults) return { items: rows.slice(0, query.maxResults), nextOffset: query.offset + query.maxResults };
  return { items: rows };
}

function groupBy<T>(rows: SqlRow[], key: string, map: (row: SqlRow) => T): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const k = String(row[key]);
    let list = out.get(k);
    if (!list) out.set(k, (list = []));
    list.push(map(row));
  }
  return out;
}

/** A nullable column as a string or null. */
const opt = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

const kv = (row: SqlRow): KeyValue => ({ key: String(row.key), value: String(row.value) });

function runInfoOf(row: SqlRow): RunInfo {
  return {
    runId: String(row.run_uuid),
    runName: String(row.name),
    experimentId: String(row.experiment_id),
    userId: String(row.user_id),
    status: row.status as RunStatus,
    startTime: Number(row.start_time),
    endTime: row.end_time === null || row.end_time === undefined ? null : Number(row.end_time),
    artifactUri: String(row.artifact_uri),
    lifecycleStage: row.lifecycle_stage as LifecycleStage,
  };
}

function versionOf(row: SqlRow, tags: KeyValue[], aliases: string[]): ModelVersion {
  return {
    name: String(row.name),
    version: Number(row.version),
    creationTimestamp: Number(row.creation_timestamp),
    lastUpdatedTimestamp: Number(row.last_updated_timestamp),
    userId: opt(row.user_id),
    currentStage: row.current_stage as Stage,
    description: opt(row.description),
    source: String(row.source),
    storageLocation: String(row.storage_location),
    runId: opt(row.run_id),
    runLink: opt(row.run_link),
    status: row.status as ModelVersion['status'],
    statusMessage: opt(row.status_message),
    modelId: opt(row.model_id),
    tags,
    aliases,
  };
}

/**
 * The metadata store over SQL, shared by SQLite and PostgreSQL: the dialect supplies the
 * differences, this class holds the queries. Multi-statement writes run in one transaction.
 */
export class SqlMetadataStore implements MetadataStore {
  readonly capabilities: MetadataStoreCapabilities;

  constructor(private readonly db: SqlDriver) {
    this.capabilities = { storeType: 'SqlStore', backend: db.dialect.name };
  }

  close(): Promise<void> {
    return this.db.close();
  }

  private async uniquely<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (this.db.dialect.isUniqueViolation(error)) throw new CapstanError('RESOURCE_ALREADY_EXISTS', what);
      throw error;
    }
  }

  // ---- experiments ---------------------------------------------------------------------------

  async createExperiment(input: Parameters<MetadataStore['createExperiment']>[0]): Promise<string> {
    return this.uniquely(`Experiment(name=${input.name}) already exists.`, () =>
      this.db.transaction(async (tx) => {
        const taken = await tx.get('SELECT 1 AS x FROM experiments WHERE name = ?', [input.name]);
        if (taken) throw new CapstanError('RESOURCE_ALREADY_EXISTS', `Experiment(name=${input.name}) already exists.`);
        const explicit = input.experimentId !== undefined;
        const row = await tx.get<{ experiment_id: number }>(
          `INSERT INTO experiments (${explicit ? 'experiment_id, ' : ''}name, artifact_location, lifecycle_stage, creation_time, last_update_time)
           VALUES (${explicit ? '?, ' : ''}?, '', 'active', ?, ?) RETURNING experiment_id`,
          [...(explicit ? [Number(input.experimentId)] : []), input.name, input.time, input.time],
        );
        const id = String(row!.experiment_id);
        const location = typeof input.artifactLocation === 'function' ? input.artifactLocation(id) : input.artifactLocation;
        await tx.run('UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?', [location, Number(id)]);
        for (const tag of input.tags) {
          await tx.run('INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?) ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value', [Number(id), tag.key, tag.value]);
        }
        return id;
      }),
    );
  }

  private async experimentsWhere(where: string, params: SqlValue[], suffix = '', db: SqlExecutor = this.db): Promise<Experiment[]> {
    const rows = await db.all(`SELECT * FROM experiments e WHERE ${where} ${suffix}`, params);
    if (rows.length === 0) return [];
    const ids = rows.map((r) => Number(r.experiment_id));
    const tags = groupBy(await db.all(`SELECT * FROM experiment_tags WHERE experiment_id IN (${marks(ids.length)}) ORDER BY key`, ids), 'experiment_id', kv);
    return rows.map((r) => ({
      experimentId: String(r.experiment_id),
      name: String(r.name),
      artifactLocation: String(r.artifact_location),
      lifecycleStage: r.lifecycle_stage as LifecycleStage,
      creationTime: Number(r.creation_time),
      lastUpdateTime: Number(r.last_update_time),
      tags: tags.get(String(r.experiment_id)) ?? [],
    }));
  }

  private static numericId(id: string): number | null {
    return /^\d{1,15}$/.test(id) ? Number(id) : null;
  }

  async getExperiment(experimentId: string): Promise<Experiment | null> {
    const id = SqlMetadataStore.numericId(experimentId);
    if (id === null) return null;
    return (await this.experimentsWhere('e.experiment_id = ?', [id]))[0] ?? null;
  }

  async getExperimentByName(name: string): Promise<Experiment | null> {
    return (await this.experimentsWhere('e.name = ?', [name]))[0] ?? null;
  }

  async searchExperiments(query: SearchQuery & { viewType: ViewType }): Promise<Page<Experiment>> {
    const life = stages(query.viewType);
    const where = whereSql(this.db.dialect, EXPERIMENTS, query.filter);
    const order = query.orderBy.length
      ? orderSql(EXPERIMENTS, query.orderBy, 'e.experiment_id ASC')
      : { sql: 'e.last_update_time DESC, e.experiment_id DESC', params: [] };
    const rows = await this.experimentsWhere(
      `e.lifecycle_stage IN (${marks(life.length)}) AND ${where.sql}`,
      [...life, ...where.params, ...order.params, query.maxResults + 1, query.offset],
      `ORDER BY ${order.sql} LIMIT ? OFFSET ?`,
    );
    return page(rows, query);
  }

  private async requireExperiment(tx: SqlExecutor, experimentId: string): Promise<number> {
    const id = SqlMetadataStore.numericId(experimentId);
    const row = id === null ? undefined : await tx.get('SELECT experiment_id FROM experiments WHERE experiment_id = ?', [id]);
    if (!row) throw doesNotExist(`No Experiment with id=${experimentId} exists`);
    return id!;
  }

  async renameExperiment(experimentId: string, newName: string, time: number): Promise<void> {
    await this.uniquely(`Experiment(name=${newName}) already exists.`, () =>
      this.db.transaction(async (tx) => {
        const id = await this.requireExperiment(tx, experimentId);
        const taken = await tx.get('SELECT 1 AS x FROM experiments WHERE name = ? AND experiment_id <> ?', [newName, id]);
        if (taken) throw new CapstanError('RESOURCE_ALREADY_EXISTS', `Experiment(name=${newName}) already exists.`);
        await tx.run('UPDATE experiments SET name = ?, last_update_time = ? WHERE experiment_id = ?', [newName, time, id]);
      }),
    );
  }

  async setExperimentLifecycle(experimentId: string, stage: LifecycleStage, time: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      const id = await this.requireExperiment(tx, experimentId);
      await tx.run('UPDATE experiments SET lifecycle_stage = ?, last_update_time = ? WHERE experiment_id = ?', [stage, time, id]);
      await tx.run('UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE experiment_id = ?', [stage, stage === 'deleted' ? time : null, id]);
    });
  }

  async setExperimentTag(experimentId: string, tag: KeyValue): Promise<void> {
    await this.db.transaction(async (tx) => {
      const id = await this.requireExperiment(tx, experimentId);
      await tx.run('INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?) ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value', [id, tag.key, tag.value]);
    });
  }

  async deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const id = await this.requireExperiment(tx, experimentId);
      const { changes } = await tx.run('DELETE FROM experiment_tags WHERE experiment_id = ? AND key = ?', [id, key]);
      if (changes === 0) throw doesNotExist(`No tag with name: ${key} in experiment with id ${experimentId}`);
    });
  }

  // ---- runs ----------------------------------------------------------------------------------

  async createRun(info: RunInfo, tags: KeyValue[]): Promise<void> {
    await this.uniquely(`Run '${info.runId}' already exists.`, () =>
      this.db.transaction(async (tx) => {
        await this.requireExperiment(tx, info.experimentId);
        await tx.run(
          `INSERT INTO runs (run_uuid, name, experiment_id, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [info.runId, info.runName, Number(info.experimentId), info.userId, info.status, info.startTime, info.endTime, info.artifactUri, info.lifecycleStage],
        );
        await this.upsertTags(tx, info.runId, tags);
      }),
    );
  }

  private async upsertTags(tx: SqlExecutor, runId: string, tags: readonly KeyValue[]): Promise<void> {
    const latest = new Map(tags.map((t) => [t.key, t.value]));
    for (const part of chunks([...latest])) {
      await tx.run(
        `INSERT INTO tags (run_uuid, key, value) VALUES ${part.map(() => '(?, ?, ?)').join(', ')} ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value`,
        part.flatMap(([k, v]) => [runId, k, v]),
      );
    }
  }

  private async loadRuns(rows: SqlRow[]): Promise<Run[]> {
    if (rows.length === 0) return [];
    const runs = new Map<string, Run>();
    for (const row of rows) {
      const info = runInfoOf(row);
      runs.set(info.runId, {
        info,
        data: { metrics: [], params: [], tags: [] },
        inputs: { datasetInputs: [], modelInputs: [] },
        outputs: { modelOutputs: [] },
      });
    }
    for (const ids of chunks([...runs.keys()])) {
      const inIds = `(${marks(ids.length)})`;
      const [metrics, params, tags, datasets, models, outputs] = await Promise.all([
        this.db.all(`SELECT * FROM latest_metrics WHERE run_uuid IN ${inIds} ORDER BY key`, ids),
        this.db.all(`SELECT * FROM params WHERE run_uuid IN ${inIds} ORDER BY key`, ids),
        this.db.all(`SELECT * FROM tags WHERE run_uuid IN ${inIds} ORDER BY key`, ids),
        this.db.all(
          `SELECT i.input_uuid, i.destination_id, d.name, d.digest, d.source_type, d.source, d.schema, d.profile
           FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id
           WHERE i.destination_id IN ${inIds} AND i.source_type = 'DATASET' ORDER BY d.name, d.digest`, ids),
        this.db.all(`SELECT destination_id, source_id FROM inputs WHERE destination_id IN ${inIds} AND source_type = 'MODEL' ORDER BY source_id`, ids),
        this.db.all(`SELECT * FROM run_model_outputs WHERE run_uuid IN ${inIds} ORDER BY step, model_id`, ids),
      ]);
      const inputTags = datasets.length
        ? groupBy(await this.db.all(`SELECT * FROM input_tags WHERE input_uuid IN (${marks(datasets.length)}) ORDER BY key`, datasets.map((d) => String(d.input_uuid))), 'input_uuid', kv)
        : new Map<string, KeyValue[]>();
      for (const m of metrics) runs.get(String(m.run_uuid))!.data.metrics.push({ key: String(m.key), value: metricValue(m), timestamp: Number(m.timestamp), step: Number(m.step) });
      for (const p of params) runs.get(String(p.run_uuid))!.data.params.push(kv(p));
      for (const t of tags) runs.get(String(t.run_uuid))!.data.tags.push(kv(t));
      for (const d of datasets) {
        const dataset: DatasetInput['dataset'] = { name: String(d.name), digest: String(d.digest), sourceType: String(d.source_type), source: String(d.source) };
        if (d.schema !== null && d.schema !== undefined) dataset.schema = String(d.schema);
        if (d.profile !== null && d.profile !== undefined) dataset.profile = String(d.profile);
        runs.get(String(d.destination_id))!.inputs.datasetInputs.push({ tags: inputTags.get(String(d.input_uuid)) ?? [], dataset });
      }
      for (const m of models) runs.get(String(m.destination_id))!.inputs.modelInputs.push({ modelId: String(m.source_id) });
      for (const o of outputs) runs.get(String(o.run_uuid))!.outputs.modelOutputs.push({ modelId: String(o.model_id), step: Number(o.step) });
    }
    return [...runs.values()];
  }

  async getRun(runId: string): Promise<Run | null> {
    const row = await this.db.get('SELECT * FROM runs WHERE run_uuid = ?', [runId]);
    return row ? (await this.loadRuns([row]))[0]! : null;
  }

  async getRunInfo(runId: string): Promise<RunInfo | null> {
    const row = await this.db.get('SELECT * FROM runs WHERE run_uuid = ?', [runId]);
    return row ? runInfoOf(row) : null;
  }

  private async requireRun(tx: SqlExecutor, runId: string): Promise<RunInfo> {
    const row = await tx.get('SELECT * FROM runs WHERE run_uuid = ?', [runId]);
    if (!row) throw doesNotExist(`Run with id=${runId} not found`);
    return runInfoOf(row);
  }

  async updateRunInfo(runId: string, patch: { status?: RunStatus; endTime?: number; runName?: string }): Promise<RunInfo> {
    return this.db.transaction(async (tx) => {
      const info = await this.requireRun(tx, runId);
      const next: RunInfo = {
        ...info,
        status: patch.status ?? info.status,
        endTime: patch.endTime ?? info.endTime,
        runName: patch.runName ?? info.runName,
      };
      await tx.run('UPDATE runs SET status = ?, end_time = ?, name = ? WHERE run_uuid = ?', [next.status, next.endTime, next.runName, runId]);
      if (patch.runName !== undefined) await this.upsertTags(tx, runId, [{ key: 'mlflow.runName', value: patch.runName }]);
      return next;
    });
  }

  async setRunLifecycle(runId: string, stage: LifecycleStage, time: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.requireRun(tx, runId);
      await tx.run('UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE run_uuid = ?', [stage, stage === 'deleted' ? time : null, runId]);
    });
  }

  async logBatch(runId: string, batch: RunBatch): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.requireRun(tx, runId);
      if (batch.params.length) await this.insertParams(tx, 'params', 'run_uuid', runId, batch.params, 'run');
      if (batch.metrics.length) await this.insertMetrics(tx, runId, batch.metrics);
      if (batch.tags.length) await this.upsertTags(tx, runId, batch.tags);
    });
  }

  private async insertParams(tx: SqlExecutor, table: string, owner: string, ownerId: string, params: readonly KeyValue[], noun: string): Promise<void> {
    for (const part of chunks(params)) {
      await tx.run(
        `INSERT INTO ${table} (${owner}, key, value) VALUES ${part.map(() => '(?, ?, ?)').join(', ')} ON CONFLICT (${owner}, key) DO NOTHING`,
        part.flatMap((p) => [ownerId, p.key, p.value]),
      );
      const stored = await tx.all<{ key: string; value: string }>(
        `SELECT key, value FROM ${table} WHERE ${owner} = ? AND key IN (${marks(part.length)})`,
        [ownerId, ...part.map((p) => p.key)],
      );
      const have = new Map(stored.map((s) => [s.key, s.value]));
      for (const p of part) {
        const old = have.get(p.key);
        if (old !== undefined && old !== p.value) {
          throw invalidParameter(
            `Changing param values is not allowed. Param with key='${p.key}' was already logged with value='${old}' for ${noun} ID='${ownerId}'. Attempted logging new value '${p.value}'.`,
          );
        }
      }
    }
  }

  private async insertMetrics(tx: SqlExecutor, runId: string, metrics: readonly Metric[]): Promise<void> {
    for (const part of chunks(metrics)) {
      await tx.run(
        `INSERT INTO metrics (run_uuid, key, step, timestamp, value, is_nan, model_id, dataset_name, dataset_digest)
         VALUES ${part.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')} ON CONFLICT DO NOTHING`,
        part.flatMap((m) => [runId, m.key, m.step, m.timestamp, ...storedValue(m.value), m.modelId ?? null, m.datasetName ?? null, m.datasetDigest ?? null]),
      );
    }
    const latest = new Map<string, Metric>();
    for (const m of metrics) {
      const cur = latest.get(m.key);
      if (!cur || isLater(m, cur)) latest.set(m.key, m);
    }
    for (const part of chunks([...latest.values()])) {
      await tx.run(
        `INSERT INTO latest_metrics (run_uuid, key, step, timestamp, value, is_nan)
         VALUES ${part.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}
         ON CONFLICT (run_uuid, key) DO UPDATE SET step = excluded.step, timestamp = excluded.timestamp, value = excluded.value, is_nan = excluded.is_nan
         WHERE excluded.step > latest_metrics.step
            OR (excluded.step = latest_metrics.step AND excluded.timestamp > latest_metrics.timestamp)
            OR (excluded.step = latest_metrics.step AND excluded.timestamp = latest_metrics.timestamp AND excluded.value > latest_metrics.value)`,
        part.flatMap((m) => [runId, m.key, m.step, m.timestamp, ...storedValue(m.value)]),
      );
    }
    const forModels = metrics.filter((m) => m.modelId);
    for (const part of chunks(forModels)) {
      await tx.run(
        `INSERT INTO logged_model_metrics (model_id, key, step, timestamp, value, is_nan, run_id, dataset_name, dataset_digest)
         VALUES ${part.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')} ON CONFLICT DO NOTHING`,
        part.flatMap((m) => [m.modelId!, m.key, m.step, m.timestamp, ...storedValue(m.value), runId, m.datasetName ?? '', m.datasetDigest ?? '']),
      );
    }
  }

  async deleteRunTag(runId: string, key: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.requireRun(tx, runId);
      const { changes } = await tx.run('DELETE FROM tags WHERE run_uuid = ? AND key = ?', [runId, key]);
      if (changes === 0) throw doesNotExist(`No tag with name: ${key} in run with id ${runId}`);
    });
  }

  private static stepRange(range: { startStep?: number; endStep?: number }): Fragment {
    const parts: string[] = [];
    const params: SqlValue[] = [];
    if (range.startStep !== undefined) { parts.push('step >= ?'); params.push(range.startStep); }
    if (range.endStep !== undefined) { parts.push('step <= ?'); params.push(range.endStep); }
    return { sql: parts.map((p) => ` AND ${p}`).join(''), params };
  }

  async getMetricHistory(runId: string, key: string, range: { offset: number; limit: number; startStep?: number; endStep?: number }): Promise<Page<Metric>> {
    const steps = SqlMetadataStore.stepRange(range);
    const rows = await this.db.all(
      `SELECT step, timestamp, value, is_nan, model_id, dataset_name, dataset_digest FROM metrics
       WHERE run_uuid = ? AND key = ?${steps.sql} ORDER BY step, timestamp, value LIMIT ? OFFSET ?`,
      [runId, key, ...steps.params, range.limit + 1, range.offset],
    );
    const points = rows.map((r) => metricOf(key, r));
    return page(points, { maxResults: range.limit, offset: range.offset });
  }

  async getMetricSteps(runId: string, key: string, range: { startStep?: number; endStep?: number; maxSteps?: number }): Promise<number[]> {
    const steps = SqlMetadataStore.stepRange(range);
    const distinct = `SELECT DISTINCT step FROM metrics WHERE run_uuid = ? AND key = ?${steps.sql}`;
    const params = [runId, key, ...steps.params];
    const k = range.maxSteps;
    if (k !== undefined) {
      const count = Number((await this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM (${distinct}) d`, params))?.n ?? 0);
      if (count > k) {
        const rows = await this.db.all<{ step: number }>(
          `WITH RECURSIVE idx(i) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT i + 1 FROM idx WHERE i + 1 < CAST(? AS BIGINT)),
             wanted(rn) AS (SELECT ${k === 1 ? 'CAST(? AS BIGINT)' : 'CAST(ROUND(i * (CAST(? AS BIGINT) - 1) * 1.0 / (CAST(? AS BIGINT) - 1)) AS BIGINT) + 1'} FROM idx),
             ranked AS (SELECT step, ROW_NUMBER() OVER (ORDER BY step) AS rn FROM (${distinct}) d)
           SELECT step FROM ranked WHERE rn IN (SELECT rn FROM wanted) ORDER BY step`,
          k === 1 ? [k, count, ...params] : [k, count, k, ...params],
        );
        return rows.map((r) => Number(r.step));
      }
    }
    const rows = await this.db.all<{ step: number }>(`${distinct} ORDER BY step`, params);
    return rows.map((r) => Number(r.step));
  }

  async getMetricAtSteps(runId: string, key: string, steps: number[]): Promise<Metric[]> {
    const out: Metric[] = [];
    for (const part of chunks(steps)) {
      const rows = await this.db.all(
        `SELECT step, timestamp, value, is_nan, model_id, dataset_name, dataset_digest FROM metrics
         WHERE run_uuid = ? AND key = ? AND step IN (${marks(part.length)}) ORDER BY step, timestamp, value`,
        [runId, key, ...part],
      );
      out.push(...rows.map((r) => metricOf(key, r)));
    }
    return out;
  }

  async logInputs(runId: string, datasets: DatasetInput[], modelIds: string[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      const run = await this.requireRun(tx, runId);
      for (const input of datasets) {
        const d = input.dataset;
        await tx.run(
          `INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, source_type, source, schema, profile)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (experiment_id, name, digest) DO NOTHING`,
          [randomUUID().replaceAll('-', ''), Number(run.experimentId), d.name, d.digest, d.sourceType, d.source, d.schema ?? null, d.profile ?? null],
        );
        const ds = await tx.get<{ dataset_uuid: string }>('SELECT dataset_uuid FROM datasets WHERE experiment_id = ? AND name = ? AND digest = ?', [Number(run.experimentId), d.name, d.digest]);
        const { inputId, created } = await this.linkInput(tx, 'DATASET', ds!.dataset_uuid, runId);
        if (!created) continue;
        for (const tag of input.tags) {
          await tx.run('INSERT INTO input_tags (input_uuid, key, value) VALUES (?, ?, ?) ON CONFLICT (input_uuid, key) DO UPDATE SET value = excluded.value', [inputId, tag.key, tag.value]);
        }
      }
      for (const modelId of modelIds) await this.linkInput(tx, 'MODEL', modelId, runId);
    });
  }

  /** Links a source to a run once; an existing link keeps its tags (MLflow logs inputs once). */
  private async linkInput(tx: SqlExecutor, sourceType: string, sourceId: string, runId: string): Promise<{ inputId: string; created: boolean }> {
    const { changes } = await tx.run(
      `INSERT INTO inputs (input_uuid, source_type, source_id, destination_type, destination_id) VALUES (?, ?, ?, 'RUN', ?)
       ON CONFLICT (source_type, source_id, destination_type, destination_id) DO NOTHING`,
      [randomUUID().replaceAll('-', ''), sourceType, sourceId, runId],
    );
    const row = await tx.get<{ input_uuid: string }>(
      `SELECT input_uuid FROM inputs WHERE source_type = ? AND source_id = ? AND destination_type = 'RUN' AND destination_id = ?`,
      [sourceType, sourceId, runId],
    );
    return { inputId: row!.input_uuid, created: changes > 0 };
  }

  async logOutputs(runId: string, models: { modelId: string; step: number }[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.requireRun(tx, runId);
      for (const m of models) {
        await tx.run('INSERT INTO run_model_outputs (run_uuid, model_id, step) VALUES (?, ?, ?) ON CONFLICT (run_uuid, model_id) DO UPDATE SET step = excluded.step', [runId, m.modelId, m.step]);
      }
    });
  }

  async searchRuns(query: SearchQuery & { experimentIds: string[]; viewType: ViewType }): Promise<Page<Run>> {
    const ids = query.experimentIds.map((id) => SqlMetadataStore.numericId(id)).filter((id): id is number => id !== null);
    if (ids.length === 0) return { items: [] };
    const life = stages(query.viewType);
    const where = whereSql(this.db.dialect, RUNS, query.filter);
    const order = orderSql(RUNS, query.orderBy, 'r.start_time DESC, r.run_uuid ASC');
    const rows = await this.db.all(
      `SELECT r.* FROM runs r WHERE r.experiment_id IN (${marks(ids.length)}) AND r.lifecycle_stage IN (${marks(life.length)}) AND ${where.sql}
       ORDER BY ${order.sql} LIMIT ? OFFSET ?`,
      [...ids, ...life, ...where.params, ...order.params, query.maxResults + 1, query.offset],
    );
    const p = page(rows, query);
    return { ...p, items: await this.loadRuns(p.items) };
  }

  async searchDatasets(experimentIds: string[]): Promise<{ experimentId: string; name: string; digest: string; context: string | null }[]> {
    const ids = experimentIds.map((id) => SqlMetadataStore.numericId(id)).filter((id): id is number => id !== null);
    if (ids.length === 0) return [];
    const rows = await this.db.all(
      `SELECT DISTINCT d.experiment_id, d.name, d.digest, it.value AS context
       FROM datasets d JOIN inputs i ON i.source_id = d.dataset_uuid AND i.source_type = 'DATASET'
       LEFT JOIN input_tags it ON it.input_uuid = i.input_uuid AND it.key = 'mlflow.data.context'
       WHERE d.experiment_id IN (${marks(ids.length)}) ORDER BY d.experiment_id, d.name, d.digest`,
      ids,
    );
    return rows.map((r) => ({ experimentId: String(r.experiment_id), name: String(r.name), digest: String(r.digest), context: r.context === null || r.context === undefined ? null : String(r.context) }));
  }

  // ---- logged models -------------------------------------------------------------------------

  async createLoggedModel(model: Omit<LoggedModel, 'metrics' | 'lifecycleStage'>): Promise<void> {
    await this.uniquely(`Logged model '${model.modelId}' already exists.`, () =>
      this.db.transaction(async (tx) => {
        await this.requireExperiment(tx, model.experimentId);
        await tx.run(
          `INSERT INTO logged_models (model_id, experiment_id, name, artifact_location, creation_timestamp_ms, last_updated_timestamp_ms,
             status, status_message, creator_id, model_type, source_run_id, lifecycle_stage) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active')`,
          [model.modelId, Number(model.experimentId), model.name, model.artifactLocation, model.creationTimestampMs, model.lastUpdatedTimestampMs,
            model.status, model.statusMessage, model.creatorId, model.modelType, model.sourceRunId],
        );
        for (const t of model.tags) await tx.run('INSERT INTO logged_model_tags (model_id, key, value) VALUES (?, ?, ?) ON CONFLICT (model_id, key) DO UPDATE SET value = excluded.value', [model.modelId, t.key, t.value]);
        if (model.params.length) await this.insertParams(tx, 'logged_model_params', 'model_id', model.modelId, model.params, 'logged model');
      }),
    );
  }

  private async loadLoggedModels(rows: SqlRow[]): Promise<LoggedModel[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => String(r.model_id));
    const inIds = `(${marks(ids.length)})`;
    const [tags, params, metrics] = await Promise.all([
      this.db.all(`SELECT * FROM logged_model_tags WHERE model_id IN ${inIds} ORDER BY key`, ids),
      this.db.all(`SELECT * FROM logged_model_params WHERE model_id IN ${inIds} ORDER BY key`, ids),
      this.db.all(`SELECT * FROM logged_model_metrics WHERE model_id IN ${inIds} ORDER BY key, step, timestamp`, ids),
    ]);
    const tagsBy = groupBy(tags, 'model_id', kv);
    const paramsBy = groupBy(params, 'model_id', kv);
    const metricsBy = groupBy(metrics, 'model_id', (r): Metric => {
      const m: Metric = { key: String(r.key), value: metricValue(r), timestamp: Number(r.timestamp), step: Number(r.step), runId: String(r.run_id), modelId: String(r.model_id) };
      if (r.dataset_name) m.datasetName = String(r.dataset_name);
      if (r.dataset_digest) m.datasetDigest = String(r.dataset_digest);
      return m;
    });
    return rows.map((r) => ({
      modelId: String(r.model_id),
      experimentId: String(r.experiment_id),
      name: String(r.name),
      artifactLocation: String(r.artifact_location),
      creationTimestampMs: Number(r.creation_timestamp_ms),
      lastUpdatedTimestampMs: Number(r.last_updated_timestamp_ms),
      status: r.status as LoggedModelStatus,
      statusMessage: opt(r.status_message),
      creatorId: opt(r.creator_id),
      modelType: opt(r.model_type),
      sourceRunId: opt(r.source_run_id),
      lifecycleStage: r.lifecycle_stage as LifecycleStage,
      tags: tagsBy.get(String(r.model_id)) ?? [],
      params: paramsBy.get(String(r.model_id)) ?? [],
      metrics: metricsBy.get(String(r.model_id)) ?? [],
    }));
  }

  async getLoggedModel(modelId: string, allowDeleted: boolean): Promise<LoggedModel | null> {
    const row = await this.db.get(`SELECT * FROM logged_models WHERE model_id = ?${allowDeleted ? '' : " AND lifecycle_stage = 'active'"}`, [modelId]);
    return row ? (await this.loadLoggedModels([row]))[0]! : null;
  }

  private async requireLoggedModel(tx: SqlExecutor, modelId: string): Promise<void> {
    const row = await tx.get("SELECT 1 AS x FROM logged_models WHERE model_id = ? AND lifecycle_stage = 'active'", [modelId]);
    if (!row) throw doesNotExist(`Logged model with ID '${modelId}' not found.`);
  }

  async updateLoggedModel(modelId: string, patch: { status?: LoggedModelStatus; statusMessage?: string | null; time: number }): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.requireLoggedModel(tx, modelId);
      if (patch.status !== undefined) await tx.run('UPDATE logged_models SET status = ? WHERE model_id = ?', [patch.status, modelId]);
      if (patch.statusMessage !== undefined) await tx.run('UPDATE logged_models SET status_message = ? WHERE model_id = ?', [patch.statusMessage, modelId]);
      await tx.run('UPDATE logged_models SET last_updated_timestamp_ms = ? WHERE model_id = ?', [patch.time, modelId]);
    });
  }

  async setLoggedModelTags(modelId: string, tags: KeyValue[], time: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.requireLoggedModel(tx, modelId);
      for (const t of tags) await tx.run('INSERT INTO logged_model_tags (model_id, key, value) VALUES (?, ?, ?) ON CONFLICT (model_id, key) DO UPDATE SET value = excluded.value', [modelId, t.key, t.value]);
      await tx.run('UPDATE logged_models SET last_updated_timestamp_ms = ? WHERE model_id = ?', [time, modelId]);
    });
  }

  async deleteLoggedModelTag(modelId: string, key: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.requireLoggedModel(tx, modelId);
      const { changes } = await tx.run('DELETE FROM logged_model_tags WHERE model_id = ? AND key = ?', [modelId, key]);
      if (changes === 0) throw doesNotExist(`No tag with key '${key}' found for logged model with ID '${modelId}'.`);
    });
  }

  async logLoggedModelParams(modelId: string, params: KeyValue[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.requireLoggedModel(tx, modelId);
      await this.insertParams(tx, 'logged_model_params', 'model_id', modelId, params, 'logged model');
    });
  }

  async deleteLoggedModel(modelId: string, time: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.requireLoggedModel(tx, modelId);
      await tx.run("UPDATE logged_models SET lifecycle_stage = 'deleted', last_updated_timestamp_ms = ? WHERE model_id = ?", [time, modelId]);
    });
  }

  async searchLoggedModels(query: SearchQuery & { experimentIds: string[]; datasets: { name: string; digest?: string }[] }): Promise<Page<LoggedModel>> {
    const ids = query.experimentIds.map((id) => SqlMetadataStore.numericId(id)).filter((id): id is number => id !== null);
    if (ids.length === 0) return { items: [] };
    const scope: Fragment = { sql: '', params: [] };
    if (query.datasets.length) {
      scope.sql = ` AND (${query.datasets.map((d) => (d.digest ? '(x.dataset_name = ? AND x.dataset_digest = ?)' : '(x.dataset_name = ?)')).join(' OR ')})`;
      scope.params = query.datasets.flatMap((d) => (d.digest ? [d.name, d.digest] : [d.name]));
    }
    const mapping = loggedModelsMapping(scope);
    const where = whereSql(this.db.dialect, mapping, query.filter);
    const order = orderSql(mapping, query.orderBy, 'lm.creation_timestamp_ms DESC, lm.model_id ASC');
    const rows = await this.db.all(
      `SELECT lm.* FROM logged_models lm WHERE lm.experiment_id IN (${marks(ids.length)}) AND lm.lifecycle_stage = 'active' AND ${where.sql}
       ORDER BY ${order.sql} LIMIT ? OFFSET ?`,
      [...ids, ...where.params, ...order.params, query.maxResults + 1, query.offset],
    );
    const p = page(rows, query);
    return { ...p, items: await this.loadLoggedModels(p.items) };
  }

  // ---- registry ------------------------------------------------------------------------------

  private async loadVersions(rows: SqlRow[], db: SqlExecutor = this.db): Promise<ModelVersion[]> {
    if (rows.length === 0) return [];
    const keys = rows.map((r) => [String(r.name), Number(r.version)] as const);
    const cond = keys.map(() => '(name = ? AND version = ?)').join(' OR ');
    const flat = keys.flatMap(([n, v]) => [n, v]);
    const [tags, aliases] = await Promise.all([
      db.all(`SELECT * FROM model_version_tags WHERE ${cond} ORDER BY key`, flat),
      db.all(`SELECT * FROM registered_model_aliases WHERE ${cond} ORDER BY alias`, flat),
    ]);
    const id = (r: SqlRow) => `${String(r.name)}\u0000${Number(r.version)}`;
    const tagsBy = new Map<string, KeyValue[]>();
    for (const t of tags) (tagsBy.get(id(t)) ?? tagsBy.set(id(t), []).get(id(t))!).push(kv(t));
    const aliasBy = new Map<string, string[]>();
    for (const a of aliases) (aliasBy.get(id(a)) ?? aliasBy.set(id(a), []).get(id(a))!).push(String(a.alias));
    return rows.map((r) => versionOf(r, tagsBy.get(id(r)) ?? [], aliasBy.get(id(r)) ?? []));
  }

  private async loadVersionsChunked(rows: SqlRow[], db: SqlExecutor = this.db): Promise<ModelVersion[]> {
    const out: ModelVersion[] = [];
    for (const part of chunks(rows, 200)) out.push(...(await this.loadVersions(part, db)));
    return out;
  }

  private async loadRegisteredModels(rows: SqlRow[], db: SqlExecutor = this.db): Promise<RegisteredModel[]> {
    if (rows.length === 0) return [];
    const names = rows.map((r) => String(r.name));
    const inNames = `(${marks(names.length)})`;
    const [tags, aliases, latest] = await Promise.all([
      db.all(`SELECT * FROM registered_model_tags WHERE name IN ${inNames} ORDER BY key`, names),
      db.all(`SELECT * FROM registered_model_aliases WHERE name IN ${inNames} ORDER BY alias`, names),
      db.all(
        `SELECT v.* FROM model_versions v JOIN (
           SELECT name, current_stage, MAX(version) AS version FROM model_versions WHERE name IN ${inNames} GROUP BY name, current_stage
         ) l ON l.name = v.name AND l.version = v.version ORDER BY v.version`,
        names,
      ),
    ]);
    const tagsBy = groupBy(tags, 'name', kv);
    const aliasBy = groupBy(aliases, 'name', (a) => ({ alias: String(a.alias), version: Number(a.version) }));
    const latestBy = new Map<string, ModelVersion[]>();
    for (const v of await this.loadVersionsChunked(latest, db)) {
      (latestBy.get(v.name) ?? latestBy.set(v.name, []).get(v.name)!).push(v);
    }
    return rows.map((r) => ({
      name: String(r.name),
      creationTimestamp: Number(r.creation_timestamp),
      lastUpdatedTimestamp: Number(r.last_updated_timestamp),
      description: opt(r.description),
      tags: tagsBy.get(String(r.name)) ?? [],
      aliases: aliasBy.get(String(r.name)) ?? [],
      latestVersions: latestBy.get(String(r.name)) ?? [],
    }));
  }

  private async requireModel(tx: SqlExecutor, name: string): Promise<SqlRow> {
    const row = await tx.get('SELECT * FROM registered_models WHERE name = ?', [name]);
    if (!row) throw doesNotExist(`Registered Model with name=${name} not found`);
    return row;
  }

  private async requireVersion(tx: SqlExecutor, name: string, version: number): Promise<SqlRow> {
    const row = await tx.get('SELECT * FROM model_versions WHERE name = ? AND version = ?', [name, version]);
    if (!row) throw doesNotExist(`Model Version (name=${name}, version=${version}) not found`);
    return row;
  }

  async createRegisteredModel(input: { name: string; description: string | null; tags: KeyValue[]; time: number }): Promise<RegisteredModel> {
    const exists = `Registered Model (name=${input.name}) already exists.`;
    return this.uniquely(exists, () =>
      this.db.transaction(async (tx) => {
        if (await tx.get('SELECT 1 AS x FROM registered_models WHERE name = ?', [input.name])) throw new CapstanError('RESOURCE_ALREADY_EXISTS', exists);
        await tx.run('INSERT INTO registered_models (name, creation_timestamp, last_updated_timestamp, description) VALUES (?, ?, ?, ?)', [input.name, input.time, input.time, input.description]);
        for (const t of input.tags) await tx.run('INSERT INTO registered_model_tags (name, key, value) VALUES (?, ?, ?) ON CONFLICT (name, key) DO UPDATE SET value = excluded.value', [input.name, t.key, t.value]);
        return (await this.loadRegisteredModels([(await this.requireModel(tx, input.name))], tx))[0]!;
      }),
    );
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel | null> {
    const row = await this.db.get('SELECT * FROM registered_models WHERE name = ?', [name]);
    return row ? (await this.loadRegisteredModels([row]))[0]! : null;
  }

  async renameRegisteredModel(name: string, newName: string, time: number): Promise<RegisteredModel> {
    const exists = `Registered Model (name=${newName}) already exists.`;
    return this.uniquely(exists, () =>
      this.db.transaction(async (tx) => {
        await this.requireModel(tx, name);
        if (newName !== name && (await tx.get('SELECT 1 AS x FROM registered_models WHERE name = ?', [newName]))) throw new CapstanError('RESOURCE_ALREADY_EXISTS', exists);
        await tx.run('UPDATE registered_models SET name = ?, last_updated_timestamp = ? WHERE name = ?', [newName, time, name]);
        return (await this.loadRegisteredModels([await this.requireModel(tx, newName)], tx))[0]!;
      }),
    );
  }

  async updateRegisteredModel(name: string, description: string | null, time: number): Promise<RegisteredModel> {
    return this.db.transaction(async (tx) => {
      await this.requireModel(tx, name);
      await tx.run('UPDATE registered_models SET description = ?, last_updated_timestamp = ? WHERE name = ?', [description, time, name]);
      return (await this.loadRegisteredModels([await this.requireModel(tx, name)], tx))[0]!;
    });
  }

  async deleteRegisteredModel(name: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.requireModel(tx, name);
      await tx.run('DELETE FROM registered_model_aliases WHERE name = ?', [name]);
      await tx.run('DELETE FROM model_version_tags WHERE name = ?', [name]);
      await tx.run('DELETE FROM model_versions WHERE name = ?', [name]);
      await tx.run('DELETE FROM registered_model_tags WHERE name = ?', [name]);
      await tx.run('DELETE FROM registered_models WHERE name = ?', [name]);
    });
  }

  async searchRegisteredModels(query: SearchQuery): Promise<Page<RegisteredModel>> {
    const where = whereSql(this.db.dialect, REGISTERED_MODELS, query.filter);
    const order = orderSql(REGISTERED_MODELS, query.orderBy, 'm.name ASC');
    const rows = await this.db.all(
      `SELECT m.* FROM registered_models m WHERE ${where.sql} ORDER BY ${order.sql} LIMIT ? OFFSET ?`,
      [...where.params, ...order.params, query.maxResults + 1, query.offset],
    );
    const p = page(rows, query);
    return { ...p, items: await this.loadRegisteredModels(p.items) };
  }

  async setRegisteredModelTag(name: string, tag: KeyValue, time: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.requireModel(tx, name);
      await tx.run('INSERT INTO registered_model_tags (name, key, value) VALUES (?, ?, ?) ON CONFLICT (name, key) DO UPDATE SET value = excluded.value', [name, tag.key, tag.value]);
      await tx.run('UPDATE registered_models SET last_updated_timestamp = ? WHERE name = ?', [time, name]);
    });
  }

  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.requireModel(tx, name);
      const { changes } = await tx.run('DELETE FROM registered_model_tags WHERE name = ? AND key = ?', [name, key]);
      if (changes === 0) throw doesNotExist(`No tag with name: ${key} on registered model ${name}`);
    });
  }

  async createModelVersion(input: NewModelVersion): Promise<ModelVersion> {
    return this.db.transaction(async (tx) => {
      const locked = await tx.get<{ v: number }>(
        'UPDATE registered_models SET next_version = next_version + 1, last_updated_timestamp = ? WHERE name = ? RETURNING next_version - 1 AS v',
        [input.time, input.name],
      );
      if (!locked) throw doesNotExist(`Registered Model with name=${input.name} not found`);
      const version = Number(locked.v);
      await tx.run(
        `INSERT INTO model_versions (name, version, creation_timestamp, last_updated_timestamp, description, user_id, current_stage,
           source, storage_location, run_id, run_link, status, status_message, model_id)
         VALUES (?, ?, ?, ?, ?, ?, 'None', ?, ?, ?, ?, 'READY', NULL, ?)`,
        [input.name, version, input.time, input.time, input.description, input.userId, input.source, input.storageLocation, input.runId, input.runLink, input.modelId],
      );
      for (const t of input.tags) await tx.run('INSERT INTO model_version_tags (name, version, key, value) VALUES (?, ?, ?, ?) ON CONFLICT (name, version, key) DO UPDATE SET value = excluded.value', [input.name, version, t.key, t.value]);
      return (await this.loadVersions([await this.requireVersion(tx, input.name, version)], tx))[0]!;
    });
  }

  async getModelVersion(name: string, version: number): Promise<ModelVersion | null> {
    const row = await this.db.get('SELECT * FROM model_versions WHERE name = ? AND version = ?', [name, version]);
    return row ? (await this.loadVersions([row]))[0]! : null;
  }

  async updateModelVersion(name: string, version: number, description: string | null, time: number): Promise<ModelVersion> {
    return this.db.transaction(async (tx) => {
      await this.requireVersion(tx, name, version);
      await tx.run('UPDATE model_versions SET description = ?, last_updated_timestamp = ? WHERE name = ? AND version = ?', [description, time, name, version]);
      return (await this.loadVersions([await this.requireVersion(tx, name, version)], tx))[0]!;
    });
  }

  async transitionModelVersionStage(name: string, version: number, stage: Stage, archiveExisting: boolean, time: number): Promise<ModelVersion> {
    return this.db.transaction(async (tx) => {
      await this.requireVersion(tx, name, version);
      if (archiveExisting && (stage === 'Staging' || stage === 'Production')) {
        await tx.run("UPDATE model_versions SET current_stage = 'Archived', last_updated_timestamp = ? WHERE name = ? AND current_stage = ? AND version <> ?", [time, name, stage, version]);
      }
      await tx.run('UPDATE model_versions SET current_stage = ?, last_updated_timestamp = ? WHERE name = ? AND version = ?', [stage, time, name, version]);
      await tx.run('UPDATE registered_models SET last_updated_timestamp = ? WHERE name = ?', [time, name]);
      return (await this.loadVersions([await this.requireVersion(tx, name, version)], tx))[0]!;
    });
  }

  async deleteModelVersion(name: string, version: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.requireVersion(tx, name, version);
      await tx.run('DELETE FROM registered_model_aliases WHERE name = ? AND version = ?', [name, version]);
      await tx.run('DELETE FROM model_version_tags WHERE name = ? AND version = ?', [name, version]);
      await tx.run('DELETE FROM model_versions WHERE name = ? AND version = ?', [name, version]);
    });
  }

  async getLatestVersions(name: string, wanted: Stage[]): Promise<ModelVersion[]> {
    const model = await this.getRegisteredModel(name);
    if (!model) throw doesNotExist(`Registered Model with name=${name} not found`);
    return wanted.length ? model.latestVersions.filter((v) => wanted.includes(v.currentStage)) : model.latestVersions;
  }

  async searchModelVersions(query: SearchQuery): Promise<Page<ModelVersion>> {
    const where = whereSql(this.db.dialect, MODEL_VERSIONS, query.filter);
    const order = orderSql(MODEL_VERSIONS, query.orderBy, 'v.name ASC, v.version DESC');
    const rows = await this.db.all(
      `SELECT v.* FROM model_versions v WHERE ${where.sql} ORDER BY ${order.sql} LIMIT ? OFFSET ?`,
      [...where.params, ...order.params, query.maxResults + 1, query.offset],
    );
    const p = page(rows, query);
    return { ...p, items: await this.loadVersionsChunked(p.items) };
  }

  async setModelVersionTag(name: string, version: number, tag: KeyValue): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.requireVersion(tx, name, version);
      await tx.run('INSERT INTO model_version_tags (name, version, key, value) VALUES (?, ?, ?, ?) ON CONFLICT (name, version, key) DO UPDATE SET value = excluded.value', [name, version, tag.key, tag.value]);
    });
  }

  async deleteModelVersionTag(name: string, version: number, key: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.requireVersion(tx, name, version);
      const { changes } = await tx.run('DELETE FROM model_version_tags WHERE name = ? AND version = ? AND key = ?', [name, version, key]);
      if (changes === 0) throw doesNotExist(`No tag with name: ${key} on model version (name=${name}, version=${version})`);
    });
  }

  async setAlias(name: string, alias: string, version: number, time: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.requireVersion(tx, name, version);
      await tx.run('INSERT INTO registered_model_aliases (name, alias, version) VALUES (?, ?, ?) ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version', [name, alias, version]);
      await tx.run('UPDATE registered_models SET last_updated_timestamp = ? WHERE name = ?', [time, name]);
    });
  }

  async deleteAlias(name: string, alias: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.requireModel(tx, name);
      const { changes } = await tx.run('DELETE FROM registered_model_aliases WHERE name = ? AND alias = ?', [name, alias]);
      if (changes === 0) throw doesNotExist(`Registered model alias ${alias} not found.`);
    });
  }

  async recordRegistryChange(c: Omit<RegistryChange, 'id'>): Promise<void> {
    await this.db.run('INSERT INTO registry_changes (time, user_id, model, version, kind, alias, before_value, after_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [c.time, c.user, c.model, c.version, c.kind, c.alias, c.before, c.after]);
    if (c.kind === 'model_renamed' && c.after !== null) await this.db.run('UPDATE registry_changes SET model = ? WHERE model = ?', [c.after, c.before]);
  }

  async listRegistryChanges(q: { model: string; version?: number; kind?: RegistryChangeKind; beforeId?: number; limit: number }): Promise<RegistryChange[]> {
    const where = ['model = ?'];
    const params: SqlValue[] = [q.model];
    if (q.version !== undefined) { where.push('version = ?'); params.push(q.version); }
    if (q.kind !== undefined) { where.push('kind = ?'); params.push(q.kind); }
    if (q.beforeId !== undefined) { where.push('id < ?'); params.push(q.beforeId); }
    params.push(q.limit);
    const rows = await this.db.all<{ id: number; time: number; user_id: string; model: string; version: number | null; kind: string; alias: string | null; before_value: string | null; after_value: string | null }>(
      `SELECT * FROM registry_changes WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`, params);
    return rows.map((r) => ({ id: Number(r.id), time: Number(r.time), user: r.user_id, model: r.model, version: r.version === null ? null : Number(r.version), kind: r.kind as RegistryChangeKind, alias: r.alias, before: r.before_value, after: r.after_value }));
  }

  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion | null> {
    const row = await this.db.get(
      'SELECT v.* FROM registered_model_aliases a JOIN model_versions v ON v.name = a.name AND v.version = a.version WHERE a.name = ? AND a.alias = ?',
      [name, alias],
    );
    return row ? (await this.loadVersions([row]))[0]! : null;
  }
}

/** MLflow's latest-value rule: the point with the greatest (step, timestamp, value). */
function isLater(a: Metric, b: Metric): boolean {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  return storedValue(a.value)[0] > storedValue(b.value)[0];
}

function metricOf(key: string, r: SqlRow): Metric {
  const m: Metric = { key, value: metricValue(r), timestamp: Number(r.timestamp), step: Number(r.step) };
  if (r.model_id) m.modelId = String(r.model_id);
  if (r.dataset_name) m.datasetName = String(r.dataset_name);
  if (r.dataset_digest) m.datasetDigest = String(r.dataset_digest);
  return m;
}
