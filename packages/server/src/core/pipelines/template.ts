/**
 * `{{ ref }}` templates and `when` conditions over a scope of references such as
 * `params.lr`, `item`, `run.status`, `steps.evaluate.outputs.accuracy`, `event.version`.
 */

const TEMPLATE = /\{\{\s*([\w.-]+(?:\[\d+\])?)\s*\}\}/g;

/** The references a template mentions, in order. */
export function templateRefs(text: string): string[] {
  return [...text.matchAll(TEMPLATE)].map((m) => m[1]!);
}

/** Text for a value inside a command: strings as they are, everything else as JSON. */
export function valueText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Replaces every reference `resolve` knows (returns non-undefined for); unknown ones stay as
 * written, for a later stage (the executor fills `inputs.*` and `outputs.*`).
 */
export function renderTemplate(text: string, resolve: (ref: string) => unknown): string {
  return text.replace(TEMPLATE, (whole, ref: string) => {
    const value = resolve(ref);
    return value === undefined ? whole : valueText(value);
  });
}

/** Reads `a.b.c` (and `a.b[2]`) out of a nested object; undefined when absent. */
export function lookupPath(root: unknown, path: string): unknown {
  let cur = root;
  for (const part of path.split('.').flatMap((p) => p.split(/\[(\d+)\]/).filter(Boolean))) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

const OPS = ['==', '!=', '>=', '<=', '>', '<'] as const;
type Op = (typeof OPS)[number];

/** A parsed `when`: `ref`, `!ref`, or `ref <op> literal-or-ref`. */
export interface Condition {
  left: string;
  op?: Op;
  negate?: boolean;
  right?: { ref: string } | { literal: unknown };
}

const REF = /^[A-Za-z_][\w-]*(\.[\w-]+)*$/;

/** Parses a `when` expression. @throws Error with what is wrong. */
export function parseCondition(text: string): Condition {
  const src = text.trim().replace(/^\{\{\s*|\s*\}\}$/g, '');
  for (const op of OPS) {
    const at = src.indexOf(op);
    if (at <= 0) continue;
    const left = src.slice(0, at).trim();
    const rightText = src.slice(at + op.length).trim();
    if (!REF.test(left)) throw new Error(`'${left}' is not a reference`);
    let right: Condition['right'];
    if (/^(true|false|null|-?\d+(\.\d+)?([eE][-+]?\d+)?)$/.test(rightText)) right = { literal: JSON.parse(rightText) };
    else if (/^(["']).*\1$/.test(rightText)) right = { literal: rightText.slice(1, -1) };
    else if (REF.test(rightText)) right = { ref: rightText };
    else throw new Error(`cannot read '${rightText}' (use a number, true/false, a quoted string or a reference)`);
    return { left, op, right };
  }
  const negate = src.startsWith('!');
  const left = negate ? src.slice(1).trim() : src;
  if (!REF.test(left)) throw new Error(`'${src}' is not a condition (write 'steps.s.outputs.x >= 0.9')`);
  return { left, negate };
}

/** References a condition reads. */
export function conditionRefs(c: Condition): string[] {
  return [c.left, ...(c.right && 'ref' in c.right ? [c.right.ref] : [])];
}

/** Evaluates a condition. */
export function evaluateCondition(c: Condition, resolve: (ref: string) => unknown): boolean {
  const left = resolve(c.left);
  if (!c.op) return c.negate ? !left : Boolean(left);
  const right = c.right && 'ref' in c.right ? resolve(c.right.ref) : (c.right as { literal: unknown }).literal;
  switch (c.op) {
    case '==': return left === right || (typeof right === 'number' && Number(left) === right);
    case '!=': return !(left === right || (typeof right === 'number' && Number(left) === right));
    case '>': return Number(left) > Number(right);
    case '>=': return Number(left) >= Number(right);
    case '<': return Number(left) < Number(right);
    case '<=': return Number(left) <= Number(right);
  }
}
