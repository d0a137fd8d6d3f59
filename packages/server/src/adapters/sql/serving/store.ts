import { CapstanError, doesNotExist } from '@capstan/api';
import type { DeploymentStore, PredictionQuery, PredictionTiming } from '../../../ports/deployment-store.js';
import type { Deployment, DeploymentAction, DeploymentChange, DeploymentSpec, PredictionRecord } from '../../../core/serving/model.js';
import type { SqlDriver, SqlValue } from '../driver.js';

interface DeploymentRow { name: string; spec: string; revision: number; created_at: number; updated_at: number; created_by: string }
interface HistoryRow { deployment: string; revision: number; time: number; user_id: string; action: string; summary: string; spec: string }
interface PredictionRow { id: string; deployment: string; model_name: string; model_version: string; time: number; latency_ms: number; status: string; shadow: number; inputs: string; outputs: string | null; error: string | null }

const toDeployment = (r: DeploymentRow): Deployment => ({
  name: r.name, spec: JSON.parse(r.spec) as DeploymentSpec, revision: Number(r.revision), createdAt: Number(r.created_at), updatedAt: Number(r.updated_at), createdBy: r.created_by,
});

const toPrediction = (r: PredictionRow): PredictionRecord => ({
  id: r.id, deployment: r.deployment, model: r.model_name, version: r.model_version, time: Number(r.time), latencyMs: Number(r.latency_ms),
  status: r.status as PredictionRecord['status'], shadow: Number(r.shadow) === 1, inputs: JSON.parse(r.inputs) as Record<string, unknown>,
  outputs: r.outputs === null ? null : JSON.parse(r.outputs) as Record<string, unknown>, ...(r.error ? { error: r.error } : {}),
});

/** Rows per multi-row INSERT of predictions (11 parameters each, under SQLite's limit). */
const INSERT_CHUNK = 500;

function windowOf(query: PredictionQuery): { where: string; params: SqlValue[] } {
  const where = ['deployment = ?'];
  const params: SqlValue[] = [query.deployment];
  if (query.since !== undefined) { where.push('time >= ?'); params.push(query.since); }
  if (query.until !== undefined) { where.push('time < ?'); params.push(query.until); }
  if (!query.includeShadow) where.push('shadow = 0');
  params.push(query.limit);
  return { where: where.join(' AND '), params };
}

/** {@link DeploymentStore} over the shared SQL driver (SQLite or PostgreSQL). */
export class SqlDeploymentStore implements DeploymentStore {
  constructor(private readonly db: SqlDriver) {}

  async create(input: { name: string; spec: DeploymentSpec; user: string; time: number; summary: string }): Promise<Deployment> {
    const spec = JSON.stringify(input.spec);
    let revision = 1;
    try {
      await this.db.transaction(async (tx) => {
        const last = await tx.get<{ r: number | null }>('SELECT MAX(revision) AS r FROM deployment_history WHERE deployment = ?', [input.name]);
        revision = Number(last?.r ?? 0) + 1;
        await tx.run('INSERT INTO deployments (name, spec, revision, created_at, updated_at, created_by) VALUES (?, ?, ?, ?, ?, ?)', [input.name, spec, revision, input.time, input.time, input.user]);
        await tx.run('INSERT INTO deployment_history (deployment, revision, time, user_id, action, summary, spec) VALUES (?, ?, ?, ?, ?, ?, ?)', [input.name, revision, input.time, input.user, 'create', input.summary, spec]);
      });
    } catch (error) {
      if (this.db.dialect.isUniqueViolation(error)) throw new CapstanError('RESOURCE_ALREADY_EXISTS', `Deployment '${input.name}' already exists; update it instead.`);
      throw error;
    }
    return { name: input.name, spec: input.spec, revision, createdAt: input.time, updatedAt: input.time, createdBy: input.user };
  }

  async get(name: string): Promise<Deployment | null> {
    const row = await this.db.get<DeploymentRow>('SELECT * FROM deployments WHERE name = ?', [name]);
    return row ? toDeployment(row) : null;
  }

  async list(): Promise<Deployment[]> {
    return (await this.db.all<DeploymentRow>('SELECT * FROM deployments ORDER BY name')).map(toDeployment);
  }

  async update(input: { name: string; expectedRevision: number; spec: DeploymentSpec; user: string; time: number; action: DeploymentAction; summary: string }): Promise<Deployment | null> {
    const spec = JSON.stringify(input.spec);
    return this.db.transaction(async (tx) => {
      const row = await tx.get<DeploymentRow>('SELECT * FROM deployments WHERE name = ?', [input.name]);
      if (!row) throw doesNotExist(`Deployment '${input.name}' does not exist.`);
      const next = input.expectedRevision + 1;
      const { changes } = await tx.run('UPDATE deployments SET spec = ?, revision = ?, updated_at = ? WHERE name = ? AND revision = ?', [spec, next, input.time, input.name, input.expectedRevision]);
      if (changes === 0) return null;
      await tx.run('INSERT INTO deployment_history (deployment, revision, time, user_id, action, summary, spec) VALUES (?, ?, ?, ?, ?, ?, ?)', [input.name, next, input.time, input.user, input.action, input.summary, spec]);
      return { ...toDeployment(row), spec: input.spec, revision: next, updatedAt: input.time };
    });
  }

  async delete(name: string, user: string, time: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      const row = await tx.get<DeploymentRow>('SELECT * FROM deployments WHERE name = ?', [name]);
      if (!row) throw doesNotExist(`Deployment '${name}' does not exist.`);
      await tx.run('DELETE FROM deployments WHERE name = ?', [name]);
      await tx.run('INSERT INTO deployment_history (deployment, revision, time, user_id, action, summary, spec) VALUES (?, ?, ?, ?, ?, ?, ?)', [name, Number(row.revision) + 1, time, user, 'delete', `deleted by ${user}`, row.spec]);
    });
  }

  async history(name: string, limit: number): Promise<DeploymentChange[]> {
    const rows = await this.db.all<HistoryRow>('SELECT * FROM deployment_history WHERE deployment = ? ORDER BY revision DESC LIMIT ?', [name, limit]);
    return rows.map((r) => ({ deployment: r.deployment, revision: Number(r.revision), time: Number(r.time), user: r.user_id, action: r.action as DeploymentAction, summary: r.summary, spec: JSON.parse(r.spec) as DeploymentSpec }));
  }

  async insertPredictions(records: PredictionRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.db.transaction(async (tx) => {
      for (let i = 0; i < records.length; i += INSERT_CHUNK) {
        const chunk = records.slice(i, i + INSERT_CHUNK);
        const params: SqlValue[] = [];
        for (const r of chunk) {
          params.push(r.id, r.deployment, r.model, r.version, r.time, r.latencyMs, r.status, r.shadow ? 1 : 0, JSON.stringify(r.inputs), r.outputs === null ? null : JSON.stringify(r.outputs), r.error ?? null);
        }
        await tx.run(`INSERT INTO prediction_logs (id, deployment, model_name, model_version, time, latency_ms, status, shadow, inputs, outputs, error) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')} ON CONFLICT (id) DO NOTHING`, params);
      }
    });
  }

  async predictions(query: PredictionQuery): Promise<PredictionRecord[]> {
    const { where, params } = windowOf(query);
    return (await this.db.all<PredictionRow>(`SELECT * FROM prediction_logs WHERE ${where} ORDER BY time, id LIMIT ?`, params)).map(toPrediction);
  }

  async predictionTimings(query: PredictionQuery): Promise<PredictionTiming[]> {
    const { where, params } = windowOf(query);
    const rows = await this.db.all<{ time: number; model_version: string; latency_ms: number; status: string; shadow: number }>(`SELECT time, model_version, latency_ms, status, shadow FROM prediction_logs WHERE ${where} ORDER BY time, id LIMIT ?`, params);
    return rows.map((r) => ({ time: Number(r.time), version: r.model_version, latencyMs: Number(r.latency_ms), ok: r.status === 'ok', shadow: Number(r.shadow) === 1 }));
  }

  async predictionsById(ids: string[]): Promise<PredictionRecord[]> {
    const out: PredictionRecord[] = [];
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      out.push(...(await this.db.all<PredictionRow>(`SELECT * FROM prediction_logs WHERE id IN (${chunk.map(() => '?').join(', ')})`, chunk)).map(toPrediction));
    }
    return out;
  }
}
