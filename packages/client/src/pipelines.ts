import {
  pipelines as routes, type PipelineSpec, type PipelineSpecInput, type StepSpecInput, type WireApproval, type WireLineage, type WirePipeline, type WirePipelineRun, type WireStepLog,
} from '@capstan/api';
import { Transport, type TransportOptions } from './http.js';

/** Options of {@link PipelinesClient}: the same as the main client's (the `/api/v1` prefix is implied). */
export type PipelinesClientOptions = Omit<TransportOptions, 'apiPrefix'>;

/** Run states that do not change any more. */
export const TERMINAL_RUN_STATUSES: readonly WirePipelineRun['status'][] = ['SUCCEEDED', 'FAILED', 'CANCELED'];

/** Pipelines, runs, approvals and lineage on the native `/api/v1` API. */
export class PipelinesClient {
  readonly transport: Transport;

  constructor(options: PipelinesClientOptions) {
    this.transport = new Transport({ ...options, apiPrefix: '/api/v1' });
  }

  /** Creates or replaces a pipeline from a spec object (e.g. from {@link definePipeline}). */
  async put(spec: PipelineSpecInput | PipelineSpec | { spec: PipelineSpecInput }): Promise<WirePipeline> {
    const body = 'spec' in spec && !('steps' in spec) ? spec.spec : spec;
    return (await this.transport.call(routes.put, { spec: body })).pipeline;
  }

  /** Creates or replaces a pipeline from YAML text. */
  async putYaml(yaml: string): Promise<WirePipeline> {
    return (await this.transport.call(routes.put, { yaml })).pipeline;
  }

  async list(): Promise<WirePipeline[]> {
    return (await this.transport.call(routes.list, {})).pipelines;
  }

  async get(name: string): Promise<WirePipeline> {
    return (await this.transport.call(routes.get, { name })).pipeline;
  }

  /** Starts a run; with `wait` the call returns when the run ends. */
  async run(name: string, params: Record<string, unknown> = {}, options: { wait?: boolean } = {}): Promise<WirePipelineRun> {
    return (await this.transport.call(routes.run, { name, params, wait: options.wait ?? false })).run;
  }

  async listRuns(filter: { pipeline?: string; status?: WirePipelineRun['status']; maxResults?: number } = {}): Promise<WirePipelineRun[]> {
    return (await this.transport.call(routes.listRuns, filter)).runs;
  }

  /** A run with its step executions. */
  async getRun(runId: string): Promise<WirePipelineRun> {
    return (await this.transport.call(routes.getRun, { runId })).run;
  }

  /** Lines of a step attempt's output from `offset` (the latest attempt unless given); ask again from `next` to tail. */
  stepLogs(runId: string, step: string, query: { attempt?: number; offset?: number; limit?: number } = {}): Promise<WireStepLog> {
    return this.transport.call(routes.stepLogs, { runId, step, ...query } as never);
  }

  /**
   * Follows a step's output until its attempt ends, calling `onLines` with each new batch of lines.
   * @returns the last page (its `state` says how the attempt ended)
   */
  async followStepLogs(runId: string, step: string, onLines: (lines: WireStepLog['lines']) => void, options: { attempt?: number; intervalMs?: number; signal?: AbortSignal } = {}): Promise<WireStepLog> {
    let offset = 0;
    for (;;) {
      const page = await this.stepLogs(runId, step, { ...(options.attempt !== undefined ? { attempt: options.attempt } : {}), offset, limit: 5000 });
      if (page.lines.length) onLines(page.lines);
      offset = page.next;
      if (page.complete || options.signal?.aborted) return page;
      if (page.lines.length < 5000) await new Promise((r) => setTimeout(r, options.intervalMs ?? 500));
    }
  }

  async cancel(runId: string): Promise<WirePipelineRun> {
    return (await this.transport.call(routes.cancelRun, { runId })).run;
  }

  async approvals(filter: { state?: WireApproval['state']; runId?: string } = {}): Promise<WireApproval[]> {
    return (await this.transport.call(routes.listApprovals, filter)).approvals;
  }

  async approve(runId: string, step: string, options: { by?: string; comment?: string } = {}): Promise<WireApproval> {
    return (await this.transport.call(routes.approve, { runId, step, ...options })).approval;
  }

  async reject(runId: string, step: string, options: { by?: string; comment?: string } = {}): Promise<WireApproval> {
    return (await this.transport.call(routes.reject, { runId, step, ...options })).approval;
  }

  /** Lineage of an artifact (by URI or digest) or a registered model version. */
  async lineage(query: { uri?: string; digest?: string; model?: string; version?: number; direction?: 'upstream' | 'downstream' }): Promise<WireLineage> {
    return this.transport.call(routes.lineage, { direction: 'upstream', ...query });
  }

  /**
   * Polls a run until it ends, calling `onUpdate` whenever a step changes state.
   * @param intervalMs poll interval (default 500)
   */
  async watch(runId: string, onUpdate: (run: WirePipelineRun) => void, options: { intervalMs?: number; signal?: AbortSignal } = {}): Promise<WirePipelineRun> {
    let last = '';
    for (;;) {
      const run = await this.getRun(runId);
      const fingerprint = `${run.status}|${(run.steps ?? []).map((s) => `${s.id}:${s.state}`).join(',')}`;
      if (fingerprint !== last) {
        last = fingerprint;
        onUpdate(run);
      }
      if (TERMINAL_RUN_STATUSES.includes(run.status)) return run;
      if (options.signal?.aborted) throw options.signal.reason;
      await new Promise((r) => setTimeout(r, options.intervalMs ?? 500));
    }
  }
}

/** A function step's context: parameters, input paths or values, output paths. */
export interface StepContext<P = Record<string, unknown>> {
  params: P;
  /** Artifact inputs as local paths (a list of paths for collected fan-out results); value inputs as values. */
  inputs: Record<string, unknown>;
  /** Where to write each artifact output (a file or a directory). */
  outputs: Record<string, string>;
  outputDir: string;
  runId: string;
  step: string;
  attempt: number;
}

/** A TypeScript step: a function run in its own Node process, returning its value outputs. */
export type StepFunction<P = Record<string, unknown>> = (ctx: StepContext<P>) => Record<string, unknown> | void | Promise<Record<string, unknown> | void>;

type ParamsOf<S extends PipelineSpecInput['params']> = { [K in keyof S]: S[K] extends { type: 'number' } ? number : S[K] extends { type: 'boolean' } ? boolean : S[K] extends { type: 'json' } ? unknown : string };

/** A pipeline defined in TypeScript: the spec to send and the functions of its function steps. */
export interface PipelineDefinition {
  spec: PipelineSpecInput;
  functions: Record<string, StepFunction<never>>;
}

function codeVersion(fn: (...args: never[]) => unknown): string {
  let h = 0x811c9dc5;
  const text = fn.toString();
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * Defines a pipeline in TypeScript. Function steps (`run`) execute in a Node process that imports
 * the compiled module (`module`: a `.js`/`.mjs` path the server and workers can read; Node 20
 * does not run `.ts`), so export the definition (as `default` or under the name given in
 * `exportName`). Their code version is a hash of the function's source, so editing a function
 * invalidates its cache.
 * @example
 * export default definePipeline({ name: 'train', module: import.meta.filename, params: { lr: { type: 'number', default: 0.1 } } }, (p) => [
 *   p.fn('prepare', { outputs: { data: 'Dataset' } }, async (ctx) => { writeFileSync(ctx.outputs.data, '...'); }),
 *   p.command('train', ['python', 'train.py', '--lr', '{{params.lr}}', '--data', '{{inputs.data}}'], { inputs: { data: 'steps.prepare.outputs.data' }, outputs: { model: 'Model' } }),
 * ]);
 */
export function definePipeline<const S extends NonNullable<PipelineSpecInput['params']>>(
  options: Omit<PipelineSpecInput, 'steps' | 'params'> & { params?: S; module: string; exportName?: string },
  build: (b: PipelineBuilder<ParamsOf<S>>) => StepSpecInput[],
): PipelineDefinition {
  const functions: Record<string, StepFunction<never>> = {};
  const builder: PipelineBuilder<ParamsOf<S>> = {
    fn: (name, step, run) => {
      functions[name] = run as StepFunction<never>;
      return { ...step, name, function: { module: options.module, pipeline: options.exportName ?? 'default' }, version: `${step.version ?? '1'}+${codeVersion(run)}` };
    },
    command: (name, command, step = {}) => ({ ...step, name, command }),
    step: (step) => step,
  };
  const rest: Partial<typeof options> = { ...options };
  delete rest.module;
  delete rest.exportName;
  return { spec: { ...(rest as Omit<PipelineSpecInput, 'steps' | 'params'>), params: options.params ?? {}, steps: build(builder) }, functions };
}

/** Builds steps for {@link definePipeline}. */
export interface PipelineBuilder<P> {
  /** A function step. */
  fn(name: string, step: Omit<StepSpecInput, 'name' | 'command' | 'function'>, run: StepFunction<P>): StepSpecInput;
  /** A command step in any language: `['python', 'train.py', '--lr', '{{params.lr}}']`. */
  command(name: string, command: string | string[], step?: Omit<StepSpecInput, 'name' | 'command'>): StepSpecInput;
  /** Any other step (gate, approval, register), as a spec. */
  step(step: StepSpecInput): StepSpecInput;
}
