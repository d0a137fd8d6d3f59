/**
 * @capstan/train: tabular trainers that export ONNX models, evaluation, and hyperparameter
 * search. Pure TypeScript: no Node-only imports, so it runs in workers and pipelines alike.
 */
export const TRAIN_PACKAGE = '@capstan/train';
