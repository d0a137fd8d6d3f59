import { invalidParameter } from '@capstan/api';
import {
  BYTE_SIZE, OIP_DATATYPE, allocate, checkFinite, checkShape, elementCount, flatten, fromJsonValues, nest,
  tensorTypeOfDatatype, toJsonValues, type Tensor, type TensorData, type TensorSpec, type TensorType,
} from './tensors.js';

/** A decoded Open Inference Protocol request: feeds by input name and what to send back. */
export interface OipRequest {
  id?: string;
  parameters: Record<string, unknown>;
  feeds: Record<string, Tensor>;
  /** Requested outputs (all when undefined), each with whether to return it as binary. */
  outputs?: { name: string; binary: boolean }[];
  /** Return every output as binary unless an output says otherwise. */
  binaryOutput: boolean;
}

/** Largest accepted JSON header of a binary request. */
const MAX_HEADER = 64 * 1024 * 1024;

/**
 * Decodes an OIP v2 inference request against the model's inputs. `body` is the raw bytes;
 * `headerLength` is `Inference-Header-Content-Length` when the binary tensor extension is used.
 * Every input is checked (name, datatype, shape, element count, finite numbers) before the
 * model sees anything.
 * @throws INVALID_PARAMETER_VALUE naming the field at fault
 */
export function decodeOipRequest(body: Buffer, headerLength: number | undefined, inputs: readonly TensorSpec[]): OipRequest {
  const jsonLength = headerLength ?? body.length;
  if (!Number.isSafeInteger(jsonLength) || jsonLength < 0 || jsonLength > body.length || jsonLength > MAX_HEADER) {
    throw invalidParameter(`Inference-Header-Content-Length ${headerLength} is not between 0 and the body size (${body.length}).`);
  }
  let header: unknown;
  try {
    header = JSON.parse(body.subarray(0, jsonLength).toString('utf8'));
  } catch (error) {
    throw invalidParameter(`Malformed JSON in inference request: ${(error as Error).message}.`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw invalidParameter('The inference request must be a JSON object with an "inputs" list.');
  const req = header as Record<string, unknown>;
  if (!Array.isArray(req.inputs)) throw invalidParameter('The inference request must have an "inputs" list.');
  const parameters = isObject(req.parameters) ? req.parameters : {};
  let offset = jsonLength;
  const feeds: Record<string, Tensor> = {};
  const byName = new Map(inputs.map((s) => [s.name, s]));
  req.inputs.forEach((raw, i) => {
    if (!isObject(raw)) throw invalidParameter(`inputs[${i}] must be an object with name, shape, datatype and data.`);
    const name = raw.name;
    if (typeof name !== 'string' || name === '') throw invalidParameter(`inputs[${i}].name is missing.`);
    const spec = byName.get(name);
    if (!spec) throw invalidParameter(`inputs[${i}]: unknown input '${name}'; the model's inputs are ${[...byName.keys()].map((n) => `'${n}'`).join(', ')}.`);
    if (feeds[name]) throw invalidParameter(`inputs[${i}]: input '${name}' is given twice.`);
    const what = `input '${name}'`;
    const datatype = raw.datatype;
    if (typeof datatype !== 'string' || !tensorTypeOfDatatype(datatype)) throw invalidParameter(`${what}: datatype ${JSON.stringify(datatype)} is not an OIP datatype (FP32, FP64, INT64, BYTES, BOOL, ...).`);
    if (datatype !== OIP_DATATYPE[spec.type]) throw invalidParameter(`${what}: datatype ${datatype} does not match the model's ${OIP_DATATYPE[spec.type]}.`);
    const dims = parseShape(what, raw.shape);
    checkShape(what, dims, spec);
    const count = elementCount(dims);
    const params = isObject(raw.parameters) ? raw.parameters : {};
    let data: TensorData;
    if (params.binary_data_size !== undefined) {
      const size = params.binary_data_size;
      if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw invalidParameter(`${what}: binary_data_size must be a non-negative integer.`);
      if (offset + size > body.length) throw invalidParameter(`${what}: binary_data_size ${size} runs past the end of the body (${body.length - offset} bytes left).`);
      data = decodeBinary(what, spec.type, body.subarray(offset, offset + size), count);
      offset += size;
    } else {
      if (raw.data === undefined) throw invalidParameter(`${what}: "data" is missing.`);
      const flat = flatten(raw.data);
      if (flat.length !== count) throw invalidParameter(`${what}: ${flat.length} element(s) in data but shape [${dims.join(', ')}] needs ${count}.`);
      data = fromJsonValues(what, spec.type, flat);
    }
    feeds[name] = { type: spec.type, dims, data };
  });
  if (offset !== body.length && headerLength !== undefined) throw invalidParameter(`The body has ${body.length - offset} byte(s) after the last binary input.`);
  const missing = inputs.filter((s) => !feeds[s.name]);
  if (missing.length > 0) throw invalidParameter(`Missing input(s) ${missing.map((s) => `'${s.name}'`).join(', ')}; the model needs all of ${inputs.map((s) => `'${s.name}'`).join(', ')}.`);
  const binaryOutput = parameters.binary_data_output === true;
  let outputs: OipRequest['outputs'];
  if (req.outputs !== undefined) {
    if (!Array.isArray(req.outputs)) throw invalidParameter('"outputs" must be a list of {"name": ...}.');
    outputs = req.outputs.map((o, i) => {
      if (!isObject(o) || typeof o.name !== 'string') throw invalidParameter(`outputs[${i}].name is missing.`);
      const p = isObject(o.parameters) ? o.parameters : {};
      return { name: o.name, binary: typeof p.binary_data === 'boolean' ? p.binary_data : binaryOutput };
    });
  }
  return { ...(typeof req.id === 'string' ? { id: req.id } : {}), parameters, feeds, ...(outputs ? { outputs } : {}), binaryOutput };
}

/** An encoded OIP response: bytes, and the JSON header length when binary outputs follow. */
export interface EncodedResponse {
  body: Buffer;
  headerLength?: number;
}

/**
 * Encodes an OIP inference response; outputs requested as binary follow the JSON header.
 * @throws INVALID_PARAMETER_VALUE when a requested output does not exist
 */
export function encodeOipResponse(
  meta: { modelName: string; modelVersion: string; id: string; parameters?: Record<string, unknown> },
  outputs: Record<string, Tensor>,
  request: Pick<OipRequest, 'outputs' | 'binaryOutput'>,
): EncodedResponse {
  const wanted = request.outputs ?? Object.keys(outputs).map((name) => ({ name, binary: request.binaryOutput }));
  const chunks: Buffer[] = [];
  const list = wanted.map(({ name, binary }) => {
    const t = outputs[name];
    if (!t) throw invalidParameter(`Unknown output '${name}'; the model's outputs are ${Object.keys(outputs).map((n) => `'${n}'`).join(', ')}.`);
    const base = { name, datatype: OIP_DATATYPE[t.type], shape: t.dims };
    if (!binary) return { ...base, data: toJsonValues(t) };
    const bytes = encodeBinary(t);
    chunks.push(bytes);
    return { ...base, parameters: { binary_data_size: bytes.length } };
  });
  const json = Buffer.from(JSON.stringify({ model_name: meta.modelName, model_version: meta.modelVersion, id: meta.id, ...(meta.parameters ? { parameters: meta.parameters } : {}), outputs: list }));
  if (chunks.length === 0) return { body: json };
  return { body: Buffer.concat([json, ...chunks]), headerLength: json.length };
}

/** The OIP metadata of a tensor spec (variable dimensions as -1). */
export function tensorMetadata(spec: TensorSpec): { name: string; datatype: string; shape: number[] } {
  return { name: spec.name, datatype: OIP_DATATYPE[spec.type], shape: spec.shape };
}

/** JSON-friendly values of an output, nested by its dims. */
export function nestedValues(tensor: Tensor): unknown {
  return nest(toJsonValues(tensor), tensor.dims);
}

function parseShape(what: string, shape: unknown): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw invalidParameter(`${what}: shape must be a list of non-negative integers.`);
  }
  if (shape.length > 16) throw invalidParameter(`${what}: shape has more than 16 dimensions.`);
  return shape as number[];
}

function decodeBinary(what: string, type: TensorType, bytes: Buffer, count: number): TensorData {
  if (type === 'string') {
    const out: string[] = [];
    let o = 0;
    while (o < bytes.length) {
      if (o + 4 > bytes.length) throw invalidParameter(`${what}: truncated BYTES element ${out.length}.`);
      const len = bytes.readUInt32LE(o);
      o += 4;
      if (o + len > bytes.length) throw invalidParameter(`${what}: BYTES element ${out.length} runs past binary_data_size.`);
      out.push(bytes.toString('utf8', o, o + len));
      o += len;
    }
    if (out.length !== count) throw invalidParameter(`${what}: ${out.length} BYTES element(s) but the shape needs ${count}.`);
    return out;
  }
  const size = BYTE_SIZE[type];
  if (bytes.length !== count * size) throw invalidParameter(`${what}: binary_data_size is ${bytes.length} bytes but shape and datatype need ${count * size}.`);
  const data = allocate(type, count) as Exclude<TensorData, string[]>;
  new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(bytes);
  if (type === 'bool' && (data as Uint8Array).some((v) => v > 1)) throw invalidParameter(`${what}: BOOL elements must be 0 or 1.`);
  checkFinite(what, data);
  return data;
}

function encodeBinary(t: Tensor): Buffer {
  if (Array.isArray(t.data)) {
    const parts: Buffer[] = [];
    for (const s of t.data) {
      const b = Buffer.from(s, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32LE(b.length);
      parts.push(len, b);
    }
    return Buffer.concat(parts);
  }
  const d = t.data;
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
