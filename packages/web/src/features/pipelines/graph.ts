import type { ExecutionState, PipelineSpec, WireStepExecution } from '@capstan/api';

/** A node placed by {@link layered}: column (layer) and row within it. */
export interface Placed { id: string; layer: number; row: number }

/**
 * A layered (Sugiyama-style) layout: each node's layer is its longest path from a source, and
 * rows within a layer follow the mean row of the node's parents (one barycentre pass), which keeps
 * chains straight and crossings few.
 */
export function layered(ids: string[], edges: { from: string; to: string }[]): { placed: Map<string, Placed>; layers: number; rows: number } {
  const parents = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of edges) if (parents.has(e.to) && parents.has(e.from)) parents.get(e.to)!.push(e.from);
  const layer = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (id: string): number => {
    const known = layer.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    const d = Math.max(-1, ...parents.get(id)!.map(depth)) + 1;
    visiting.delete(id);
    layer.set(id, d);
    return d;
  };
  ids.forEach(depth);
  const byLayer: string[][] = [];
  for (const id of ids) (byLayer[layer.get(id)!] ??= []).push(id);
  const row = new Map<string, number>();
  byLayer.forEach((nodes, l) => {
    if (l > 0) {
      const score = (id: string) => {
        const ps = parents.get(id)!.map((p) => row.get(p) ?? 0);
        return ps.length ? ps.reduce((a, b) => a + b, 0) / ps.length : Number.MAX_SAFE_INTEGER;
      };
      nodes.sort((a, b) => score(a) - score(b));
    }
    nodes.forEach((id, i) => row.set(id, i));
  });
  const placed = new Map<string, Placed>(ids.map((id) => [id, { id, layer: layer.get(id)!, row: row.get(id)! }]));
  return { placed, layers: byLayer.length, rows: Math.max(1, ...byLayer.map((l) => l?.length ?? 0)) };
}

const STEP_REF = /steps\.([A-Za-z_][\w-]*)\./g;

/** Which step each step depends on: `after`, inputs from `steps.x.outputs.y`, and `when`/`forEach` references. */
export function stepEdges(spec: PipelineSpec): { from: string; to: string }[] {
  const names = new Set(spec.steps.map((s) => s.name));
  const edges: { from: string; to: string }[] = [];
  for (const s of spec.steps) {
    const deps = new Set<string>(s.after);
    const text = JSON.stringify([s.inputs, s.when ?? '', typeof s.forEach === 'string' ? s.forEach : '', s.gate ?? null, s.register ?? null]);
    for (const m of text.matchAll(STEP_REF)) deps.add(m[1]!);
    for (const d of deps) if (names.has(d) && d !== s.name) edges.push({ from: d, to: s.name });
  }
  return edges;
}

/** What kind of step a spec step is. */
export function kindOf(step: PipelineSpec['steps'][number]): string {
  if (step.approval) return 'approval';
  if (step.gate) return 'gate';
  if (step.register) return 'register';
  if (step.function) return 'function';
  return 'command';
}

/** A step's state across its nodes (fan-out elements) and attempts. */
export interface StepSummary {
  state: ExecutionState | 'PENDING';
  nodes: number;
  cached: number;
  done: number;
  attempts: number;
  latest: WireStepExecution[];
}

/** Sums up the executions of one spec step: the newest attempt of each node decides. */
export function summarize(executions: WireStepExecution[]): StepSummary {
  const latest = new Map<string, WireStepExecution>();
  let attempts = 0;
  for (const e of executions) {
    attempts = Math.max(attempts, e.attempt);
    const prev = latest.get(e.node);
    if (!prev || e.attempt > prev.attempt || (e.attempt === prev.attempt && e.id > prev.id)) latest.set(e.node, e);
  }
  const list = [...latest.values()].sort((a, b) => (a.iteration ?? 0) - (b.iteration ?? 0));
  const states = list.map((e) => e.state);
  const has = (s: ExecutionState) => states.includes(s);
  const cached = states.filter((s) => s === 'CACHED').length;
  const done = states.filter((s) => s === 'COMPLETE' || s === 'CACHED').length;
  let state: StepSummary['state'] = 'PENDING';
  if (list.length === 0) state = 'PENDING';
  else if (has('RUNNING')) state = 'RUNNING';
  else if (has('WAITING')) state = 'WAITING';
  else if (has('FAILED')) state = 'FAILED';
  else if (has('CANCELED')) state = 'CANCELED';
  else if (has('NEW')) state = 'NEW';
  else if (cached === list.length) state = 'CACHED';
  else if (done === list.length || done > 0) state = 'COMPLETE';
  else if (has('SKIPPED')) state = 'SKIPPED';
  return { state, nodes: list.length, cached, done, attempts, latest: list };
}

/** The first 10 hex digits of a digest, without its `sha256:` prefix. */
export function shortDigest(digest: string): string {
  return digest.replace(/^[a-z0-9]+:/, '').slice(0, 10);
}
