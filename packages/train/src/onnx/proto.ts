/**
 * A small protobuf writer and the subset of the ONNX schema (onnx.proto, proto2 field numbers)
 * that @capstan/train emits: ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
 * ValueInfoProto.
 */

const utf8 = new TextEncoder();

class Writer {
  private chunks: Uint8Array[] = [];
  private buf = new Uint8Array(256);
  private pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.chunks.push(this.buf.subarray(0, this.pos));
    this.buf = new Uint8Array(Math.max(256, n * 2));
    this.pos = 0;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  varint(v: number | bigint): void {
    if (typeof v === 'number' && v >= 0 && v < 2 ** 31) {
      while (v > 127) {
        this.byte((v & 127) | 128);
        v >>>= 7;
      }
      this.byte(v);
      return;
    }
    let b = BigInt.asUintN(64, BigInt(v));
    while (b > 127n) {
      this.byte(Number(b & 127n) | 128);
      b >>= 7n;
    }
    this.byte(Number(b));
  }

  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  float32(v: number): void {
    this.ensure(4);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 4).setFloat32(0, v, true);
    this.pos += 4;
  }

  finish(): Uint8Array {
    const parts = [...this.chunks, this.buf.subarray(0, this.pos)];
    const total = parts.reduce((s, p) => s + p.length, 0);
    const out = new Uint8Array(total);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

type Field = (w: Writer) => void;

const msg = (fields: Field[]): Uint8Array => {
  const w = new Writer();
  for (const f of fields) f(w);
  return w.finish();
};
const int = (field: number, v: number | bigint): Field => (w) => { w.tag(field, 0); w.varint(v); };
const str = (field: number, s: string | Uint8Array): Field => (w) => { w.tag(field, 2); w.bytes(typeof s === 'string' ? utf8.encode(s) : s); };
const sub = (field: number, m: Uint8Array): Field => (w) => { w.tag(field, 2); w.bytes(m); };
const f32 = (field: number, v: number): Field => (w) => { w.tag(field, 5); w.float32(v); };
const packedInts = (field: number, vs: readonly (number | bigint)[]): Field => (w) => {
  const inner = new Writer();
  for (const v of vs) inner.varint(v);
  w.tag(field, 2);
  w.bytes(inner.finish());
};
const packedFloats = (field: number, vs: ArrayLike<number>): Field => (w) => {
  const inner = new Writer();
  for (let i = 0; i < vs.length; i++) inner.float32(vs[i]);
  w.tag(field, 2);
  w.bytes(inner.finish());
};

/** ONNX TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7, STRING: 8, DOUBLE: 11 } as const;

/** A constant tensor (graph initializer or attribute value). */
export interface Tensor {
  name: string;
  dims: number[];
  type: 'float' | 'int64' | 'string';
  values: ArrayLike<number> | readonly string[];
}

/** An attribute value; arrays of numbers become INTS or FLOATS by the `floats` flag. */
export type AttributeValue =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'floats'; value: ArrayLike<number> }
  | { kind: 'strings'; value: readonly string[] }
  | { kind: 'tensor'; value: Tensor };

/** A graph node. */
export interface Node {
  opType: string;
  domain?: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes?: Record<string, AttributeValue>;
}

/** A graph input or output: element type and shape (-1 for a symbolic dimension). */
export interface ValueInfo {
  name: string;
  type: 'float' | 'int64' | 'string';
  shape: number[];
}

/** A whole model. */
export interface Model {
  graphName: string;
  nodes: Node[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  initializers: Tensor[];
  opsets: { domain: string; version: number }[];
  irVersion: number;
  producerName: string;
  producerVersion: string;
  docString?: string;
  metadata?: Record<string, string>;
}

const elemType = (t: ValueInfo['type']): number => (t === 'float' ? DataType.FLOAT : t === 'int64' ? DataType.INT64 : DataType.STRING);

function tensorProto(t: Tensor): Uint8Array {
  const fields: Field[] = [packedInts(1, t.dims), int(2, elemType(t.type)), str(8, t.name)];
  if (t.type === 'float') fields.push(packedFloats(4, t.values as ArrayLike<number>));
  else if (t.type === 'int64') fields.push(packedInts(7, Array.from(t.values as ArrayLike<number>)));
  else for (const s of t.values as readonly string[]) fields.push(str(6, s));
  return msg(fields);
}

function attributeProto(name: string, a: AttributeValue): Uint8Array {
  const fields: Field[] = [str(1, name)];
  switch (a.kind) {
    case 'float': fields.push(f32(2, a.value), int(20, 1)); break;
    case 'int': fields.push(int(3, a.value), int(20, 2)); break;
    case 'string': fields.push(str(4, a.value), int(20, 3)); break;
    case 'tensor': fields.push(sub(5, tensorProto(a.value)), int(20, 4)); break;
    case 'floats': fields.push(packedFloats(7, a.value), int(20, 6)); break;
    case 'ints': fields.push(packedInts(8, a.value), int(20, 7)); break;
    case 'strings': for (const s of a.value) fields.push(str(9, s)); fields.push(int(20, 8)); break;
  }
  return msg(fields);
}

function nodeProto(n: Node): Uint8Array {
  const fields: Field[] = [];
  for (const i of n.inputs) fields.push(str(1, i));
  for (const o of n.outputs) fields.push(str(2, o));
  fields.push(str(3, n.name), str(4, n.opType));
  for (const [k, v] of Object.entries(n.attributes ?? {})) fields.push(sub(5, attributeProto(k, v)));
  if (n.domain) fields.push(str(7, n.domain));
  return msg(fields);
}

function valueInfoProto(v: ValueInfo): Uint8Array {
  const dims = v.shape.map((d, i) => msg([d >= 0 ? int(1, d) : str(2, i === 0 ? 'N' : `d${i}`)]));
  const shape = msg(dims.map((d) => sub(1, d)));
  const tensorType = msg([int(1, elemType(v.type)), sub(2, shape)]);
  const typeProto = msg([sub(1, tensorType)]);
  return msg([str(1, v.name), sub(2, typeProto)]);
}

/** Serializes a model to ONNX protobuf bytes. */
export function encodeModel(m: Model): Uint8Array {
  const graph = msg([
    ...m.nodes.map((n) => sub(1, nodeProto(n))),
    str(2, m.graphName),
    ...m.initializers.map((t) => sub(5, tensorProto(t))),
    ...m.inputs.map((v) => sub(11, valueInfoProto(v))),
    ...m.outputs.map((v) => sub(12, valueInfoProto(v))),
  ]);
  const fields: Field[] = [
    int(1, m.irVersion), str(2, m.producerName), str(3, m.producerVersion), int(5, 1),
  ];
  if (m.docString) fields.push(str(6, m.docString));
  fields.push(sub(7, graph));
  for (const o of m.opsets) fields.push(sub(8, msg([str(1, o.domain), int(2, o.version)])));
  for (const [k, v] of Object.entries(m.metadata ?? {})) fields.push(sub(14, msg([str(1, k), str(2, v)])));
  return msg(fields);
}
