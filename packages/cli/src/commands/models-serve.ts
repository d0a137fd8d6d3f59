import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, type Command } from 'commander';
import { CapstanError, ErrorCode, isCapstanError } from '@capstan/api';
import type { CapstanClient } from '@capstan/client';
import { downloadFile, downloadRunArtifacts } from '@capstan/client/node';
import type { ModelServer } from '@capstan/server';
import { clientFor, defaultTrackingUri, positiveInt } from '../context.js';

/** A model directory on this machine, ready for `serveModel`. */
export interface LocalModel {
  dir: string;
  /** Name used by OIP routes. */
  name: string;
  version: string;
  /** Removes what was downloaded (nothing for a local directory). */
  cleanup(): Promise<void>;
}

const MODELS_URI = /^models:\/([^/@]+)(?:@([\w-]+)|\/([^/]+))\/?$/;
const RUNS_URI = /^runs:\/([^/]+)\/(.+?)\/?$/;
const LOGGED_MODEL_URI = /^models:\/(m-[0-9a-f]+)\/?$/;

function invalid(message: string): CapstanError {
  return new CapstanError(ErrorCode.INVALID_PARAMETER_VALUE, message);
}

/** The store path of a proxied artifact URI (`mlflow-artifacts:/…` or the proxy's http URL), or null. */
export function proxiedPath(uri: string): string | null {
  if (uri.startsWith('mlflow-artifacts://')) {
    const rest = uri.slice('mlflow-artifacts://'.length);
    const slash = rest.indexOf('/');
    return slash < 0 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
  }
  if (uri.startsWith('mlflow-artifacts:')) return uri.slice('mlflow-artifacts:'.length).replace(/^\/+|\/+$/g, '');
  const http = /^https?:\/\/[^/]+(?:\/[^?#]*)?\/api\/2\.0\/mlflow-artifacts\/artifacts(?:\/([^?#]*))?$/.exec(uri);
  return http ? (http[1] ?? '').replace(/\/+$/, '') : null;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Downloads every file under a proxied artifact directory into `dest`, keeping relative paths. */
async function downloadTree(client: CapstanClient, root: string, dest: string): Promise<number> {
  let files = 0;
  const visit = async (dir: string, local: string): Promise<void> => {
    for (const entry of await client.artifacts.list(dir)) {
      const name = entry.path.split('/').pop() ?? '';
      if (!name || name === '.' || name === '..') throw invalid(`Refusing artifact entry '${entry.path}' under '${dir}'.`);
      const target = resolve(local, name);
      if (!target.startsWith(resolve(dest) + sep)) throw invalid(`Artifact '${entry.path}' would be written outside '${dest}'.`);
      if (entry.is_dir) await visit(`${dir}/${name}`, target);
      else {
        await downloadFile(client, `${dir}/${name}`, target);
        files++;
      }
    }
  };
  await visit(root, dest);
  return files;
}

/** Copies the model at a storage location (as the registry reports it) into `dest`, or returns the local directory it names. */
async function fetchLocation(client: CapstanClient, location: string, dest: string, what: string): Promise<string> {
  const proxied = proxiedPath(location);
  if (proxied !== null) {
    const files = await downloadTree(client, proxied, dest);
    if (files === 0) throw new CapstanError(ErrorCode.RESOURCE_DOES_NOT_EXIST, `${what} has no files at '${location}'.`);
    return dest;
  }
  const local = location.startsWith('file://') ? fileURLToPath(location) : location.startsWith('/') ? location : null;
  if (local !== null && (await isDirectory(local))) return local;
  throw invalid(`${what} is stored at '${location}', which this command cannot download: register versions whose artifacts the server proxies (mlflow-artifacts:/), or pass a local directory.`);
}

/**
 * Resolves `models:/NAME/VERSION`, `models:/NAME@ALIAS`, `models:/NAME/STAGE` (or `latest`),
 * `models:/<model-id>` (an MLflow 3 logged model), `runs:/RUN_ID/path` (run artifacts, or an MLflow 3 logged model of that run and name) or a
 * local directory to a model directory on this machine, downloading through the tracking server.
 * @throws INVALID_PARAMETER_VALUE, RESOURCE_DOES_NOT_EXIST
 */
export async function fetchModel(uri: string, trackingUri: string): Promise<LocalModel> {
  const models = MODELS_URI.exec(uri);
  const runs = RUNS_URI.exec(uri);
  const logged = LOGGED_MODEL_URI.exec(uri);
  if (!models && !runs && !logged) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(uri) && !uri.startsWith('file://')) {
      throw invalid(`Unsupported model URI '${uri}': use models:/<name>/<version>, models:/<name>@<alias>, runs:/<run-id>/<path> or a local directory.`);
    }
    const dir = uri.startsWith('file://') ? fileURLToPath(uri) : resolve(uri);
    if (!(await isDirectory(dir))) throw new CapstanError(ErrorCode.RESOURCE_DOES_NOT_EXIST, `No model directory at '${dir}' (expected a folder with an MLmodel file and the ONNX model).`);
    return { dir, name: basename(dir), version: '1', cleanup: async () => undefined };
  }
  const client = clientFor({ trackingUri });
  const temp = await mkdtemp(join(tmpdir(), 'capstan-serve-'));
  const cleanup = () => rm(temp, { recursive: true, force: true });
  try {
    if (logged) {
      const model = await client.loggedModels.get(logged[1]!);
      const dir = await fetchLocation(client, model.info.artifact_uri, join(temp, 'model'), `Logged model '${logged[1]}'`);
      return { dir, name: model.info.name, version: '1', cleanup };
    }
    if (models) {
      const name = decodeURIComponent(models[1]!);
      let version: string;
      if (models[2]) version = (await client.registeredModels.getAlias(name, models[2])).version;
      else if (/^\d+$/.test(models[3]!)) version = models[3]!;
      else {
        const stage = models[3]!.toLowerCase() === 'latest' ? undefined : [models[3]!];
        const latest = (await client.registeredModels.getLatestVersions(name, stage)).sort((a, b) => Number(b.version) - Number(a.version))[0];
        if (!latest) throw new CapstanError(ErrorCode.RESOURCE_DOES_NOT_EXIST, `No versions of model '${name}' in stage '${models[3]}'.`);
        version = latest.version;
      }
      const location = await client.modelVersions.getDownloadUri(name, version);
      const dir = await fetchLocation(client, location, join(temp, 'model'), `Model '${name}' version ${version}`);
      return { dir, name, version, cleanup };
    }
    const runId = runs![1]!;
    const path = runs![2]!;
    const dest = join(temp, 'run');
    try {
      await downloadRunArtifacts(client, runId, path, dest);
      return { dir: resolve(dest, ...path.split('/')), name: basename(path), version: '1', cleanup };
    } catch (error) {
      if (!isCapstanError(error) || error.code !== ErrorCode.RESOURCE_DOES_NOT_EXIST) throw error;
    }
    const run = await client.runs.get(runId);
    for await (const lm of client.loggedModels.searchAll(run.info.experiment_id)) {
      if (lm.info.source_run_id === runId && lm.info.name === path) {
        const dir = await fetchLocation(client, lm.info.artifact_uri, join(temp, 'model'), `Logged model '${path}' of run ${runId}`);
        return { dir, name: basename(path), version: '1', cleanup };
      }
    }
    throw new CapstanError(ErrorCode.RESOURCE_DOES_NOT_EXIST, `Run '${runId}' has no artifacts and no logged model at '${path}'.`);
  } catch (error) {
    await cleanup();
    throw error;
  }
}

interface ServeOptions { modelUri: string; port: number; host: string; workers?: number; maxBatchRows?: number; name?: string; trackingUri: string; envManager?: string }

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65535) throw new InvalidArgumentError(`--port must be an integer from 0 to 65535, got '${value}'.`);
  return n;
}

/**
 * `capstan models serve -m MODEL_URI -p PORT`: a drop-in for `mlflow models serve` — one model
 * behind `/invocations`, `/ping`, `/health`, `/version` and OIP v2, until SIGINT or SIGTERM.
 */
export function modelsServeCommand(models: Command): void {
  models.command('serve')
    .description('Serve one model over HTTP like `mlflow models serve` (/invocations, /ping, /health, /version) plus OIP v2 (/v2/models/<name>/infer)')
    .helpOption('--help', 'display help for command')
    .requiredOption('-m, --model-uri <uri>', 'models:/<name>/<version>, models:/<name>@<alias>, models:/<model-id>, runs:/<run-id>/<path> or a local model directory')
    .option('-p, --port <port>', 'port to listen on (0 picks a free one)', port, 5000)
    .option('-h, --host <host>', 'interface to bind', '127.0.0.1')
    .option('-w, --workers <n>', 'worker threads running the model', positiveInt)
    .option('--max-batch-rows <n>', 'most rows the adaptive batcher merges into one model call', positiveInt)
    .option('--name <name>', 'model name for OIP routes (default: the registered name, or the directory name)')
    .option('--tracking-uri <uri>', 'server to download registry and run models from; env CAPSTAN_TRACKING_URI, then MLFLOW_TRACKING_URI', defaultTrackingUri())
    .option('--env-manager <manager>', 'accepted for compatibility with mlflow; ignored (no Python environment is used)')
    .action(async (opts: ServeOptions) => {
      const model = await fetchModel(opts.modelUri, opts.trackingUri);
      let server: ModelServer;
      try {
        const { serveModel } = await import('@capstan/server');
        server = await serveModel({
          modelDir: model.dir, name: opts.name ?? model.name, version: model.version, host: opts.host, port: opts.port,
          ...(opts.workers ? { workers: opts.workers } : {}), ...(opts.maxBatchRows ? { maxBatchRows: opts.maxBatchRows } : {}),
        });
      } catch (error) {
        await model.cleanup();
        throw error;
      }
      const name = opts.name ?? model.name;
      process.stdout.write(`Serving ${opts.modelUri} (${name} version ${model.version}) at ${server.url}\n`);
      process.stdout.write(`  MLflow scoring: POST ${server.url}/invocations   OIP v2: POST ${server.url}/v2/models/${name}/infer\n`);
      const signal = await new Promise<NodeJS.Signals>((done) => {
        process.once('SIGINT', () => done('SIGINT'));
        process.once('SIGTERM', () => done('SIGTERM'));
      });
      process.stderr.write(`Received ${signal}; shutting down\n`);
      await server.close();
      await model.cleanup();
    });
}
