import { z } from 'zod';

/**
 * Field builders with protobuf-JSON leniency, used by every contract: int64 as number or
 * numeric string, doubles also as "NaN"/"Infinity", booleans also as "true"/"false" (query
 * strings), repeated fields from a single value. Required strings must be non-empty.
 */
export const field = {
  /** An optional string. */
  string: () => z.string(),
  /** A required, non-empty string. */
  requiredString: () => z.string().min(1),
  /** A 64-bit integer (JSON number or decimal string), as a JS number. */
  int64: () => z.union([z.number().int(), z.string().regex(/^-?\d+$/).transform(Number)]),
  /** A double, accepting protobuf-JSON's special strings. */
  double: () =>
    z.union([
      z.number(),
      z.string().regex(/^(NaN|-?Infinity|-?\d+(\.\d+)?([eE][-+]?\d+)?)$/).transform(Number),
    ]),
  /** A boolean, also from a query string. */
  bool: () => z.union([z.boolean(), z.enum(['true', 'false', 'True', 'False']).transform((v) => v.toLowerCase() === 'true')]),
  /** A repeated field; a single value (one query-string occurrence) becomes a one-item list. */
  repeated: <T extends z.ZodType>(item: T) =>
    z.preprocess((v) => (v === undefined || v === null || Array.isArray(v) ? v : [v]), z.array(item)),
  /** A key/value tag or param. */
  keyValue: () => z.object({ key: z.string().min(1), value: z.string().optional() }),
};

/** A protobuf enum given by name (or by number, mapped through `names`). */
export function enumField<const T extends readonly [string, ...string[]]>(names: T, numbers?: Record<number, T[number]>) {
  return z.union([
    z.enum(names),
    z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]).transform((n, ctx) => {
      const name = numbers?.[n];
      if (name === undefined) {
        ctx.addIssue({ code: 'custom', message: `unknown enum value ${n}` });
        return z.NEVER;
      }
      return name;
    }),
  ]);
}
