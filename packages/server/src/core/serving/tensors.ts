import { invalidParameter } from '@capstan/api';

/** Element types a model input or output can have (ONNX Runtime's names). */
export type TensorType =
  | 'float32' | 'float64' | 'float16'
  | 'int8' | 'int16' | 'int32' | 'int64'
  | 'uint8' | 'uint16' | 'uint32' | 'uint64'
  | 'bool' | 'string';

/** Typed storage of a tensor's elements, row-major. `bool` is a Uint8Array of 0/1. */
export type TensorData =
  | Float32Array | Float64Array | Uint16Array
  | Int8Array | Int16Array | Int32Array | BigInt64Array
  | Uint8Array | Uint32Array | BigUint64Array
  | string[];

/** A tensor: type, dimensions and flat row-major data. */
export interface Tensor {
  type: TensorType;
  dims: number[];
  data: TensorData;
}

/** A named input or output of a model; `-1` marks a dimension of any size. */
export interface TensorSpec {
  name: string;
  type: TensorType;
  shape: number[];
}

/** Open Inference Protocol datatype of each tensor type. */
export const OIP_DATATYPE: Readonly<Record<TensorType, string>> = {
  float32: 'FP32', float64: 'FP64', float16: 'FP16',
  int8: 'INT8', int16: 'INT16', int32: 'INT32', int64: 'INT64',
  uint8: 'UINT8', uint16: 'UINT16', uint32: 'UINT32', uint64: 'UINT64',
  bool: 'BOOL', string: 'BYTES',
};

const TYPE_OF_OIP: Readonly<Record<string, TensorType>> = Object.fromEntries(Object.entries(OIP_DATATYPE).map(([t, d]) => [d, t as TensorType]));

/** The tensor type of an OIP datatype, or undefined. */
export function tensorTypeOfDatatype(datatype: string): TensorType | undefined {
  return TYPE_OF_OIP[datatype];
}

/** Bytes per element in the binary tensor encoding (strings are length-prefixed). */
export const BYTE_SIZE: Readonly<Record<Exclude<TensorType, 'string'>, number>> = {
  float32: 4, float64: 8, float16: 2, int8: 1, int16: 2, int32: 4, int64: 8,
  uint8: 1, uint16: 2, uint32: 4, uint64: 8, bool: 1,
};

const INT_RANGE: Partial<Record<TensorType, [number, number]>> = {
  int8: [-128, 127], int16: [-32768, 32767], int32: [-2147483648, 2147483647],
  uint8: [0, 255], uint16: [0, 65535], uint32: [0, 4294967295],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER], uint64: [0, Number.MAX_SAFE_INTEGER],
};

/** Number of elements of a shape. */
export function elementCount(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** Allocates typed storage for `n` elements of `type`. */
export function allocate(type: TensorType, n: number): TensorData {
  switch (type) {
    case 'float32': return new Float32Array(n);
    case 'float64': return new Float64Array(n);
    case 'float16': return new Uint16Array(n);
    case 'int8': return new Int8Array(n);
    case 'int16': return new Int16Array(n);
    case 'int32': return new Int32Array(n);
    case 'int64': return new BigInt64Array(n);
    case 'uint8': case 'bool': return new Uint8Array(n);
    case 'uint16': return new Uint16Array(n);
    case 'uint32': return new Uint32Array(n);
    case 'uint64': return new BigUint64Array(n);
    case 'string': return new Array<string>(n).fill('');
  }
}

/**
 * Checks a tensor's declared shape against the model's spec: same rank, fixed dimensions equal.
 * @throws INVALID_PARAMETER_VALUE naming the input and the dimension
 */
export function checkShape(what: string, dims: readonly number[], spec: TensorSpec): void {
  if (spec.shape.length > 0 && dims.length !== spec.shape.length) {
    throw invalidParameter(`${what}: shape [${dims.join(', ')}] has ${dims.length} dimension(s); the model expects ${spec.shape.length} (shape [${spec.shape.join(', ')}], -1 = any size).`);
  }
  for (let i = 0; i < spec.shape.length; i++) {
    const want = spec.shape[i]!;
    if (want >= 0 && dims[i] !== want) {
      throw invalidParameter(`${what}: dimension ${i} is ${dims[i]}; the model expects ${want} (shape [${spec.shape.join(', ')}]).`);
    }
  }
}

/**
 * Converts JSON values to the typed storage of `type`, rejecting what the model must never see:
 * non-numbers, non-finite numbers, out-of-range or fractional integers, non-strings for BYTES.
 * @param values flat list of JSON elements
 * @throws INVALID_PARAMETER_VALUE naming `what` and the element index
 */
export function fromJsonValues(what: string, type: TensorType, values: readonly unknown[]): TensorData {
  const n = values.length;
  if (type === 'string') {
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v !== 'string') throw invalidParameter(`${what}: element ${i} is ${describe(v)}; expected a string (datatype BYTES).`);
      out[i] = v;
    }
    return out;
  }
  if (type === 'bool') {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v === 'boolean') out[i] = v ? 1 : 0;
      else if (v === 0 || v === 1) out[i] = v;
      else throw invalidParameter(`${what}: element ${i} is ${describe(v)}; expected true or false (datatype BOOL).`);
    }
    return out;
  }
  if (type === 'float16') throw invalidParameter(`${what}: FP16 has no JSON representation; send it with the binary tensor extension.`);
  const out = allocate(type, n);
  const range = INT_RANGE[type];
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v !== 'number') throw invalidParameter(`${what}: element ${i} is ${describe(v)}; expected a number (datatype ${OIP_DATATYPE[type]}).`);
    if (!Number.isFinite(v)) throw invalidParameter(`${what}: element ${i} is not a finite number.`);
    if (range) {
      if (!Number.isInteger(v) || v < range[0] || v > range[1]) throw invalidParameter(`${what}: element ${i} is ${v}; expected an integer in [${range[0]}, ${range[1]}] (datatype ${OIP_DATATYPE[type]}).`);
      if (out instanceof BigInt64Array || out instanceof BigUint64Array) out[i] = BigInt(v);
      else (out as Int32Array)[i] = v;
    } else {
      (out as Float64Array)[i] = v;
    }
  }
  return out;
}

/**
 * Checks that every element of a float tensor decoded from bytes is finite.
 * @throws INVALID_PARAMETER_VALUE naming the first non-finite element
 */
export function checkFinite(what: string, data: TensorData): void {
  if (!(data instanceof Float32Array || data instanceof Float64Array)) return;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) throw invalidParameter(`${what}: element ${i} is not a finite number (${data[i]}).`);
  }
}

/** Flattens nested JSON arrays (row-major); a flat array is returned as is. */
export function flatten(data: unknown): unknown[] {
  if (!Array.isArray(data)) return [data];
  if (!data.some(Array.isArray)) return data;
  const out: unknown[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) walk(x);
    else out.push(v);
  };
  walk(data);
  return out;
}

/** Plain JSON values of a tensor's data (int64 as numbers, bool as booleans). */
export function toJsonValues(tensor: Tensor): (number | string | boolean)[] {
  const d = tensor.data;
  if (Array.isArray(d)) return d;
  if (tensor.type === 'bool') return Array.from(d as Uint8Array, (v) => v !== 0);
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) return Array.from(d, (v) => Number(v));
  return Array.from(d as Float64Array);
}

/** Nests flat values by dims (row-major), for payloads that want `[[...], [...]]`. */
export function nest<T>(values: readonly T[], dims: readonly number[]): unknown {
  if (dims.length <= 1) return values.slice();
  const inner = elementCount(dims.slice(1));
  const out: unknown[] = [];
  for (let i = 0; i < dims[0]!; i++) out.push(nest(values.slice(i * inner, (i + 1) * inner), dims.slice(1)));
  return out;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return String(v);
}
