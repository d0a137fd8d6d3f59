import { ARTIFACT_TYPES, invalidParameter, pipelineSpecSchema, type InputSpec, type PipelineSpec, type StepSpec } from '@capstan/api';
import { conditionRefs, parseCondition, templateRefs } from './template.js';

/** Where an input's value comes from. */
export type Source =
  | { kind: 'step'; step: string; output: string }
  | { kind: 'param'; param: string }
  | { kind: 'literal'; value: unknown };

/** A step with its parsed references and dependencies. */
export interface PlannedStep {
  spec: StepSpec;
  kind: 'command' | 'function' | 'gate' | 'approval' | 'register';
  inputs: Record<string, { source: Source; type?: string }>;
  /** Steps that must settle first. */
  deps: string[];
  /** Pipeline parameters that are part of this step's cache key. */
  params: string[];
}

/** A validated pipeline ready to schedule: steps in a topological order. */
export interface Plan {
  spec: PipelineSpec;
  steps: PlannedStep[];
  byName: Map<string, PlannedStep>;
  exit?: PlannedStep;
}

const KINDS = ['command', 'function', 'gate', 'approval', 'register'] as const;

/** True for output types stored in the artifact store. */
export function isArtifactType(type: string | undefined): boolean {
  return (ARTIFACT_TYPES as readonly string[]).includes(type ?? '');
}

/** Parses `steps.<s>.outputs.<o>` / `params.<p>`; anything else is null. */
export function parseRef(ref: string): Source | null {
  const step = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(ref);
  if (step) return { kind: 'step', step: step[1]!, output: step[2]! };
  const param = /^params\.([\w-]+)$/.exec(ref);
  if (param) return { kind: 'param', param: param[1]! };
  return null;
}

function inputSource(binding: InputSpec, where: string): { source: Source; type?: string } {
  if (typeof binding === 'string') {
    const source = parseRef(binding.replace(/^\{\{\s*|\s*\}\}$/g, ''));
    if (!source) throw invalidParameter(`${where}: '${binding}' is not a reference; write 'steps.<step>.outputs.<name>' or 'params.<name>', or {value: ...} for a literal`);
    return { source };
  }
  if (binding.from !== undefined) {
    const source = parseRef(binding.from);
    if (!source) throw invalidParameter(`${where}: '${binding.from}' is not a reference; write 'steps.<step>.outputs.<name>' or 'params.<name>'`);
    return { source, ...(binding.type ? { type: binding.type } : {}) };
  }
  return { source: { kind: 'literal', value: binding.value }, ...(binding.type ? { type: binding.type } : {}) };
}

function zodMessage(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues.slice(0, 5).map((i) => `${i.path.map(String).join('.') || 'spec'}: ${i.message}`).join('; ');
}

/**
 * Validates a pipeline spec and plans it: schema, one kind per step, unique names, every
 * reference to an existing step, output or parameter, matching types, no cycles. Everything is
 * checked before anything runs; messages name the offending steps.
 * @throws INVALID_PARAMETER_VALUE
 */
export function planPipeline(input: unknown): Plan {
  const parsed = pipelineSpecSchema.safeParse(input);
  if (!parsed.success) throw invalidParameter(`Invalid pipeline spec: ${zodMessage(parsed.error)}`);
  const spec = parsed.data;
  const names = new Set<string>();
  for (const s of spec.steps) {
    if (names.has(s.name)) throw invalidParameter(`Invalid pipeline '${spec.name}': step name '${s.name}' is used twice`);
    names.add(s.name);
  }
  if (spec.onExit && names.has(spec.onExit.name)) throw invalidParameter(`Invalid pipeline '${spec.name}': exit handler '${spec.onExit.name}' has the name of a step`);
  const outputsOf = new Map(spec.steps.map((s) => [s.name, s.outputs]));
  const planned = spec.steps.map((s) => planStep(spec, s, outputsOf, false));
  const byName = new Map(planned.map((p) => [p.spec.name, p]));
  const order = topologicalOrder(spec.name, planned);
  const exit = spec.onExit ? planStep(spec, spec.onExit, outputsOf, true) : undefined;
  return { spec, steps: order.map((n) => byName.get(n)!), byName, ...(exit ? { exit } : {}) };
}

function planStep(spec: PipelineSpec, s: StepSpec, outputsOf: Map<string, Record<string, string>>, isExit: boolean): PlannedStep {
  const where = `Step '${s.name}'`;
  const kinds = KINDS.filter((k) => s[k] !== undefined);
  if (kinds.length !== 1) throw invalidParameter(`${where} must have exactly one of ${KINDS.join(', ')} (has ${kinds.length ? kinds.join(', ') : 'none'})`);
  const kind = kinds[0]!;
  const deps = new Set<string>();
  const params = new Set<string>(s.params);
  const checkSource = (source: Source, what: string, type?: string) => {
    if (source.kind === 'param') {
      if (!spec.params[source.param]) throw invalidParameter(`${where}: ${what} references unknown parameter '${source.param}' (declared: ${Object.keys(spec.params).join(', ') || 'none'})`);
      params.add(source.param);
    } else if (source.kind === 'step') {
      if (isExit) throw invalidParameter(`Exit handler '${s.name}': ${what} cannot read step outputs (it runs whatever happened); use {{run.status}}`);
      const outs = outputsOf.get(source.step);
      if (!outs) throw invalidParameter(`${where}: ${what} references unknown step '${source.step}'`);
      const outType = outs[source.output];
      if (!outType) throw invalidParameter(`${where}: ${what} references output '${source.output}' that step '${source.step}' does not declare (it declares: ${Object.keys(outs).join(', ') || 'none'})`);
      if (type && type !== outType) throw invalidParameter(`${where}: ${what} expects type ${type} but '${source.step}.${source.output}' is ${outType}`);
      if (source.step === s.name) throw invalidParameter(`${where}: ${what} references its own output`);
      deps.add(source.step);
    }
  };
  const inputs: PlannedStep['inputs'] = {};
  for (const [name, binding] of Object.entries(s.inputs)) {
    const input = inputSource(binding, `${where}, input '${name}'`);
    checkSource(input.source, `input '${name}'`, input.type);
    inputs[name] = input;
  }
  const refsOf = (text: string, what: string) => {
    for (const ref of templateRefs(text)) {
      if (ref === 'item') {
        if (s.forEach === undefined) throw invalidParameter(`${where}: ${what} uses {{item}} but the step has no forEach`);
        continue;
      }
      if (ref === 'run.id' || ref === 'run.status' || ref === 'run.pipeline') continue;
      const input = /^inputs\.([\w-]+)$/.exec(ref);
      if (input) {
        if (!inputs[input[1]!]) throw invalidParameter(`${where}: ${what} uses {{${ref}}} but declares no input '${input[1]}'`);
        continue;
      }
      const output = /^outputs\.([\w-]+)$/.exec(ref);
      if (output) {
        if (!s.outputs[output[1]!]) throw invalidParameter(`${where}: ${what} uses {{${ref}}} but declares no output '${output[1]}'`);
        continue;
      }
      const source = parseRef(ref);
      if (source?.kind === 'param') checkSource(source, what);
      else throw invalidParameter(`${where}: ${what} uses {{${ref}}}; commands may use params.*, inputs.*, outputs.*, item and run.*`);
    }
  };
  const command = s.command === undefined ? [] : Array.isArray(s.command) ? s.command : [s.command];
  for (const part of command) refsOf(part, 'command');
  for (const value of Object.values(s.env ?? {})) refsOf(value, 'env');
  if (s.when !== undefined) {
    let condition;
    try {
      condition = parseCondition(s.when);
    } catch (error) {
      throw invalidParameter(`${where}: invalid when '${s.when}': ${(error as Error).message}`);
    }
    for (const ref of conditionRefs(condition)) {
      const source = parseRef(ref);
      if (!source) throw invalidParameter(`${where}: when '${s.when}' reads '${ref}'; use steps.<step>.outputs.<name> or params.<name>`);
      checkSource(source, 'when');
    }
  }
  if (typeof s.forEach === 'string') {
    const source = parseRef(s.forEach.replace(/^\{\{\s*|\s*\}\}$/g, ''));
    if (!source) throw invalidParameter(`${where}: forEach '${s.forEach}' must be a list or a reference (params.<name>, steps.<step>.outputs.<name>)`);
    checkSource(source, 'forEach');
  }
  if (s.gate) {
    const source = parseRef(s.gate.candidate);
    if (!source) throw invalidParameter(`${where}: gate candidate '${s.gate.candidate}' must be steps.<step>.outputs.<name>`);
    checkSource(source, 'gate candidate');
  }
  if (s.register) {
    const source = parseRef(s.register.from);
    if (!source || source.kind !== 'step') throw invalidParameter(`${where}: register.from '${s.register.from}' must be steps.<step>.outputs.<name>`);
    checkSource(source, 'register.from', 'Model');
  }
  for (const a of s.after) {
    if (isExit) throw invalidParameter(`Exit handler '${s.name}' cannot have 'after'`);
    if (!outputsOf.has(a)) throw invalidParameter(`${where}: after references unknown step '${a}'`);
    deps.add(a);
  }
  for (const [name, type] of Object.entries(s.outputs)) {
    if (kind !== 'command' && kind !== 'function') throw invalidParameter(`${where}: ${kind} steps declare no outputs (found '${name}')`);
    if (type === undefined) throw invalidParameter(`${where}: output '${name}' has no type`);
  }
  return { spec: s, kind, inputs, deps: [...deps], params: [...params].sort() };
}

function topologicalOrder(pipeline: string, steps: PlannedStep[]): string[] {
  const byName = new Map(steps.map((s) => [s.spec.name, s]));
  const state = new Map<string, 'visiting' | 'done'>();
  const order: string[] = [];
  const visit = (name: string, path: string[]) => {
    const st = state.get(name);
    if (st === 'done') return;
    if (st === 'visiting') {
      const cycle = [...path.slice(path.indexOf(name)), name];
      throw invalidParameter(`Invalid pipeline '${pipeline}': steps form a cycle: ${cycle.join(' -> ')}`);
    }
    state.set(name, 'visiting');
    for (const dep of byName.get(name)!.deps) visit(dep, [...path, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const s of steps) visit(s.spec.name, []);
  return order;
}

/**
 * The run's parameters: defaults filled in, types checked, unknown names rejected.
 * @throws INVALID_PARAMETER_VALUE naming every missing or mistyped parameter
 */
export function resolveParams(spec: PipelineSpec, given: Record<string, unknown>): Record<string, unknown> {
  const unknown = Object.keys(given).filter((k) => !spec.params[k]);
  if (unknown.length) throw invalidParameter(`Pipeline '${spec.name}' has no parameter(s) ${unknown.map((k) => `'${k}'`).join(', ')} (declared: ${Object.keys(spec.params).join(', ') || 'none'})`);
  const out: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const [name, p] of Object.entries(spec.params)) {
    let value = given[name] ?? p.default;
    if (value === undefined) {
      missing.push(name);
      continue;
    }
    if (p.type === 'number' && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) value = Number(value);
    if (p.type === 'boolean' && (value === 'true' || value === 'false')) value = value === 'true';
    if (p.type === 'json' && typeof value === 'string') {
      try {
        value = JSON.parse(value);
      } catch {
        throw invalidParameter(`Parameter '${name}' must be JSON, got '${value}'`);
      }
    }
    if (p.type !== 'json' && typeof value !== p.type) throw invalidParameter(`Parameter '${name}' must be a ${p.type}, got ${JSON.stringify(value)}`);
    out[name] = value;
  }
  if (missing.length) throw invalidParameter(`Pipeline '${spec.name}' needs parameter(s) ${missing.map((k) => `'${k}'`).join(', ')}: pass them when starting the run`);
  return out;
}
