import { invalidParameter } from '@capstan/api';
import type { LoadedModel, ModelRuntime } from '../../ports/model-runtime.js';
import { AdaptiveBatcher, isBatchable, type BatchObserver } from './batcher.js';
import { parseMlModel } from './mlmodel.js';
import type { ExecutionMode, ModelRef } from './model.js';
import type { ModelInputs } from './scoring.js';
import type { Tensor, TensorSpec } from './tensors.js';

/** Reads files of a model version's directory; null when a file is absent. */
export interface ModelFiles {
  /** Where the files are, for messages. */
  location: string;
  read(relativePath: string): Promise<Uint8Array | null>;
}

/** A model version ready to serve: its inputs as clients see them, and its batcher. */
export interface ServableModel {
  ref: ModelRef;
  inputs: ModelInputs;
  outputs: readonly TensorSpec[];
  flavors: string[];
  /** Where calls run (chosen at load). */
  execution: 'workers' | 'inline';
  batcher: AdaptiveBatcher;
  /** Runs validated feeds through the batcher. */
  infer(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>>;
  release(): Promise<void>;
}

/**
 * Loads a registered version for serving: reads `MLmodel` (refusing flavors that cannot run
 * here, with how to convert them), loads the ONNX file into the runtime, and checks that the
 * signature's columns can feed the model's inputs. A bare `model.onnx` without `MLmodel` is
 * accepted too.
 * @throws INVALID_PARAMETER_VALUE for anything that would otherwise fail at request time
 */
export async function loadServable(
  ref: ModelRef,
  files: ModelFiles,
  runtime: ModelRuntime,
  options: { workers: number; maxBatchRows: number; execution?: ExecutionMode; observe?: BatchObserver },
): Promise<ServableModel> {
  const where = `Model version ${ref.model}/${ref.version} (${files.location})`;
  const mlmodel = await files.read('MLmodel');
  let onnxFile = 'model.onnx';
  let info: ReturnType<typeof parseMlModel> | undefined;
  if (mlmodel) {
    info = parseMlModel(new TextDecoder().decode(mlmodel), where);
    onnxFile = info.onnxFile;
  }
  const bytes = await files.read(onnxFile);
  if (!bytes) {
    throw invalidParameter(mlmodel
      ? `${where}: the MLmodel file names '${onnxFile}' but that file is missing.`
      : `${where}: no MLmodel file and no model.onnx were found; log the model with mlflow.onnx.log_model (or @capstan/train) before deploying it.`);
  }
  const loaded: LoadedModel = await runtime.load(bytes, { label: where, workers: options.workers, execution: options.execution ?? 'auto' });
  try {
    const columns = info?.columns;
    if (columns && loaded.inputs.length > 1) {
      const names = new Set(columns.map((c) => c.name));
      const unfed = loaded.inputs.filter((i) => !names.has(i.name));
      if (unfed.length) throw invalidParameter(`${where}: the ONNX inputs ${unfed.map((i) => `'${i.name}'`).join(', ')} are not columns of the signature (${[...names].join(', ')}).`);
    }
    const batcher = new AdaptiveBatcher((feeds) => loaded.run(feeds), { maxBatchRows: options.maxBatchRows, slots: loaded.slots, batchable: isBatchable(loaded.inputs) }, options.observe);
    return {
      ref,
      inputs: { tensors: loaded.inputs, ...(columns ? { columns } : {}) },
      outputs: loaded.outputs,
      flavors: info?.flavors ?? ['onnx'],
      execution: loaded.execution,
      batcher,
      infer: (feeds) => batcher.submit(feeds),
      release: () => loaded.release(),
    };
  } catch (error) {
    await loaded.release();
    throw error;
  }
}
