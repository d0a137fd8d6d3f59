import type { TabularModel } from '../model.js';
import type { Tree } from '../models/tree.js';
import { type Node, type Tensor, type ValueInfo, encodeModel } from './proto.js';

/** ONNX opsets of exported models. */
export const ONNX_OPSET = 15;
/** ai.onnx.ml opset of exported models. */
export const ONNX_ML_OPSET = 3;

const ML = 'ai.onnx.ml';

/**
 * Exports a trained model as ONNX bytes. One input per feature column, named as the column
 * (float [N,1] numeric with NaN for missing; string [N,1] categorical). Outputs are plain tensors:
 * `label` [N] and `probabilities` [N,C] float for classifiers, `variable` [N,1] float for regressors.
 * Preprocessing uses Imputer, Scaler, OneHotEncoder, Reshape and Concat; the estimator is
 * LinearClassifier, LinearRegressor or TreeEnsembleRegressor (classifiers add Sigmoid/Softmax,
 * ArgMax and Gather so probabilities and labels equal the trainer's exactly).
 */
export function exportOnnx(model: TabularModel, options: { docString?: string; metadata?: Record<string, string> } = {}): Uint8Array {
  const nodes: Node[] = [];
  const inits: Tensor[] = [];
  const inputs: ValueInfo[] = [];
  const pre = model.preprocessor;
  const blocks: string[] = [];
  for (const s of pre.numeric) inputs.push({ name: s.name, type: 'float', shape: [-1, 1] });
  for (const s of pre.categorical) inputs.push({ name: s.name, type: 'string', shape: [-1, 1] });
  if (pre.numeric.length > 0) {
    let cur = pre.numeric[0]!.name;
    if (pre.numeric.length > 1) {
      nodes.push({ opType: 'Concat', name: 'numeric_concat', inputs: pre.numeric.map((s) => s.name), outputs: ['numeric_raw'], attributes: { axis: { kind: 'int', value: 1 } } });
      cur = 'numeric_raw';
    }
    nodes.push({
      opType: 'Imputer', domain: ML, name: 'imputer', inputs: [cur], outputs: ['numeric_imputed'],
      attributes: { imputed_value_floats: { kind: 'floats', value: pre.numeric.map((s) => s.fill) }, replaced_value_float: { kind: 'float', value: NaN } },
    });
    cur = 'numeric_imputed';
    if (pre.scaled) {
      nodes.push({
        opType: 'Scaler', domain: ML, name: 'scaler', inputs: [cur], outputs: ['numeric_scaled'],
        attributes: { offset: { kind: 'floats', value: pre.numeric.map((s) => s.offset) }, scale: { kind: 'floats', value: pre.numeric.map((s) => s.scale) } },
      });
      cur = 'numeric_scaled';
    }
    blocks.push(cur);
  }
  pre.categorical.forEach((s, i) => {
    if (s.categories.length === 0) return;
    nodes.push({
      opType: 'OneHotEncoder', domain: ML, name: `onehot_${i}`, inputs: [s.name], outputs: [`onehot_${i}_3d`],
      attributes: { cats_strings: { kind: 'strings', value: s.categories }, zeros: { kind: 'int', value: 1 } },
    });
    inits.push({ name: `onehot_${i}_shape`, dims: [2], type: 'int64', values: [-1, s.categories.length] });
    nodes.push({ opType: 'Reshape', name: `onehot_${i}_reshape`, inputs: [`onehot_${i}_3d`, `onehot_${i}_shape`], outputs: [`onehot_${i}`] });
    blocks.push(`onehot_${i}`);
  });
  let features = blocks[0]!;
  if (blocks.length > 1) {
    nodes.push({ opType: 'Concat', name: 'features_concat', inputs: blocks, outputs: ['features'], attributes: { axis: { kind: 'int', value: 1 } } });
    features = 'features';
  }
  const outputs = head(model, features, nodes, inits);
  return encodeModel({
    graphName: `capstan_${model.kind}`, nodes, inputs, outputs, initializers: inits,
    opsets: [{ domain: '', version: ONNX_OPSET }, { domain: ML, version: ONNX_ML_OPSET }],
    irVersion: 8, producerName: 'capstan-train', producerVersion: '0.1.0',
    ...(options.docString ? { docString: options.docString } : {}),
    metadata: { kind: model.kind, task: model.task, label: model.label, ...options.metadata },
  });
}

function classLabelsTensor(model: TabularModel): Tensor {
  const classes = model.classes!;
  return typeof classes[0] === 'number'
    ? { name: 'class_labels', dims: [classes.length], type: 'int64', values: classes as number[] }
    : { name: 'class_labels', dims: [classes.length], type: 'string', values: classes as string[] };
}

function head(model: TabularModel, x: string, nodes: Node[], inits: Tensor[]): ValueInfo[] {
  const e = model.estimator;
  const C = model.classes?.length ?? 0;
  const labelType = C > 0 && typeof model.classes![0] === 'string' ? 'string' : 'int64';
  const classifierOutputs: ValueInfo[] = [
    { name: 'label', type: labelType, shape: [-1] },
    { name: 'probabilities', type: 'float', shape: [-1, C] },
  ];
  const regressorOutputs: ValueInfo[] = [{ name: 'variable', type: 'float', shape: [-1, 1] }];
  if (e.type === 'linear') {
    const m = e.model;
    if (model.task === 'regression') {
      nodes.push({
        opType: 'LinearRegressor', domain: ML, name: 'linear_regressor', inputs: [x], outputs: ['variable'],
        attributes: { coefficients: { kind: 'floats', value: m.coef }, intercepts: { kind: 'floats', value: m.intercept }, targets: { kind: 'int', value: 1 } },
      });
      return regressorOutputs;
    }
    const binary = m.outputs === 1;
    const coef = binary ? [...m.coef.map((v) => -v), ...m.coef] : Array.from(m.coef);
    const intercepts = binary ? [-m.intercept[0]!, m.intercept[0]!] : Array.from(m.intercept);
    const classes = model.classes!;
    nodes.push({
      opType: 'LinearClassifier', domain: ML, name: 'linear_classifier', inputs: [x], outputs: ['label', 'probabilities'],
      attributes: {
        coefficients: { kind: 'floats', value: coef }, intercepts: { kind: 'floats', value: intercepts },
        ...(typeof classes[0] === 'number'
          ? { classlabels_ints: { kind: 'ints' as const, value: classes as number[] } }
          : { classlabels_strings: { kind: 'strings' as const, value: classes as string[] } }),
        multi_class: { kind: 'int', value: 0 },
        post_transform: { kind: 'string', value: binary ? 'LOGISTIC' : 'SOFTMAX' },
      },
    });
    return classifierOutputs;
  }
  const K = e.model.outputs;
  const isForest = e.type === 'forest';
  const rawName = model.task === 'regression' ? 'variable' : isForest ? 'probabilities' : 'raw_scores';
  nodes.push(treeEnsemble(e.model.trees, K, {
    output: rawName, input: x, aggregate: isForest ? 'AVERAGE' : 'SUM',
    baseValues: e.type === 'boosting' ? Array.from(e.model.baseline) : undefined,
  }));
  if (model.task === 'regression') return regressorOutputs;
  if (!isForest) {
    if (K === 1) {
      nodes.push({ opType: 'Sigmoid', name: 'sigmoid', inputs: ['raw_scores'], outputs: ['p1'] });
      inits.push({ name: 'one', dims: [], type: 'float', values: [1] });
      nodes.push({ opType: 'Sub', name: 'complement', inputs: ['one', 'p1'], outputs: ['p0'] });
      nodes.push({ opType: 'Concat', name: 'proba_concat', inputs: ['p0', 'p1'], outputs: ['probabilities'], attributes: { axis: { kind: 'int', value: 1 } } });
    } else {
      nodes.push({ opType: 'Softmax', name: 'softmax', inputs: ['raw_scores'], outputs: ['probabilities'], attributes: { axis: { kind: 'int', value: 1 } } });
    }
  }
  nodes.push({ opType: 'ArgMax', name: 'argmax', inputs: ['probabilities'], outputs: ['label_index'], attributes: { axis: { kind: 'int', value: 1 }, keepdims: { kind: 'int', value: 0 } } });
  inits.push(classLabelsTensor(model));
  nodes.push({ opType: 'Gather', name: 'label_lookup', inputs: ['class_labels', 'label_index'], outputs: ['label'], attributes: { axis: { kind: 'int', value: 0 } } });
  return classifierOutputs;
}

function treeEnsemble(trees: readonly Tree[], K: number, o: { input: string; output: string; aggregate: string; baseValues: number[] | undefined }): Node {
  const a = {
    nodes_treeids: [] as number[], nodes_nodeids: [] as number[], nodes_featureids: [] as number[], nodes_values: [] as number[],
    nodes_modes: [] as string[], nodes_truenodeids: [] as number[], nodes_falsenodeids: [] as number[],
    target_treeids: [] as number[], target_nodeids: [] as number[], target_ids: [] as number[], target_weights: [] as number[],
  };
  trees.forEach((t, ti) => {
    for (let n = 0; n < t.feature.length; n++) {
      const leaf = t.feature[n]! < 0;
      a.nodes_treeids.push(ti);
      a.nodes_nodeids.push(n);
      a.nodes_featureids.push(leaf ? 0 : t.feature[n]!);
      a.nodes_values.push(leaf ? 0 : t.threshold[n]!);
      a.nodes_modes.push(leaf ? 'LEAF' : 'BRANCH_LEQ');
      a.nodes_truenodeids.push(leaf ? 0 : t.left[n]!);
      a.nodes_falsenodeids.push(leaf ? 0 : t.right[n]!);
      if (!leaf) continue;
      if (t.target >= 0) {
        a.target_treeids.push(ti);
        a.target_nodeids.push(n);
        a.target_ids.push(t.target);
        a.target_weights.push(t.value[n]!);
      } else {
        for (let k = 0; k < t.outputs; k++) {
          a.target_treeids.push(ti);
          a.target_nodeids.push(n);
          a.target_ids.push(k);
          a.target_weights.push(t.value[n * t.outputs + k]!);
        }
      }
    }
  });
  const ints = (v: number[]) => ({ kind: 'ints' as const, value: v });
  const floats = (v: number[]) => ({ kind: 'floats' as const, value: v });
  return {
    opType: 'TreeEnsembleRegressor', domain: ML, name: 'trees', inputs: [o.input], outputs: [o.output],
    attributes: {
      nodes_treeids: ints(a.nodes_treeids), nodes_nodeids: ints(a.nodes_nodeids), nodes_featureids: ints(a.nodes_featureids),
      nodes_values: floats(a.nodes_values), nodes_modes: { kind: 'strings', value: a.nodes_modes },
      nodes_truenodeids: ints(a.nodes_truenodeids), nodes_falsenodeids: ints(a.nodes_falsenodeids),
      target_treeids: ints(a.target_treeids), target_nodeids: ints(a.target_nodeids), target_ids: ints(a.target_ids),
      target_weights: floats(a.target_weights), n_targets: { kind: 'int', value: K },
      aggregate_function: { kind: 'string', value: o.aggregate }, post_transform: { kind: 'string', value: 'NONE' },
      ...(o.baseValues ? { base_values: floats(o.baseValues) } : {}),
    },
  };
}
