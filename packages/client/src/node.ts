/**
 * `@capstan/client/node`: streaming file and directory transfers for Node. Files are read and
 * written in chunks, never held in memory whole.
 */
import { createWriteStream } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { CapstanError, ErrorCode, type WireFileInfo } from '@capstan/api';
import type { CapstanClient } from './client.js';
import type { FetchLike } from './http.js';
import { artifactUrlPath, joinPath, trimSlashes } from './paths.js';

const CHUNK_BYTES = 1024 * 1024;

/** Progress of a transfer, reported after every chunk. */
export interface TransferProgress {
  /** Bytes moved so far, over all files. */
  bytes: number;
  /** Bytes to move in total (`undefined` when the server did not say). */
  total: number | undefined;
  /** Files finished so far. */
  filesDone: number;
  /** Files in the transfer. */
  files: number;
  /** Artifact path of the file the last chunk belonged to. */
  path: string;
}

/** Options of every transfer. */
export interface TransferOptions {
  /** Called after every chunk. */
  onProgress?: (progress: TransferProgress) => void;
  /** Aborts the transfer. */
  signal?: AbortSignal;
  /** Files moved at the same time (default 4). */
  concurrency?: number;
}

/** One file moved by a transfer. */
export interface TransferredFile {
  /** Artifact path (relative to the run's artifact root for run transfers). */
  path: string;
  /** Absolute local path. */
  localPath: string;
  /** Size in bytes. */
  size: number;
}

/** What a transfer moved. */
export interface TransferResult {
  /** The files moved, by artifact path. */
  files: TransferredFile[];
  /** Total bytes moved. */
  bytes: number;
}

interface Job {
  path: string;
  localPath: string;
  size: number | undefined;
}

class Tracker {
  bytes = 0;
  filesDone = 0;
  constructor(private readonly files: number, private readonly total: number | undefined, private readonly onProgress: TransferOptions['onProgress']) {}

  add(path: string, n: number): void {
    this.bytes += n;
    this.onProgress?.({ bytes: this.bytes, total: this.total, filesDone: this.filesDone, files: this.files, path });
  }

  done(path: string): void {
    this.filesDone += 1;
    this.add(path, 0);
  }
}

async function runPool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      try {
        await work(items[next++]!);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}

/** A web stream over a local file, read in 1 MiB chunks; `onChunk` sees each chunk's size. */
export function fileStream(localPath: string, onChunk: (bytes: number) => void = () => undefined): ReadableStream<Uint8Array> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  const close = async () => {
    const h = handle;
    handle = undefined;
    await h?.close();
  };
  return new ReadableStream<Uint8Array>({
    async start() {
      handle = await open(localPath, 'r');
    },
    async pull(controller) {
      if (!handle) return controller.close();
      const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) {
        await close();
        controller.close();
        return;
      }
      onChunk(bytesRead);
      controller.enqueue(new Uint8Array(buffer.buffer, buffer.byteOffset, bytesRead));
    },
    cancel: close,
  });
}

async function walk(root: string): Promise<{ localPath: string; rel: string; size: number }[]> {
  const out: { localPath: string; rel: string; size: number }[] = [];
  const visit = async (dir: string) => {
    const entries = (await readdir(dir)).toSorted();
    for (const name of entries) {
      const full = join(dir, name);
      const info = await stat(full);
      if (info.isDirectory()) await visit(full);
      else if (info.isFile()) out.push({ localPath: full, rel: relative(root, full).split(sep).join('/'), size: info.size });
    }
  };
  await visit(root);
  return out;
}

function headersOf(init: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(init).forEach((value, key) => {
    out[key] = value;
  });
  return out;
}

function toResponse(message: IncomingMessage, method: string): Response {
  const headers = new Headers();
  for (const [key, value] of Object.entries(message.headers)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(key, v);
  }
  const status = message.statusCode ?? 500;
  const empty = status === 204 || status === 304 || method === 'HEAD';
  if (empty) message.resume();
  return new Response(empty ? null : (Readable.toWeb(message) as unknown as ReadableStream<Uint8Array>), { status, statusText: message.statusMessage ?? '', headers });
}

/**
 * A `fetch` for Node that sends `ReadableStream` request bodies through `node:http(s)` with
 * backpressure and bounded memory (Node 20's built-in fetch keeps a streamed request body in
 * memory until the request ends, undici#4058). Every other request goes to the global `fetch`.
 * An explicit `content-length` header is honoured, so a known-size stream is not sent chunked.
 */
export const nodeFetch: FetchLike = (input, init) => {
  const body = init.body;
  if (!(body instanceof ReadableStream)) return globalThis.fetch(input, init);
  const url = new URL(input);
  const method = (init.method ?? 'GET').toUpperCase();
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<Response>((resolvePromise, reject) => {
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      const name = (error as { name?: string })?.name;
      reject(name === 'AbortError' ? error : new TypeError('fetch failed', { cause: error }));
    };
    const request = send(url, { method, headers: headersOf(init.headers), ...(init.signal ? { signal: init.signal } : {}) }, (message) => {
      if (settled) return message.resume();
      settled = true;
      resolvePromise(toResponse(message, method));
    });
    request.on('error', fail);
    pipeline(Readable.fromWeb(body as unknown as NodeReadableStream<Uint8Array>), request).catch(fail);
  });
};

async function uploadJob(client: CapstanClient, storePath: string, job: Job, tracker: Tracker, options: TransferOptions): Promise<void> {
  const size = job.size ?? 0;
  const response = await client.transport.request('PUT', `/mlflow-artifacts/artifacts/${artifactUrlPath(storePath)}`, {
    body: size === 0 ? new Uint8Array(0) : fileStream(job.localPath, (n) => tracker.add(job.path, n)),
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
    fetch: nodeFetch,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  await response.body?.cancel().catch(() => undefined);
  tracker.done(job.path);
}

async function downloadTo(response: Response, localPath: string, onChunk: (bytes: number) => void): Promise<number> {
  await mkdir(dirname(localPath), { recursive: true });
  const partial = `${localPath}.capstan-part`;
  let written = 0;
  try {
    if (response.body) {
      await pipeline(
        Readable.fromWeb(response.body as unknown as NodeReadableStream<Uint8Array>),
        async function* (source: AsyncIterable<Uint8Array>) {
          for await (const chunk of source) {
            written += chunk.byteLength;
            onChunk(chunk.byteLength);
            yield chunk;
          }
        },
        createWriteStream(partial),
      );
    } else {
      await (await open(partial, 'w')).close();
    }
    const expected = response.headers.get('content-length');
    if (expected !== null && Number(expected) !== written) {
      throw new CapstanError(ErrorCode.INTERNAL_ERROR, `Download of '${localPath}' was cut short: got ${written} of ${expected} bytes.`);
    }
    await rename(partial, localPath);
    return written;
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

/**
 * Uploads one local file to an artifact-store path (see `client.artifacts`), streaming it.
 * @returns the file moved.
 */
export async function uploadFile(client: CapstanClient, localPath: string, artifactPath: string, options: TransferOptions = {}): Promise<TransferResult> {
  const absolute = resolve(localPath);
  const { size } = await stat(absolute);
  const job = { path: trimSlashes(artifactPath), localPath: absolute, size };
  const tracker = new Tracker(1, size, options.onProgress);
  await uploadJob(client, job.path, job, tracker, options);
  return { files: [{ path: job.path, localPath: absolute, size }], bytes: size };
}

/**
 * Downloads one artifact-store file to a local path, streaming it (written to a `.capstan-part`
 * file first, renamed when complete). @throws RESOURCE_DOES_NOT_EXIST
 */
export async function downloadFile(client: CapstanClient, artifactPath: string, localPath: string, options: TransferOptions = {}): Promise<TransferResult> {
  const absolute = resolve(localPath);
  const path = trimSlashes(artifactPath);
  const response = await client.artifacts.download(path, options.signal ? { signal: options.signal } : {});
  const length = response.headers.get('content-length');
  const tracker = new Tracker(1, length === null ? undefined : Number(length), options.onProgress);
  const size = await downloadTo(response, absolute, (n) => tracker.add(path, n));
  tracker.done(path);
  return { files: [{ path, localPath: absolute, size }], bytes: size };
}

/**
 * Uploads a local file or directory (recursively) to a run's artifacts, as MLflow's
 * `log_artifact`/`log_artifacts` do: a file lands at `<artifactPath>/<basename>`, a directory's
 * contents under `<artifactPath>` (the run's artifact root when omitted).
 */
export async function uploadRunArtifacts(client: CapstanClient, runId: string, localPath: string, artifactPath?: string, options: TransferOptions = {}): Promise<TransferResult> {
  const absolute = resolve(localPath);
  const info = await stat(absolute);
  const prefix = trimSlashes(artifactPath ?? '');
  const jobs: Job[] = info.isDirectory()
    ? (await walk(absolute)).map((f) => ({ path: joinPath(prefix, f.rel), localPath: f.localPath, size: f.size }))
    : [{ path: joinPath(prefix, basename(absolute)), localPath: absolute, size: info.size }];
  const total = jobs.reduce((sum, j) => sum + (j.size ?? 0), 0);
  const tracker = new Tracker(jobs.length, total, options.onProgress);
  const root = await client.runs.artifactPath(runId);
  await runPool(jobs, options.concurrency ?? 4, (job) => uploadJob(client, joinPath(root, job.path), job, tracker, options));
  return { files: jobs.map((j) => ({ path: j.path, localPath: j.localPath, size: j.size ?? 0 })), bytes: total };
}

/**
 * Every file under `path` of a run's artifacts (recursively), or the one file at `path`.
 * @throws RESOURCE_DOES_NOT_EXIST when `path` is neither a file nor a non-empty directory.
 */
export async function listRunArtifactsRecursive(client: CapstanClient, runId: string, path?: string): Promise<WireFileInfo[]> {
  const start = trimSlashes(path ?? '');
  const listAll = async (dir: string): Promise<WireFileInfo[]> => {
    const files: WireFileInfo[] = [];
    let token: string | undefined;
    do {
      const page = await client.runs.listArtifacts(runId, dir || undefined, token);
      files.push(...page.files);
      token = page.next_page_token || undefined;
    } while (token);
    return files;
  };
  const out: WireFileInfo[] = [];
  const visit = async (dir: string) => {
    for (const entry of await listAll(dir)) {
      if (entry.is_dir) await visit(entry.path);
      else out.push(entry);
    }
  };
  await visit(start);
  if (out.length > 0 || start === '') return out;
  const parent = start.includes('/') ? start.slice(0, start.lastIndexOf('/')) : '';
  const self = (await listAll(parent)).find((e) => trimSlashes(e.path) === start);
  if (self && !self.is_dir) return [self];
  if (self) return [];
  throw new CapstanError(ErrorCode.RESOURCE_DOES_NOT_EXIST, `No artifact at '${start}' in run '${runId}'.`);
}

/**
 * Downloads a run's artifacts under `path` (all of them when omitted) into `destDir`, keeping
 * their paths relative to the run's artifact root: `model/MLmodel` lands at `<destDir>/model/MLmodel`.
 */
export async function downloadRunArtifacts(client: CapstanClient, runId: string, path: string | undefined, destDir: string, options: TransferOptions = {}): Promise<TransferResult> {
  const dest = resolve(destDir);
  const entries = await listRunArtifactsRecursive(client, runId, path);
  const jobs: Job[] = entries.map((e) => {
    const localPath = resolve(dest, ...trimSlashes(e.path).split('/'));
    if (localPath !== dest && !localPath.startsWith(dest + sep)) {
      throw new CapstanError(ErrorCode.INVALID_PARAMETER_VALUE, `Artifact path '${e.path}' would be written outside '${dest}'.`);
    }
    return { path: trimSlashes(e.path), localPath, size: e.file_size };
  });
  const known = jobs.every((j) => j.size !== undefined);
  const tracker = new Tracker(jobs.length, known ? jobs.reduce((sum, j) => sum + (j.size ?? 0), 0) : undefined, options.onProgress);
  const root = await client.runs.artifactPath(runId);
  const files: TransferredFile[] = [];
  await mkdir(dest, { recursive: true });
  await runPool(jobs, options.concurrency ?? 4, async (job) => {
    const response = await client.artifacts.download(joinPath(root, job.path), options.signal ? { signal: options.signal } : {});
    const size = await downloadTo(response, job.localPath, (n) => tracker.add(job.path, n));
    tracker.done(job.path);
    files.push({ path: job.path, localPath: job.localPath, size });
  });
  files.sort((a, b) => a.path.localeCompare(b.path));
  return { files, bytes: files.reduce((sum, f) => sum + f.size, 0) };
}
