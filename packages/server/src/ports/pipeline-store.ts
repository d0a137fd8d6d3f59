import type {
  ExecutionState, PipelineRunStatus, PipelineSpec, WireApproval, WireArtifact, WireLineage, WirePipeline, WirePipelineRun, WireStepExecution,
} from '@capstan/api';

/** A new artifact to register (the store deduplicates by URI). */
export interface NewArtifact {
  type: string;
  uri: string;
  name: string;
  digest: string;
  size?: number;
}

/** A new execution. */
export interface NewExecution {
  runId: string;
  step: string;
  node: string;
  iteration?: number;
  attempt: number;
  state: ExecutionState;
  cacheKey?: string;
  cachedFrom?: number;
  trackingRunId?: string;
  params?: Record<string, unknown>;
  values?: Record<string, unknown>;
  error?: string;
  startedAt: number;
  endedAt?: number;
}

/** What a completed execution read and wrote, registered in one transaction. */
export interface ExecutionResult {
  inputs: { name: string; artifactId: number }[];
  outputs: { name: string; artifact: NewArtifact }[];
  values: Record<string, unknown>;
  endedAt: number;
  worker?: string;
}

/** A cached result: the original execution and its outputs, all still LIVE. */
export interface CachedResult {
  execution: WireStepExecution;
  outputs: { name: string; artifact: WireArtifact }[];
}

/** A stored trigger or schedule of a pipeline. */
export interface StoredTrigger {
  id: number;
  pipeline: string;
  kind: 'event' | 'cron';
  /** The trigger or schedule spec as JSON. */
  spec: Record<string, unknown>;
}

/**
 * The port behind which pipeline state and lineage live: definitions, runs, executions and
 * the ML Metadata graph (artifacts, executions, events, contexts), approvals, triggers.
 * Implementation: `adapters/sql/pipelines/store.ts` (SQLite and PostgreSQL); every
 * implementation passes `test/contract/pipeline-store.ts`.
 */
export interface PipelineStore {
  /** Creates or replaces a definition and its triggers and schedules. */
  putPipeline(spec: PipelineSpec, digest: string, now: number): Promise<WirePipeline>;
  getPipeline(name: string): Promise<WirePipeline | null>;
  listPipelines(): Promise<WirePipeline[]>;

  /** Stores a new run, coordinated (and heart-beaten) by `coordinator`. */
  createRun(run: Omit<WirePipelineRun, 'steps'>, spec: PipelineSpec, coordinator?: string): Promise<void>;
  /** Records that `coordinator` is still driving these runs. */
  heartbeat(runIds: string[], coordinator: string, now: number): Promise<void>;
  /**
   * Takes over QUEUED/RUNNING runs whose coordinator has not beaten since `staleBefore`
   * (its server stopped); returns their ids. Each run is claimed by one caller.
   */
  claimStaleRuns(coordinator: string, staleBefore: number, now: number): Promise<string[]>;
  /** The run with its executions (and their outputs), or null. */
  getRun(runId: string): Promise<WirePipelineRun | null>;
  /** The spec a run was started with. */
  getRunSpec(runId: string): Promise<PipelineSpec | null>;
  listRuns(filter: { pipeline?: string; status?: PipelineRunStatus; limit: number }): Promise<WirePipelineRun[]>;
  /**
   * Updates a run; with `from`, only when its status is one of those; with `owner`, only while
   * that coordinator (or none) drives it. Returns whether it changed.
   */
  updateRun(runId: string, patch: Partial<Pick<WirePipelineRun, 'status' | 'startedAt' | 'endedAt' | 'error' | 'trackingRunId'>>, from?: PipelineRunStatus[], owner?: string): Promise<boolean>;
  /** Status and coordinator of each of these runs (missing runs are left out). */
  runOwners(runIds: string[]): Promise<{ runId: string; status: PipelineRunStatus; coordinator: string | null }[]>;

  createExecution(execution: NewExecution): Promise<number>;
  /** Updates an execution; with `from`, only when its state is one of those (returns whether it changed). */
  updateExecution(id: number, patch: Partial<Pick<WireStepExecution, 'state' | 'error' | 'endedAt' | 'trackingRunId' | 'worker' | 'values'>>, from?: ExecutionState[]): Promise<boolean>;
  /**
   * Marks a RUNNING execution COMPLETE and registers its input and output events and output
   * artifacts in one transaction. Exactly once: returns false (and writes nothing) when the
   * execution is no longer RUNNING, e.g. on a duplicate delivery. Returns the registered outputs,
   * or null for such a duplicate.
   */
  completeExecution(id: number, result: ExecutionResult): Promise<{ name: string; artifact: WireArtifact }[] | null>;
  /** Records a cache hit: a CACHED execution whose OUTPUT events point at the original artifacts. */
  recordCachedExecution(execution: NewExecution, source: CachedResult, inputs: { name: string; artifactId: number }[]): Promise<number>;
  /** Newest COMPLETE execution with this cache key whose output artifacts are all LIVE. */
  findCached(cacheKey: string): Promise<CachedResult | null>;
  /** Registers (or finds, by URI) an artifact that entered from outside, e.g. an input value. */
  ensureArtifact(artifact: NewArtifact): Promise<WireArtifact>;
  /** Links an artifact to a context (e.g. a registered model version) by attribution. */
  attribute(context: { type: string; name: string }, artifactId: number): Promise<void>;

  createApproval(approval: WireApproval): Promise<void>;
  getApproval(runId: string, step: string): Promise<WireApproval | null>;
  listApprovals(filter: { state?: WireApproval['state']; runId?: string }): Promise<WireApproval[]>;
  /** Decides a PENDING approval; returns false when it was already decided. */
  decideApproval(runId: string, step: string, decision: { state: 'APPROVED' | 'REJECTED'; by: string; at: number; comment?: string }): Promise<boolean>;

  listTriggers(kind?: 'event' | 'cron'): Promise<StoredTrigger[]>;
  /** Claims one firing of a trigger; false when this key fired before (de-duplication). */
  claimFiring(pipeline: string, key: string, at: number): Promise<boolean>;

  findArtifact(query: { uri?: string; digest?: string; id?: number }): Promise<WireArtifact | null>;
  /** The lineage graph from one artifact, walking producers (upstream) or consumers (downstream). */
  lineage(artifactId: number, direction: 'upstream' | 'downstream'): Promise<WireLineage>;
}
