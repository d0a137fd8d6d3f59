import type { Tensor, TensorSpec } from '../core/serving/tensors.js';

/** A model loaded into a runtime, ready to run. */
export interface LoadedModel {
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  /** Parallel calls the runtime can make (its worker count; 1 inline). */
  readonly slots: number;
  /** Where calls run: on worker threads or inline on the calling thread. */
  readonly execution: 'workers' | 'inline';
  /** Runs the model; inputs have been validated against {@link inputs}. */
  run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>>;
  /** Frees the model's workers and memory. */
  release(): Promise<void>;
}

/** Loads model bytes (ONNX) into something that runs them. */
export interface ModelRuntime {
  /** @throws INVALID_PARAMETER_VALUE when the bytes are not a model this runtime can run */
  load(bytes: Uint8Array, options: { label: string; workers: number; execution: 'auto' | 'workers' | 'inline' }): Promise<LoadedModel>;
  close(): Promise<void>;
}
