import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pipeline as pump } from 'node:stream/promises';
import { proxiedPath } from '../../core/artifacts/uris.js';
import type { ArtifactStore } from '../../ports/artifact-store.js';
import type { StepResult, StepTask } from '../../ports/executor.js';
import { StepLogWriter, stepLogPrefix, type StepLogLimits } from './step-logs.js';

const VALUE_TYPES = new Set(['string', 'number', 'boolean', 'json']);
const TAIL = 4000;

/** What a step runner needs: the shared artifact store and a scratch directory. */
export interface StepRunnerOptions {
  artifacts: ArtifactStore;
  workRoot?: string;
  /** Grace between SIGTERM and SIGKILL when a step is stopped (default 2000 ms). */
  killGraceMs?: number;
  /** How much of each attempt's output is kept in the artifact store. */
  logLimits?: StepLogLimits;
}

const FUNCTION_RUNNER = `
const { pathToFileURL } = await import('node:url');
const { writeFileSync } = await import('node:fs');
const spec = JSON.parse(process.env.CAPSTAN_FUNCTION);
const mod = await import(pathToFileURL(spec.module).href);
const def = mod[spec.pipeline] ?? mod.default;
const fn = def && def.functions && def.functions[spec.step];
if (typeof fn !== 'function') { console.error('module ' + spec.module + ' exports no pipeline "' + spec.pipeline + '" with a function step "' + spec.step + '"'); process.exit(2); }
const result = await fn(JSON.parse(process.env.CAPSTAN_CONTEXT));
writeFileSync(process.env.CAPSTAN_VALUES_FILE, JSON.stringify(result ?? {}));
`;

async function fileDigest(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pump(createReadStream(path), hash);
  return hash.digest('hex');
}

async function walk(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await walk(join(dir, e.name), rel)));
    else if (e.isFile()) out.push(rel);
  }
  return out.sort();
}

async function download(store: ArtifactStore, uri: string, dest: string): Promise<string> {
  const path = proxiedPath(uri);
  if (path === null) {
    if (uri.startsWith('file://')) return new URL(uri).pathname;
    if (isAbsolute(uri) && uri.includes('..')) throw new Error(`input path '${uri}' must not contain '..'`);
    return uri;
  }
  const size = await store.stat(path);
  const copy = async (from: string, to: string) => {
    await mkdir(dirname(to), { recursive: true });
    const obj = await store.get(from);
    await pump(obj.stream, createWriteStream(to));
  };
  if (size !== null) {
    await copy(path, dest);
    return dest;
  }
  const queue = [''];
  let any = false;
  while (queue.length) {
    const rel = queue.shift()!;
    for (const e of await store.list(rel ? `${path}/${rel}` : path)) {
      const name = e.path.split('/').pop()!;
      const child = rel ? `${rel}/${name}` : name;
      if (e.isDir) queue.push(child);
      else {
        any = true;
        await copy(`${path}/${child}`, join(dest, child));
      }
    }
  }
  if (!any) throw new Error(`input artifact '${uri}' does not exist in the artifact store`);
  return dest;
}

async function upload(store: ArtifactStore, local: string, prefix: string): Promise<{ digest: string; size: number }> {
  const info = await stat(local);
  if (info.isFile()) {
    await store.put(prefix, createReadStream(local));
    return { digest: `sha256:${await fileDigest(local)}`, size: info.size };
  }
  const files = await walk(local);
  const hash = createHash('sha256');
  let size = 0;
  for (const rel of files) {
    const full = join(local, rel);
    size += (await stat(full)).size;
    hash.update(`${rel}\0${await fileDigest(full)}\n`);
    await store.put(`${prefix}/${rel}`, createReadStream(full));
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

function render(text: string, vars: Record<string, string>): string {
  return text.replace(/\{\{\s*((?:inputs|outputs)\.[\w-]+)\s*\}\}/g, (whole, ref: string) => vars[ref] ?? whole);
}

function flatten(value: unknown, prefix: string, out: Record<string, number>): void {
  if (typeof value === 'number') out[prefix] = value;
  else if (value && typeof value === 'object' && !Array.isArray(value)) for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
}

/**
 * Runs one step attempt on this machine: downloads inputs from the artifact store, runs the
 * command (or the function step's module) in a child process with `{{inputs.x}}` and
 * `{{outputs.x}}` filled in, then uploads declared outputs under the attempt's prefix and reads
 * value outputs. Aborting `signal` stops the process group (SIGTERM, then SIGKILL).
 */
export async function runStepTask(task: StepTask, signal: AbortSignal, options: StepRunnerOptions): Promise<StepResult> {
  const dir = await mkdtemp(join(options.workRoot ?? tmpdir(), 'capstan-step-'));
  try {
    const inputsDir = join(dir, 'inputs');
    const outputsDir = join(dir, 'outputs');
    await mkdir(inputsDir, { recursive: true });
    await mkdir(outputsDir, { recursive: true });
    const vars: Record<string, string> = {};
    const inputValues: Record<string, unknown> = {};
    for (const [name, input] of Object.entries(task.inputs)) {
      if (input.kind === 'artifact') vars[`inputs.${name}`] = await download(options.artifacts, input.uri, join(inputsDir, name));
      else if (input.kind === 'artifacts') {
        const paths = [];
        for (const [i, uri] of input.uris.entries()) paths.push(await download(options.artifacts, uri, join(inputsDir, name, String(i))));
        vars[`inputs.${name}`] = join(inputsDir, name);
        inputValues[name] = paths;
      } else vars[`inputs.${name}`] = typeof input.value === 'string' ? input.value : JSON.stringify(input.value);
      if (input.kind !== 'artifacts') inputValues[name] = input.kind === 'value' ? input.value : vars[`inputs.${name}`];
    }
    for (const name of Object.keys(task.outputs)) vars[`outputs.${name}`] = join(outputsDir, name);
    const valuesFile = join(dir, 'values.json');
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      CAPSTAN_INPUTS: inputsDir, CAPSTAN_OUTPUTS: outputsDir, CAPSTAN_PARAMS: JSON.stringify(task.params),
      CAPSTAN_RUN_ID: task.runId, CAPSTAN_STEP: task.node, CAPSTAN_ATTEMPT: String(task.attempt),
    };
    for (const [k, v] of Object.entries(vars)) env[`CAPSTAN_${k.replace('.', '_').replace(/-/g, '_').toUpperCase()}`] = v;
    if (task.tracking) {
      env.MLFLOW_TRACKING_URI = task.tracking.uri;
      env.MLFLOW_RUN_ID = task.tracking.runId;
    }
    for (const [k, v] of Object.entries(task.env)) env[k] = render(v, vars);
    let argv: string[];
    if (task.kind === 'function') {
      if (!task.fn) throw new Error('function step without a module');
      env.CAPSTAN_FUNCTION = JSON.stringify({ ...task.fn, module: resolve(task.workdir ?? '.', task.fn.module) });
      env.CAPSTAN_CONTEXT = JSON.stringify({ params: task.params, inputs: inputValues, outputs: Object.fromEntries(Object.keys(task.outputs).map((n) => [n, vars[`outputs.${n}`]])), outputDir: outputsDir, runId: task.runId, step: task.node, attempt: task.attempt });
      env.CAPSTAN_VALUES_FILE = valuesFile;
      argv = [process.execPath, '--input-type=module', '-e', FUNCTION_RUNNER];
    } else {
      const parts = (task.argv ?? []).map((p) => render(p, vars));
      argv = task.shell ? ['/bin/sh', '-c', parts.join(' ')] : parts;
    }
    const log = new StepLogWriter(options.artifacts, stepLogPrefix(task.runId, task.node, task.attempt), options.logLimits);
    const { code, tail } = await runProcess(argv, { cwd: task.workdir ?? dir, env, signal, killGraceMs: options.killGraceMs ?? 2000, log })
      .finally(() => log.close().catch((error: unknown) => console.error(`[capstan] could not store the log of ${task.key}:`, error)));
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason ?? 'aborted'));
    if (code !== 0) throw new Error(`${task.kind === 'function' ? 'function step' : `command '${argv.join(' ').slice(0, 200)}'`} exited with ${code}${tail ? `: ${tail.trim().split('\n').slice(-5).join(' | ')}` : ''}`);
    const returned = task.kind === 'function' ? ((JSON.parse(await readFile(valuesFile, 'utf8').catch(() => '{}')) as Record<string, unknown>) ?? {}) : {};
    const result: StepResult = { artifacts: [], values: {}, metrics: {}, logTail: tail, worker: `${hostname()}:${process.pid}` };
    for (const [name, type] of Object.entries(task.outputs)) {
      const local = join(outputsDir, name);
      const exists = await stat(local).then(() => true, () => false);
      if (VALUE_TYPES.has(type)) {
        let value: unknown = returned[name];
        if (value === undefined && exists) {
          const text = (await readFile(local, 'utf8')).trim();
          value = type === 'string' ? text : JSON.parse(text);
        }
        if (value === undefined) throw new Error(`step did not produce value output '${name}': write it to {{outputs.${name}}} ($CAPSTAN_OUTPUTS/${name})`);
        if (type === 'number') value = Number(value);
        if (type === 'number' && !Number.isFinite(value)) throw new Error(`output '${name}' must be a number`);
        if (type === 'boolean' && typeof value !== 'boolean') value = value === 'true' || value === true;
        result.values[name] = value;
        continue;
      }
      if (!exists) throw new Error(`step did not write output '${name}' (${type}) to {{outputs.${name}}} ($CAPSTAN_OUTPUTS/${name})`);
      const prefix = `${task.outputPrefix}/${name}`;
      const { digest, size } = await upload(options.artifacts, local, prefix);
      result.artifacts.push({ name, type, uri: `mlflow-artifacts:/${prefix}`, digest, size });
      if (type === 'Metrics') {
        const parsed = JSON.parse(await readFile(local, 'utf8')) as unknown;
        result.values[name] = parsed;
        flatten(parsed, '', result.metrics);
      }
    }
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

function runProcess(argv: string[], o: { cwd: string; env: Record<string, string>; signal: AbortSignal; killGraceMs: number; log: StepLogWriter }): Promise<{ code: number; tail: string }> {
  return new Promise((resolvePromise, reject) => {
    if (o.signal.aborted) return resolvePromise({ code: -1, tail: '' });
    const child = spawn(argv[0]!, argv.slice(1), { cwd: o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let tail = '';
    const onData = (stream: 'out' | 'err') => (chunk: Buffer) => {
      tail = (tail + chunk.toString('utf8')).slice(-TAIL);
      o.log.write(stream, chunk);
    };
    child.stdout.on('data', onData('out'));
    child.stderr.on('data', onData('err'));
    let killTimer: NodeJS.Timeout | undefined;
    const kill = (sig: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, sig);
      } catch {
        child.kill(sig);
      }
    };
    const onAbort = () => {
      kill('SIGTERM');
      killTimer = setTimeout(() => kill('SIGKILL'), o.killGraceMs);
    };
    o.signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error) => {
      o.signal.removeEventListener('abort', onAbort);
      reject(new Error(`cannot start '${argv[0]}': ${error.message}`));
    });
    child.on('close', (code, sig) => {
      o.signal.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      resolvePromise({ code: code ?? (sig ? 128 : -1), tail });
    });
  });
}
