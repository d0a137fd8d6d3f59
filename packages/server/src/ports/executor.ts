/** An input as the executor sees it: an artifact (by URI, or a collected list) or a JSON value. */
export type TaskInput =
  | { kind: 'artifact'; uri: string }
  | { kind: 'artifacts'; uris: string[] }
  | { kind: 'value'; value: unknown };

/** One attempt of one step, with everything rendered: what a worker needs and nothing more. */
export interface StepTask {
  /** Unique per attempt: `<runId>:<node>:<attempt>`; a queue de-duplicates on it. */
  key: string;
  runId: string;
  node: string;
  attempt: number;
  kind: 'command' | 'function';
  /** Rendered argv (command steps). */
  argv?: string[];
  /** Run `argv[0]` as one shell line through `sh -c` (the step's command was a string). */
  shell?: boolean;
  /** Function steps: compiled module path, pipeline export name, step name. */
  fn?: { module: string; pipeline: string; step: string };
  workdir?: string;
  env: Record<string, string>;
  params: Record<string, unknown>;
  inputs: Record<string, TaskInput>;
  /** Declared outputs and their types. */
  outputs: Record<string, string>;
  timeoutMs?: number;
  /** Where the step's tracking run lives, for `MLFLOW_TRACKING_URI` / `MLFLOW_RUN_ID`. */
  tracking?: { uri: string; runId: string; experimentId?: string };
  /** Artifact-store prefix for this attempt's outputs (`pipelines/<run>/<node>/<attempt>`). */
  outputPrefix: string;
}

/** What a finished step produced. */
export interface StepResult {
  artifacts: { name: string; type: string; uri: string; digest: string; size: number }[];
  values: Record<string, unknown>;
  /** Metrics read from Metrics outputs (flattened numbers), logged to tracking. */
  metrics: Record<string, number>;
  /** Last lines of output. */
  logTail: string;
  /** Who ran it (host:pid). */
  worker: string;
}

/** What an executor declares about itself. */
export interface ExecutorCapabilities {
  name: string;
  /** True when steps may run on other machines (outputs must go to a shared artifact store). */
  distributed: boolean;
}

/**
 * The port behind which steps run. Implementations: in-process (child processes) and BullMQ on
 * Redis (`capstan worker` processes); both pass `test/contract/executor.ts`. Delivery is at
 * least once; the scheduler registers outputs exactly once.
 */
export interface Executor {
  readonly capabilities: ExecutorCapabilities;
  /**
   * Runs one attempt; resolves with its outputs, rejects with an Error whose message says why
   * (`timeout` set on time-outs). Aborting `signal` stops the step.
   */
  run(task: StepTask, signal: AbortSignal): Promise<StepResult>;
  close(): Promise<void>;
}

/** One line a step wrote: time (ms since epoch), stream (`sys` for Capstan's own notes), text. */
export interface StepLogLine {
  t: number;
  s: 'out' | 'err' | 'sys';
  l: string;
}

/** Lines of one attempt's log from an offset, and the offset to ask for next. */
export interface StepLogPage {
  lines: StepLogLine[];
  next: number;
  /** False when nothing was ever written for the attempt (yet). */
  stored: boolean;
}

/** Reads the logs step runners write (see `adapters/executors/step-logs.ts`), wherever the attempt ran. */
export interface StepLogs {
  read(runId: string, node: string, attempt: number, offset: number, limit: number): Promise<StepLogPage>;
}
