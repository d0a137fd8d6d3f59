import { type Cell, type TableLike, isMissing, toColumns } from './data.js';
import type { TabularModel } from './model.js';
import { exportOnnx } from './onnx/export.js';

/** The onnx package version recorded in MLmodel (the IR/opsets we emit are supported by it). */
export const ONNX_VERSION = '1.16.0';
/** The MLflow version recorded in MLmodel (the format we follow). */
export const MLFLOW_VERSION = '2.17.0';

/** Options of {@link mlflowModelFiles}. */
export interface MlflowModelOptions {
  /** Rows for input_example.json (default: the first training rows kept by the model). */
  inputExample?: TableLike;
  /** Recorded in MLmodel as run_id / artifact_path when given. */
  runId?: string;
  artifactPath?: string;
  /** Fixed identity/time for reproducible output (default: random UUID, now). */
  modelUuid?: string;
  createdAt?: Date;
}

/** MLflow column signature of the inputs and tensor signature of the outputs, as MLmodel stores them (JSON strings). */
export function modelSignature(model: TabularModel): { inputs: string; outputs: string } {
  const inputs = model.inputs.map((c) => ({ type: c.type === 'numeric' ? 'double' : 'string', name: c.name, required: c.type !== 'numeric' }));
  const tensor = (name: string, dtype: string, shape: number[]) => ({ type: 'tensor', 'tensor-spec': { dtype, shape }, name });
  const outputs = model.task === 'regression'
    ? [tensor('variable', 'float32', [-1, 1])]
    : [tensor('label', typeof model.classes![0] === 'string' ? 'str' : 'int64', [-1]), tensor('probabilities', 'float32', [-1, model.classes!.length])];
  return { inputs: JSON.stringify(inputs), outputs: JSON.stringify(outputs) };
}

/** input_example.json in pandas "split" orient: `{"columns": [...], "data": [[...], ...]}`; missing values are null. */
export function inputExampleJson(model: TabularModel, table?: TableLike): string {
  const { columns, rows } = toColumns(table ?? model.inputExample);
  const names = model.inputs.map((c) => c.name);
  const data: Cell[][] = [];
  for (let i = 0; i < rows; i++) data.push(names.map((n) => { const v = columns[n]?.[i]; return isMissing(v) ? null : v; }));
  return JSON.stringify({ columns: names, data });
}

const q = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/**
 * The files of an MLflow model directory for the model (onnx flavor + python_function):
 * `MLmodel`, `model.onnx`, `input_example.json`, and the environment files MLflow writes
 * (`conda.yaml`, `python_env.yaml`, `requirements.txt`). Values are file contents.
 */
export function mlflowModelFiles(model: TabularModel, options: MlflowModelOptions = {}): Record<string, Uint8Array | string> {
  const sig = modelSignature(model);
  const created = (options.createdAt ?? new Date()).toISOString().replace('T', ' ').replace('Z', '000');
  const uuid = options.modelUuid ?? globalThis.crypto.randomUUID().replace(/-/g, '');
  const lines = [
    ...(options.artifactPath ? [`artifact_path: ${options.artifactPath}`] : []),
    'flavors:',
    '  onnx:',
    '    code: null',
    '    data: model.onnx',
    `    onnx_version: ${ONNX_VERSION}`,
    '    providers:',
    '    - CPUExecutionProvider',
    '  python_function:',
    '    data: model.onnx',
    '    env:',
    '      conda: conda.yaml',
    '      virtualenv: python_env.yaml',
    '    loader_module: mlflow.onnx',
    "    python_version: '3.11'",
    `mlflow_version: ${MLFLOW_VERSION}`,
    `model_uuid: ${uuid}`,
    ...(options.runId ? [`run_id: ${options.runId}`] : []),
    'saved_input_example_info:',
    '  artifact_path: input_example.json',
    '  pandas_orient: split',
    '  type: dataframe',
    'signature:',
    `  inputs: ${q(sig.inputs)}`,
    `  outputs: ${q(sig.outputs)}`,
    '  params: null',
    `utc_time_created: ${q(created)}`,
    'metadata:',
    '  capstan_trainer: capstan-train',
    `  capstan_model_kind: ${model.kind}`,
    `  capstan_task: ${model.task}`,
    `  capstan_label: ${q(model.label)}`,
    '',
  ];
  const requirements = [`mlflow==${MLFLOW_VERSION}`, `onnx==${ONNX_VERSION}`, 'onnxruntime'];
  return {
    MLmodel: lines.join('\n'),
    'model.onnx': exportOnnx(model),
    'input_example.json': inputExampleJson(model, options.inputExample),
    'conda.yaml': ['channels:', '- conda-forge', 'dependencies:', '- python=3.11', '- pip', '- pip:', ...requirements.map((r) => `  - ${r}`), 'name: mlflow-env', ''].join('\n'),
    'python_env.yaml': ['python: 3.11', 'build_dependencies:', '- pip', 'dependencies:', '- -r requirements.txt', ''].join('\n'),
    'requirements.txt': `${requirements.join('\n')}\n`,
  };
}
