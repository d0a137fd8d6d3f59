import { z } from 'zod';

/** Output types that are files or directories in the artifact store, passed downstream by reference. */
export const ARTIFACT_TYPES = ['Dataset', 'Model', 'Metrics', 'File', 'Directory'] as const;
/** Output types that are small JSON values, passed downstream by value. */
export const VALUE_TYPES = ['string', 'number', 'boolean', 'json'] as const;
/** Every output type. */
export type OutputType = (typeof ARTIFACT_TYPES)[number] | (typeof VALUE_TYPES)[number];

const name = z.string().regex(/^[A-Za-z_][\w-]{0,127}$/, 'names start with a letter or _ and hold letters, digits, _ or - (at most 128)');
const outputType = z.enum([...ARTIFACT_TYPES, ...VALUE_TYPES]);
const key = z.string().regex(/^[A-Za-z_][\w-]{0,127}$/, 'input, output and parameter names start with a letter or _ and hold letters, digits, _ or - (at most 128)');
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'environment variable names hold letters, digits and _');

/** A pipeline parameter: type and optional default (no default = required at run time). */
export const paramSpecSchema = z.object({
  type: z.enum(['string', 'number', 'boolean', 'json']).default('string'),
  default: z.unknown().optional(),
  description: z.string().optional(),
});

/** Where a step input comes from: `steps.<step>.outputs.<name>`, `params.<name>`, or a literal. */
export const inputSpecSchema = z.union([
  z.string(),
  z.object({ from: z.string().optional(), value: z.unknown().optional(), type: outputType.optional() }),
]);

/** Retry policy: attempts in total, first delay, doubling up to `maxBackoffMs`. */
export const retrySpecSchema = z.object({
  attempts: z.number().int().min(1).max(20).default(1),
  backoffMs: z.number().int().min(0).max(3_600_000).default(1000),
  maxBackoffMs: z.number().int().min(0).max(86_400_000).default(60_000),
});

/** A quality gate: the candidate's metric against the champion's (a registry alias). */
export const gateSpecSchema = z.object({
  /** Reference to a Metrics artifact or a number: `steps.evaluate.outputs.metrics`. */
  candidate: z.string(),
  metric: z.string(),
  model: z.string(),
  alias: z.string().default('champion'),
  /** `max`: bigger is better (accuracy); `min`: smaller is better (loss). */
  direction: z.enum(['max', 'min']).default('max'),
  /** The candidate must beat the champion by at least this much. */
  minImprovement: z.number().default(0),
  /** The candidate must reach this value regardless of the champion. */
  threshold: z.number().optional(),
});

/** Registers a Model artifact as a new version of a registered model, optionally setting an alias. */
export const registerSpecSchema = z.object({
  model: z.string(),
  from: z.string(),
  alias: z.string().optional(),
});

/** One step of a pipeline. Exactly one of command, function, gate, approval, register. */
export const stepSpecSchema = z.object({
  name,
  /** argv template (`["python", "train.py", "--lr", "{{params.lr}}"]`) or one shell line. */
  command: z.union([z.string().min(1), z.array(z.string()).min(1)]).optional(),
  /** A function step: the compiled module and the step's export name (set by the TS builder). */
  function: z.object({ module: z.string().min(1), pipeline: z.string().default('default') }).optional(),
  gate: gateSpecSchema.optional(),
  approval: z.object({ timeoutMs: z.number().int().min(1).max(30 * 86_400_000).default(86_400_000), message: z.string().optional() }).optional(),
  register: registerSpecSchema.optional(),
  /** Working directory of command steps (relative paths resolve against the pipeline file). */
  workdir: z.string().optional(),
  env: z.record(envName, z.string()).optional(),
  inputs: z.record(key, inputSpecSchema).default({}),
  outputs: z.record(key, outputType).default({}),
  /** Pipeline parameters this step uses besides those its command mentions (part of the cache key). */
  params: z.array(z.string()).default([]),
  /** Steps that must finish first without passing data. */
  after: z.array(z.string()).default([]),
  /** Run only when this holds: `steps.evaluate.outputs.accuracy >= 0.9`, `params.deploy == true`. */
  when: z.string().optional(),
  /** Fan-out: a list, or a reference to one (`params.lrs`); `{{item}}` is the element. */
  forEach: z.union([z.string(), z.array(z.unknown())]).optional(),
  parallelism: z.number().int().min(1).max(1000).optional(),
  retry: retrySpecSchema.optional(),
  timeoutMs: z.number().int().min(1).max(7 * 86_400_000).optional(),
  cache: z.boolean().default(true),
  /** Bump to invalidate cached results when code outside the command changed. */
  version: z.string().default('1'),
});

/** A cron schedule of a pipeline. */
export const scheduleSpecSchema = z.object({
  cron: z.string().min(1),
  params: z.record(z.string(), z.unknown()).default({}),
  timezone: z.string().optional(),
});

/** An event trigger: an event type, a payload filter, parameter mapping and a de-duplication key. */
export const triggerSpecSchema = z.object({
  event: z.enum(['model_version.created', 'model_version.alias_set', 'dataset_version.created', 'drift.alert', 'pipeline_run.finished']),
  /** Payload fields that must be equal (`{dataset: "iris"}`). */
  filter: z.record(z.string(), z.string()).default({}),
  /** Pipeline params from the payload: `{version: "{{event.version}}"}`. */
  params: z.record(z.string(), z.string()).default({}),
  /** Template of the de-duplication key; the whole payload when absent. */
  dedupKey: z.string().optional(),
});

/** A whole pipeline, as YAML or JSON or as built by the TS builder. */
export const pipelineSpecSchema = z.object({
  name,
  description: z.string().optional(),
  params: z.record(key, paramSpecSchema).default({}),
  steps: z.array(stepSpecSchema).min(1).max(10_000),
  /** A step run after everything else, whatever happened; `{{run.status}}` is the final status. */
  onExit: stepSpecSchema.optional(),
  /** Steps running at once (default 8). */
  parallelism: z.number().int().min(1).max(1000).optional(),
  schedules: z.array(scheduleSpecSchema).default([]),
  triggers: z.array(triggerSpecSchema).default([]),
  /** Directory relative `workdir`s and function modules resolve against. */
  baseDir: z.string().optional(),
});

/** A validated pipeline spec. */
export type PipelineSpec = z.output<typeof pipelineSpecSchema>;
/** A pipeline spec as written (defaults optional). */
export type PipelineSpecInput = z.input<typeof pipelineSpecSchema>;
/** One step. */
export type StepSpec = z.output<typeof stepSpecSchema>;
/** One step as written. */
export type StepSpecInput = z.input<typeof stepSpecSchema>;
/** A step input binding. */
export type InputSpec = z.output<typeof inputSpecSchema>;
/** A quality gate. */
export type GateSpec = z.output<typeof gateSpecSchema>;
/** An event trigger. */
export type TriggerSpec = z.output<typeof triggerSpecSchema>;
/** A schedule. */
export type ScheduleSpec = z.output<typeof scheduleSpecSchema>;
