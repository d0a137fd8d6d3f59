/**
 * @capstan/train: tabular trainers that export ONNX models, evaluation, and hyperparameter
 * search. Pure TypeScript: no Node-only imports, so it runs in workers, pipelines and browsers.
 * Node helpers (writing an MLflow model directory to disk) live in `@capstan/train/node`.
 */
export { Rng } from './rng.js';
export type { Cell, Columns, TableLike, Matrix, ClassLabels } from './data.js';
export { toColumns } from './data.js';
export type { ImputeStrategy, PreprocessOptions, Preprocessor, NumericStep, CategoricalStep } from './preprocess.js';
export { fitPreprocessor, transform } from './preprocess.js';
export type { LinearModel, LogisticOptions } from './models/linear.js';
export { fitLogistic, fitLinear, lbfgs } from './models/linear.js';
export type { Tree, Binned, BoostingOptions, BoostedEnsemble, ForestOptions, Forest } from './models/tree.js';
export { binFeatures, fitBoosting, fitForest } from './models/tree.js';
export type { ModelKind, Task, TrainOptions, InputColumn } from './model.js';
export { TabularModel, HYPERPARAMETERS, train, resolveParams, argmaxRows } from './model.js';
export { exportOnnx, ONNX_OPSET, ONNX_ML_OPSET } from './onnx/export.js';
export type { Model as OnnxModel, Node as OnnxNode, Tensor as OnnxTensor, ValueInfo as OnnxValueInfo, AttributeValue as OnnxAttributeValue } from './onnx/proto.js';
export { encodeModel } from './onnx/proto.js';
export { accuracy, confusionMatrix, classificationReport, logLoss, rocAuc, rocAucOvr, r2, rmse, mae } from './metrics.js';
export type { MlflowModelOptions } from './mlflow.js';
export { mlflowModelFiles, modelSignature, inputExampleJson, ONNX_VERSION, MLFLOW_VERSION } from './mlflow.js';
export type { Evaluation, ClassificationEvaluation, RegressionEvaluation, EvaluateOptions, RocCurve, PrCurve, CalibrationCurve, FeatureImportance } from './evaluate.js';
export { evaluate, rocCurve, prCurve, calibrationCurve, permutationImportance } from './evaluate.js';
export type { Series } from './charts.js';
export { lineChartSvg, scatterSvg, confusionMatrixSvg, barChartSvg } from './charts.js';
export type { LogModelOptions, TrackStudyOptions } from './tracking.js';
export { logModel, logEvaluation, evaluationArtifacts, trackStudy } from './tracking.js';
export type { ParamValue, Distribution, TrialState, FrozenTrial, Sampler, Pruner, StudyHooks, StudyOptions, TpeOptions, MedianPrunerOptions, SuccessiveHalvingOptions } from './search.js';
export { Study, Trial, TrialPruned, RandomSampler, GridSampler, TpeSampler, NopPruner, MedianPruner, SuccessiveHalvingPruner, defaultGamma, defaultWeights } from './search.js';
