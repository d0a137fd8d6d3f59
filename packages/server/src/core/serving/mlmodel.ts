import { parse as parseYaml } from 'yaml';
import { invalidParameter } from '@capstan/api';
import type { TensorSpec, TensorType } from './tensors.js';

/** One column of a column-based MLflow signature. */
export interface ColumnSpec {
  name: string;
  /** MLflow's type name: double, float, long, integer, boolean, string, binary, datetime. */
  type: string;
  required: boolean;
}

/** What serving needs from an MLflow `MLmodel` file. */
export interface MlModelInfo {
  flavors: string[];
  /** Path of the ONNX file relative to the model directory. */
  onnxFile: string;
  /** Column-based signature inputs, when the model has one. */
  columns?: ColumnSpec[];
  /** Tensor-based signature inputs, when the model has one. */
  tensors?: TensorSpec[];
}

const MLFLOW_TO_TENSOR: Readonly<Record<string, TensorType>> = {
  double: 'float64', float: 'float32', long: 'int64', integer: 'int32', boolean: 'bool', string: 'string',
};

const NUMPY_TO_TENSOR: Readonly<Record<string, TensorType>> = {
  float32: 'float32', float64: 'float64', float16: 'float16', int8: 'int8', int16: 'int16', int32: 'int32', int64: 'int64',
  uint8: 'uint8', uint16: 'uint16', uint32: 'uint32', uint64: 'uint64', bool: 'bool', object: 'string', str: 'string',
};

/**
 * Reads an `MLmodel` file. Only the ONNX flavor runs here: any other model is refused with the
 * way to convert it, so a deployment fails at deploy time, never at request time.
 * @throws INVALID_PARAMETER_VALUE for unreadable files and flavors that cannot run
 */
export function parseMlModel(text: string, where: string): MlModelInfo {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw invalidParameter(`${where}: the MLmodel file is not valid YAML (${(error as Error).message}).`);
  }
  if (!doc || typeof doc !== 'object') throw invalidParameter(`${where}: the MLmodel file is empty.`);
  const d = doc as Record<string, unknown>;
  const flavors = d.flavors && typeof d.flavors === 'object' ? d.flavors as Record<string, Record<string, unknown> | null> : {};
  const names = Object.keys(flavors);
  const onnx = flavors.onnx;
  if (!onnx) throw invalidParameter(unsupportedFlavorMessage(where, names));
  const onnxFile = typeof onnx.data === 'string' ? onnx.data : 'model.onnx';
  if (onnxFile.includes('..') || onnxFile.startsWith('/')) throw invalidParameter(`${where}: the onnx flavor's data path '${onnxFile}' must be inside the model directory.`);
  const info: MlModelInfo = { flavors: names, onnxFile };
  const signature = d.signature && typeof d.signature === 'object' ? d.signature as Record<string, unknown> : undefined;
  if (typeof signature?.inputs === 'string') {
    let specs: unknown;
    try {
      specs = JSON.parse(signature.inputs);
    } catch {
      throw invalidParameter(`${where}: the signature's inputs are not valid JSON.`);
    }
    if (Array.isArray(specs)) Object.assign(info, readSignature(specs, where));
  }
  return info;
}

/** The refusal for a model without an ONNX flavor, with the conversion recipe. */
export function unsupportedFlavorMessage(where: string, flavors: string[]): string {
  const sklearn = flavors.includes('sklearn');
  const recipe = sklearn
    ? "convert it with skl2onnx: `from skl2onnx import to_onnx; onx = to_onnx(model, X[:1].astype('float32'), options={'zipmap': False})` then `mlflow.onnx.log_model(onx, name='model', input_example=X[:5])`"
    : 'export it to ONNX (skl2onnx for scikit-learn, onnxmltools for XGBoost/LightGBM, torch.onnx.export for PyTorch, tf2onnx for TensorFlow) and log it with `mlflow.onnx.log_model`';
  return `${where}: flavor(s) ${flavors.length ? flavors.join(', ') : '(none)'} cannot be served by Capstan, which runs ONNX models; ${recipe}, then register that version.`;
}

function readSignature(specs: unknown[], where: string): Pick<MlModelInfo, 'columns' | 'tensors'> {
  if (specs.every((s) => isRecord(s) && s.type === 'tensor')) {
    const tensors = specs.map((s, i) => {
      const spec = (s as Record<string, unknown>)['tensor-spec'] as Record<string, unknown> | undefined;
      const type = NUMPY_TO_TENSOR[String(spec?.dtype)];
      if (!type) throw invalidParameter(`${where}: signature input ${i} has unsupported dtype ${String(spec?.dtype)}.`);
      return { name: String((s as Record<string, unknown>).name ?? `input_${i}`), type, shape: Array.isArray(spec?.shape) ? spec.shape.map(Number) : [] };
    });
    return { tensors };
  }
  const columns = specs.filter(isRecord).map((s, i) => ({
    name: String(s.name ?? i),
    type: String(s.type ?? 'double'),
    required: s.required !== false,
  }));
  return { columns };
}

/** The tensor type a signature column converts to when it feeds a one-input-per-column model. */
export function columnTensorType(column: ColumnSpec): TensorType | undefined {
  return MLFLOW_TO_TENSOR[column.type];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
