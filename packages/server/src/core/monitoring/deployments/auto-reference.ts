/**
 * Automatic references: the training dataset of the version a deployment serves, found through
 * the registry (model version → run) and the run's MLflow dataset inputs that point at Capstan
 * dataset versions, scored by the deployed model so predictions and scores are part of it.
 */
import type { DatasetInput } from '../../model.js';
import type { PredictionRecord } from '../../serving/model.js';

/** What automatic references are built from; wired in the composition root. */
export interface ReferenceSources {
  /** The version most of a deployment's traffic reaches, or null when it is not loaded here. */
  primaryVersion(deployment: string): { model: string; version: string } | null;
  /** Dataset inputs of the run that produced a model version ([] when it has no run). */
  trainingInputs(model: string, version: string): Promise<DatasetInput[]>;
  /** Column names of the model's signature, or null when it reads unnamed tensors. */
  modelColumns(deployment: string, version: string): string[] | null;
  /** Rows of a dataset version's tabular files: all up to `maxRows`, else a seeded sample. */
  readRows(dataset: string, version: number, maxRows: number): Promise<{ rows: Record<string, unknown>[]; total: number; sampled: boolean }>;
  /** A table run through one deployed version without routing, metrics or the payload log. */
  score(deployment: string, version: string, table: { columns: string[]; rows: unknown[][] }): Promise<Pick<PredictionRecord, 'inputs' | 'outputs'>>;
}

/** Outcome of the last automatic capture of a monitor's reference. */
export interface ReferenceCapture {
  status: 'captured' | 'skipped' | 'failed';
  /** What happened, readable ("no Capstan dataset input on run abc…"). */
  message: string;
  time: number;
  /** The model version and dataset version it was (or would have been) taken from. */
  model?: string;
  version?: string;
  dataset?: string;
}

/** A Capstan dataset version named by a run's dataset input. */
export interface TrainingDataset {
  name: string;
  version: number;
  /** The input's `mlflow.data.context` tag, when set. */
  context: string | null;
}

/** Source prefix of automatic references (`dataset:NAME@V for MODEL/VERSION`). */
export const DATASET_SOURCE_PREFIX = 'dataset:';

/** Rows at most read from a training dataset for a reference. */
export const AUTO_REFERENCE_MAX_ROWS = 100_000;

/** Rows per model call while scoring a reference. */
export const SCORE_CHUNK_ROWS = 2_000;

const URI = /^capstan-data:\/(.+)@(\d+)$/;

/**
 * The Capstan dataset version a model was trained on, from its run's dataset inputs: the input
 * tagged `mlflow.data.context = training` when there is one, else the only Capstan input.
 * Returns null, with why, when there is none or the choice is ambiguous.
 */
export function trainingDatasetOf(inputs: readonly DatasetInput[]): TrainingDataset | { reason: string } {
  const found: TrainingDataset[] = [];
  for (const input of inputs) {
    if (input.dataset.sourceType !== 'capstan') continue;
    let uri: unknown;
    try {
      uri = (JSON.parse(input.dataset.source) as { uri?: unknown }).uri;
    } catch {
      continue;
    }
    const m = typeof uri === 'string' ? URI.exec(uri) : null;
    if (!m) continue;
    const context = input.tags.find((t) => t.key === 'mlflow.data.context')?.value ?? null;
    found.push({ name: m[1]!, version: Number(m[2]), context });
  }
  if (found.length === 0) return { reason: 'its run has no Capstan dataset input (log one with `capstan data link NAME@V RUN_ID --context training`)' };
  const training = found.filter((f) => f.context === 'training');
  if (training.length === 1) return training[0]!;
  if (found.length === 1) return found[0]!;
  const listed = found.map((f) => `${f.name}@${f.version}${f.context ? ` (${f.context})` : ''}`).join(', ');
  return { reason: `its run has several Capstan dataset inputs (${listed}); tag the training one with context 'training'` };
}

/** Splits records into the dataframe-split tables the model is scored on, chunk by chunk. */
export function* tablesOf(rows: readonly Record<string, unknown>[], columns: readonly string[], chunk = SCORE_CHUNK_ROWS): Generator<{ columns: string[]; rows: unknown[][] }> {
  for (let i = 0; i < rows.length; i += chunk) {
    yield { columns: [...columns], rows: rows.slice(i, i + chunk).map((r) => columns.map((c) => r[c] ?? null)) };
  }
}
