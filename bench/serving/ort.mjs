// Shared by the in-process limit and the bare server: one onnxruntime-node session with the same
// options as Capstan's model workers (one intra-op thread, no spinning, all graph optimizations).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
export const ort = require('onnxruntime-node');

/** An InferenceSession for the .onnx file at `file`, and the names of its tensor outputs. */
export async function openSession(file) {
  const session = await ort.InferenceSession.create(readFileSync(file), {
    executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all',
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  });
  const fetches = session.outputMetadata.filter((m) => m.isTensor).map((m) => m.name);
  return { session, fetches, input: session.inputNames[0] };
}
