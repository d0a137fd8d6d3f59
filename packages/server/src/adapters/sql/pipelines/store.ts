import type {
  ExecutionState, PipelineRunStatus, PipelineSpec, WireApproval, WireArtifact, WireLineage, WirePipeline, WirePipelineRun, WireStepExecution,
} from '@capstan/api';
import type { CachedResult, ExecutionResult, NewArtifact, NewExecution, PipelineStore, StoredTrigger } from '../../../ports/pipeline-store.js';
import type { SqlDriver, SqlExecutor, SqlRow, SqlValue } from '../driver.js';

type Row = Record<string, unknown>;

const num = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));
const str = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));
const json = <T>(v: unknown): T | undefined => (v === null || v === undefined ? undefined : (JSON.parse(String(v)) as T));

function artifactOf(r: Row): WireArtifact {
  return {
    id: Number(r.id), type: String(r.type), uri: String(r.uri), name: String(r.name), digest: String(r.digest),
    ...(num(r.size) !== undefined ? { size: num(r.size)! } : {}), state: String(r.state) as WireArtifact['state'], createdAt: Number(r.created_at),
  };
}

function executionOf(r: Row): WireStepExecution {
  const out: WireStepExecution = { id: Number(r.id), step: String(r.step), node: String(r.node), attempt: Number(r.attempt), state: String(r.state) as ExecutionState };
  const opt: Partial<WireStepExecution> = {
    iteration: num(r.iteration), cacheKey: str(r.cache_key), cachedFrom: num(r.cached_from), trackingRunId: str(r.tracking_run_id),
    params: json(r.params), values: json(r.vals), error: str(r.error), worker: str(r.worker), startedAt: num(r.started_at), endedAt: num(r.ended_at),
  };
  for (const [k, v] of Object.entries(opt)) if (v !== undefined) (out as unknown as Row)[k] = v;
  return out;
}

function runOf(r: Row): WirePipelineRun {
  const out: WirePipelineRun = {
    runId: String(r.run_id), pipeline: String(r.pipeline), pipelineDigest: String(r.pipeline_digest), status: String(r.status) as PipelineRunStatus,
    params: json(r.params) ?? {}, createdAt: Number(r.created_at),
  };
  if (r.trigger_kind) out.trigger = { kind: String(r.trigger_kind), ...(r.trigger_detail ? { detail: String(r.trigger_detail) } : {}) };
  for (const [k, col] of [['startedAt', 'started_at'], ['endedAt', 'ended_at']] as const) if (num(r[col]) !== undefined) out[k] = num(r[col])!;
  if (r.error) out.error = String(r.error);
  if (r.tracking_run_id) out.trackingRunId = String(r.tracking_run_id);
  return out;
}

function approvalOf(r: Row): WireApproval {
  const out: WireApproval = { runId: String(r.run_id), step: String(r.step), state: String(r.state) as WireApproval['state'], requestedAt: Number(r.requested_at), timeoutAt: Number(r.timeout_at) };
  if (r.message) out.message = String(r.message);
  if (r.decided_by) out.decidedBy = String(r.decided_by);
  if (num(r.decided_at) !== undefined) out.decidedAt = num(r.decided_at)!;
  if (r.comment) out.comment = String(r.comment);
  return out;
}

function pipelineOf(r: Row): WirePipeline {
  return {
    name: String(r.name), ...(r.description ? { description: String(r.description) } : {}), digest: String(r.digest),
    spec: JSON.parse(String(r.spec)) as PipelineSpec, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
  };
}

const EXECUTION_COLUMNS = 'run_id, step, node, iteration, attempt, state, cache_key, cached_from, tracking_run_id, params, vals, error, started_at, ended_at';

function executionValues(e: NewExecution): SqlValue[] {
  return [
    e.runId, e.step, e.node, e.iteration ?? null, e.attempt, e.state, e.cacheKey ?? null, e.cachedFrom ?? null, e.trackingRunId ?? null,
    e.params ? JSON.stringify(e.params) : null, e.values ? JSON.stringify(e.values) : null, e.error ?? null, e.startedAt, e.endedAt ?? null,
  ];
}

/** Pipeline state and ML Metadata lineage in SQL (SQLite and PostgreSQL through one driver). */
export class SqlPipelineStore implements PipelineStore {
  constructor(private readonly db: SqlDriver) {}

  async putPipeline(spec: PipelineSpec, digest: string, now: number): Promise<WirePipeline> {
    await this.db.transaction(async (tx) => {
      const existing = await tx.get('SELECT created_at FROM pl_pipelines WHERE name = ?', [spec.name]);
      if (existing) {
        await tx.run('UPDATE pl_pipelines SET description = ?, digest = ?, spec = ?, updated_at = ? WHERE name = ?', [spec.description ?? null, digest, JSON.stringify(spec), now, spec.name]);
      } else {
        await tx.run('INSERT INTO pl_pipelines (name, description, digest, spec, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)', [spec.name, spec.description ?? null, digest, JSON.stringify(spec), now, now]);
      }
      await tx.run('DELETE FROM pl_triggers WHERE pipeline = ?', [spec.name]);
      for (const t of spec.triggers) await tx.run("INSERT INTO pl_triggers (pipeline, kind, spec) VALUES (?, 'event', ?)", [spec.name, JSON.stringify(t)]);
      for (const s of spec.schedules) await tx.run("INSERT INTO pl_triggers (pipeline, kind, spec) VALUES (?, 'cron', ?)", [spec.name, JSON.stringify(s)]);
    });
    return (await this.getPipeline(spec.name))!;
  }

  async getPipeline(name: string): Promise<WirePipeline | null> {
    const r = await this.db.get('SELECT * FROM pl_pipelines WHERE name = ?', [name]);
    return r ? pipelineOf(r) : null;
  }

  async listPipelines(): Promise<WirePipeline[]> {
    return (await this.db.all('SELECT * FROM pl_pipelines ORDER BY name')).map(pipelineOf);
  }

  async createRun(run: Omit<WirePipelineRun, 'steps'>, spec: PipelineSpec, coordinator?: string): Promise<void> {
    await this.db.run(
      `INSERT INTO pl_runs (run_id, pipeline, pipeline_digest, spec, status, params, trigger_kind, trigger_detail, created_at, started_at, ended_at, error, tracking_run_id, coordinator, heartbeat_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [run.runId, run.pipeline, run.pipelineDigest, JSON.stringify(spec), run.status, JSON.stringify(run.params), run.trigger?.kind ?? null, run.trigger?.detail ?? null,
        run.createdAt, run.startedAt ?? null, run.endedAt ?? null, run.error ?? null, run.trackingRunId ?? null, coordinator ?? null, run.createdAt],
    );
  }

  async heartbeat(runIds: string[], coordinator: string, now: number): Promise<void> {
    for (let i = 0; i < runIds.length; i += 500) {
      const chunk = runIds.slice(i, i + 500);
      await this.db.run(`UPDATE pl_runs SET heartbeat_at = ? WHERE coordinator = ? AND run_id IN (${chunk.map(() => '?').join(', ')})`, [now, coordinator, ...chunk]);
    }
  }

  async claimStaleRuns(coordinator: string, staleBefore: number, now: number): Promise<string[]> {
    const any = await this.db.get("SELECT run_id FROM pl_runs WHERE status IN ('QUEUED', 'RUNNING') AND (heartbeat_at IS NULL OR heartbeat_at < ?) LIMIT 1", [staleBefore]);
    if (!any) return [];
    const rows = await this.db.transaction((tx) => tx.all<{ run_id: string }>(
      `UPDATE pl_runs SET coordinator = ?, heartbeat_at = ? WHERE status IN ('QUEUED', 'RUNNING') AND (heartbeat_at IS NULL OR heartbeat_at < ?) RETURNING run_id`,
      [coordinator, now, staleBefore],
    ));
    return rows.map((r) => String(r.run_id));
  }

  async getRun(runId: string): Promise<WirePipelineRun | null> {
    const r = await this.db.get('SELECT * FROM pl_runs WHERE run_id = ?', [runId]);
    if (!r) return null;
    const run = runOf(r);
    const executions = (await this.db.all('SELECT * FROM pl_executions WHERE run_id = ? ORDER BY id', [runId])).map(executionOf);
    const outputs = await this.db.all(
      `SELECT e.execution_id, e.path, a.* FROM pl_events e JOIN pl_artifacts a ON a.id = e.artifact_id
       JOIN pl_executions x ON x.id = e.execution_id WHERE x.run_id = ? AND e.type = 'OUTPUT' ORDER BY a.id`, [runId]);
    const byExecution = new Map<number, { name: string; artifact: WireArtifact }[]>();
    for (const o of outputs) {
      const id = Number(o.execution_id);
      if (!byExecution.has(id)) byExecution.set(id, []);
      byExecution.get(id)!.push({ name: String(o.path), artifact: artifactOf(o) });
    }
    for (const e of executions) {
      const outs = byExecution.get(e.id);
      if (outs) e.outputs = outs;
    }
    run.steps = executions;
    return run;
  }

  async getRunSpec(runId: string): Promise<PipelineSpec | null> {
    const r = await this.db.get<{ spec: string }>('SELECT spec FROM pl_runs WHERE run_id = ?', [runId]);
    return r ? (JSON.parse(r.spec) as PipelineSpec) : null;
  }

  async listRuns(filter: { pipeline?: string; status?: PipelineRunStatus; limit: number }): Promise<WirePipelineRun[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (filter.pipeline) {
      where.push('pipeline = ?');
      params.push(filter.pipeline);
    }
    if (filter.status) {
      where.push('status = ?');
      params.push(filter.status);
    }
    const rows = await this.db.all(`SELECT * FROM pl_runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, run_id LIMIT ?`, [...params, filter.limit]);
    return rows.map(runOf);
  }

  async runOwners(runIds: string[]): Promise<{ runId: string; status: PipelineRunStatus; coordinator: string | null }[]> {
    const out: { runId: string; status: PipelineRunStatus; coordinator: string | null }[] = [];
    for (let i = 0; i < runIds.length; i += 500) {
      const chunk = runIds.slice(i, i + 500);
      const rows = await this.db.all(`SELECT run_id, status, coordinator FROM pl_runs WHERE run_id IN (${chunk.map(() => '?').join(', ')})`, chunk);
      for (const r of rows) out.push({ runId: String(r.run_id), status: String(r.status) as PipelineRunStatus, coordinator: r.coordinator === null || r.coordinator === undefined ? null : String(r.coordinator) });
    }
    return out;
  }

  async updateRun(runId: string, patch: Partial<Pick<WirePipelineRun, 'status' | 'startedAt' | 'endedAt' | 'error' | 'trackingRunId'>>, from?: PipelineRunStatus[], owner?: string): Promise<boolean> {
    const cols: Record<string, string> = { status: 'status', startedAt: 'started_at', endedAt: 'ended_at', error: 'error', trackingRunId: 'tracking_run_id' };
    const sets: string[] = [];
    const params: SqlValue[] = [];
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) continue;
      sets.push(`${cols[k]} = ?`);
      params.push(v as SqlValue);
    }
    if (!sets.length) return false;
    params.push(runId);
    let guard = from?.length ? ` AND status IN (${from.map(() => '?').join(', ')})` : '';
    if (owner !== undefined) guard += ' AND (coordinator = ? OR coordinator IS NULL)';
    return (await this.db.run(`UPDATE pl_runs SET ${sets.join(', ')} WHERE run_id = ?${guard}`, [...params, ...(from ?? []), ...(owner !== undefined ? [owner] : [])])).changes > 0;
  }

  async createExecution(e: NewExecution): Promise<number> {
    const r = await this.db.transaction((tx) => tx.get<{ id: unknown }>(`INSERT INTO pl_executions (${EXECUTION_COLUMNS}) VALUES (${EXECUTION_COLUMNS.split(',').map(() => '?').join(', ')}) RETURNING id`, executionValues(e)));
    return Number(r!.id);
  }

  async updateExecution(id: number, patch: Partial<Pick<WireStepExecution, 'state' | 'error' | 'endedAt' | 'trackingRunId' | 'worker' | 'values'>>, from?: ExecutionState[]): Promise<boolean> {
    const cols: Record<string, string> = { state: 'state', error: 'error', endedAt: 'ended_at', trackingRunId: 'tracking_run_id', worker: 'worker', values: 'vals' };
    const sets: string[] = [];
    const params: SqlValue[] = [];
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) continue;
      sets.push(`${cols[k]} = ?`);
      params.push(k === 'values' ? JSON.stringify(v) : (v as SqlValue));
    }
    if (!sets.length) return false;
    const guard = from?.length ? ` AND state IN (${from.map(() => '?').join(', ')})` : '';
    return (await this.db.run(`UPDATE pl_executions SET ${sets.join(', ')} WHERE id = ?${guard}`, [...params, id, ...(from ?? [])])).changes > 0;
  }

  private async upsertArtifact(tx: SqlExecutor, a: NewArtifact, now: number): Promise<number> {
    const found = await tx.get<{ id: unknown }>('SELECT id FROM pl_artifacts WHERE uri = ?', [a.uri]);
    if (found) {
      await tx.run("UPDATE pl_artifacts SET digest = ?, size = ?, type = ?, state = 'LIVE' WHERE id = ?", [a.digest, a.size ?? null, a.type, Number(found.id)]);
      return Number(found.id);
    }
    const r = await tx.get<{ id: unknown }>('INSERT INTO pl_artifacts (type, uri, name, digest, size, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id', [a.type, a.uri, a.name, a.digest, a.size ?? null, 'LIVE', now]);
    return Number(r!.id);
  }

  private async insertEvents(tx: SqlExecutor, executionId: number, inputs: { name: string; artifactId: number }[], outputs: { name: string; artifactId: number }[], now: number): Promise<void> {
    for (const i of inputs) await tx.run('INSERT INTO pl_events (artifact_id, execution_id, type, path, ts) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING', [i.artifactId, executionId, 'INPUT', i.name, now]);
    for (const o of outputs) await tx.run('INSERT INTO pl_events (artifact_id, execution_id, type, path, ts) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING', [o.artifactId, executionId, 'OUTPUT', o.name, now]);
  }

  async completeExecution(id: number, result: ExecutionResult): Promise<{ name: string; artifact: WireArtifact }[] | null> {
    return this.db.transaction(async (tx) => {
      const changed = await tx.run("UPDATE pl_executions SET state = 'COMPLETE', vals = ?, ended_at = ?, worker = ? WHERE id = ? AND state = 'RUNNING'", [JSON.stringify(result.values), result.endedAt, result.worker ?? null, id]);
      if (changed.changes === 0) return null;
      const outputs: { name: string; artifactId: number }[] = [];
      const registered: { name: string; artifact: WireArtifact }[] = [];
      for (const o of result.outputs) {
        const artifactId = await this.upsertArtifact(tx, o.artifact, result.endedAt);
        outputs.push({ name: o.name, artifactId });
        registered.push({ name: o.name, artifact: artifactOf((await tx.get('SELECT * FROM pl_artifacts WHERE id = ?', [artifactId]))!) });
      }
      await this.insertEvents(tx, id, result.inputs, outputs, result.endedAt);
      return registered;
    });
  }

  async recordCachedExecution(execution: NewExecution, source: CachedResult, inputs: { name: string; artifactId: number }[]): Promise<number> {
    return this.db.transaction(async (tx) => {
      const r = await tx.get<{ id: unknown }>(`INSERT INTO pl_executions (${EXECUTION_COLUMNS}) VALUES (${EXECUTION_COLUMNS.split(',').map(() => '?').join(', ')}) RETURNING id`, executionValues(execution));
      const id = Number(r!.id);
      await this.insertEvents(tx, id, inputs, source.outputs.map((o) => ({ name: o.name, artifactId: o.artifact.id })), execution.startedAt);
      return id;
    });
  }

  async findCached(cacheKey: string): Promise<CachedResult | null> {
    const rows = await this.db.all("SELECT * FROM pl_executions WHERE cache_key = ? AND state = 'COMPLETE' ORDER BY id DESC LIMIT 5", [cacheKey]);
    for (const r of rows) {
      const execution = executionOf(r);
      const outs = await this.db.all("SELECT e.path, a.* FROM pl_events e JOIN pl_artifacts a ON a.id = e.artifact_id WHERE e.execution_id = ? AND e.type = 'OUTPUT'", [execution.id]);
      if (outs.some((o) => o.state !== 'LIVE')) continue;
      return { execution, outputs: outs.map((o) => ({ name: String(o.path), artifact: artifactOf(o) })) };
    }
    return null;
  }

  async ensureArtifact(a: NewArtifact): Promise<WireArtifact> {
    const id = await this.db.transaction(async (tx) => {
      const found = await tx.get<{ id: unknown }>('SELECT id FROM pl_artifacts WHERE uri = ?', [a.uri]);
      if (found) return Number(found.id);
      return this.upsertArtifact(tx, a, Date.now());
    });
    return artifactOf((await this.db.get('SELECT * FROM pl_artifacts WHERE id = ?', [id]))!);
  }

  async attribute(context: { type: string; name: string }, artifactId: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run('INSERT INTO pl_contexts (type, name) VALUES (?, ?) ON CONFLICT DO NOTHING', [context.type, context.name]);
      const c = await tx.get<{ id: unknown }>('SELECT id FROM pl_contexts WHERE type = ? AND name = ?', [context.type, context.name]);
      await tx.run('INSERT INTO pl_attributions (context_id, artifact_id) VALUES (?, ?) ON CONFLICT DO NOTHING', [Number(c!.id), artifactId]);
    });
  }

  async createApproval(a: WireApproval): Promise<void> {
    await this.db.run('INSERT INTO pl_approvals (run_id, step, state, message, requested_at, timeout_at) VALUES (?, ?, ?, ?, ?, ?)', [a.runId, a.step, a.state, a.message ?? null, a.requestedAt, a.timeoutAt]);
  }

  async getApproval(runId: string, step: string): Promise<WireApproval | null> {
    const r = await this.db.get('SELECT * FROM pl_approvals WHERE run_id = ? AND step = ?', [runId, step]);
    return r ? approvalOf(r) : null;
  }

  async listApprovals(filter: { state?: WireApproval['state']; runId?: string }): Promise<WireApproval[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (filter.state) {
      where.push('state = ?');
      params.push(filter.state);
    }
    if (filter.runId) {
      where.push('run_id = ?');
      params.push(filter.runId);
    }
    return (await this.db.all(`SELECT * FROM pl_approvals ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY requested_at DESC LIMIT 1000`, params)).map(approvalOf);
  }

  async decideApproval(runId: string, step: string, d: { state: 'APPROVED' | 'REJECTED'; by: string; at: number; comment?: string }): Promise<boolean> {
    const r = await this.db.run("UPDATE pl_approvals SET state = ?, decided_by = ?, decided_at = ?, comment = ? WHERE run_id = ? AND step = ? AND state = 'PENDING'", [d.state, d.by, d.at, d.comment ?? null, runId, step]);
    return r.changes > 0;
  }

  async listTriggers(kind?: 'event' | 'cron'): Promise<StoredTrigger[]> {
    const rows = await this.db.all(`SELECT * FROM pl_triggers ${kind ? 'WHERE kind = ?' : ''} ORDER BY id`, kind ? [kind] : []);
    return rows.map((r) => ({ id: Number(r.id), pipeline: String(r.pipeline), kind: String(r.kind) as 'event' | 'cron', spec: JSON.parse(String(r.spec)) as Record<string, unknown> }));
  }

  async claimFiring(pipeline: string, key: string, at: number): Promise<boolean> {
    const r = await this.db.run('INSERT INTO pl_trigger_firings (pipeline, dedup_key, fired_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [pipeline, key, at]);
    return r.changes > 0;
  }

  async findArtifact(q: { uri?: string; digest?: string; id?: number }): Promise<WireArtifact | null> {
    let r: SqlRow | undefined;
    if (q.id !== undefined) r = await this.db.get('SELECT * FROM pl_artifacts WHERE id = ?', [q.id]);
    else if (q.uri !== undefined) r = await this.db.get('SELECT * FROM pl_artifacts WHERE uri = ?', [q.uri]);
    else if (q.digest !== undefined) r = await this.db.get('SELECT * FROM pl_artifacts WHERE digest = ? ORDER BY id LIMIT 1', [q.digest]);
    return r ? artifactOf(r) : null;
  }

  async lineage(artifactId: number, direction: 'upstream' | 'downstream'): Promise<WireLineage> {
    const root = await this.findArtifact({ id: artifactId });
    const walk = direction === 'upstream'
      ? `WITH RECURSIVE walk(id) AS (
           SELECT execution_id FROM pl_events WHERE artifact_id = ? AND type = 'OUTPUT'
           UNION
           SELECT o.execution_id FROM walk JOIN pl_events i ON i.execution_id = walk.id AND i.type = 'INPUT'
           JOIN pl_events o ON o.artifact_id = i.artifact_id AND o.type = 'OUTPUT')
         SELECT x.*, r.pipeline FROM walk JOIN pl_executions x ON x.id = walk.id JOIN pl_runs r ON r.run_id = x.run_id ORDER BY x.id`
      : `WITH RECURSIVE walk(id) AS (
           SELECT execution_id FROM pl_events WHERE artifact_id = ? AND type = 'INPUT'
           UNION
           SELECT i.execution_id FROM walk JOIN pl_events o ON o.execution_id = walk.id AND o.type = 'OUTPUT'
           JOIN pl_events i ON i.artifact_id = o.artifact_id AND i.type = 'INPUT')
         SELECT x.*, r.pipeline FROM walk JOIN pl_executions x ON x.id = walk.id JOIN pl_runs r ON r.run_id = x.run_id ORDER BY x.id`;
    const rows = await this.db.all(walk, [artifactId]);
    const executions = rows.map((r) => ({ ...executionOf(r), runId: String(r.run_id), pipeline: String(r.pipeline) }));
    const ids = executions.map((e) => e.id);
    const events: WireLineage['events'] = [];
    const artifacts = new Map<number, WireArtifact>();
    if (root) artifacts.set(root.id, root);
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const evs = await this.db.all(`SELECT e.execution_id, e.type AS event_type, e.path, a.* FROM pl_events e JOIN pl_artifacts a ON a.id = e.artifact_id WHERE e.execution_id IN (${chunk.map(() => '?').join(', ')}) ORDER BY e.execution_id, e.type, e.path`, chunk);
      for (const e of evs) {
        events.push({ artifactId: Number(e.id), executionId: Number(e.execution_id), type: String(e.event_type) as 'INPUT' | 'OUTPUT', path: String(e.path) });
        artifacts.set(Number(e.id), artifactOf(e));
      }
    }
    return { root: root!, direction, artifacts: [...artifacts.values()], executions, events };
  }
}
