import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { CapstanError, ErrorCode, invalidParameter, type WireDatasetSchema, type WireSuite } from '@capstan/api';
import { DataApi } from '@capstan/client';
import { collectTag, emit, positiveInt, withCommon, type CommonOptions } from '../context.js';
import { formatBytes } from '../output/format.js';
import { ProgressBar } from '../output/progress.js';
import { renderValidationHtml } from '../output/data-html.js';
import { datasetsTable, diffText, profileTable, validationText, versionDetails, versionsTable } from '../output/data-report.js';
import {
  HashCache, collectFiles, downloadFiles, hashFiles, pointerRoot, readPointer, shown, uploadMissing, writePointer, type LocalFile,
} from '../output/data-sync.js';

/** Exit status of `data validate` when a check failed. */
export const EXIT_INVALID = 1;
/** Exit status of `data validate` for usage or input errors. */
export const EXIT_USAGE = 2;

/**
 * A data client for `--tracking-uri`, with the same credentials as every other command
 * (CAPSTAN_TRACKING_TOKEN / MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME/PASSWORD).
 */
export function dataClientFor(options: Pick<CommonOptions, 'trackingUri'>, env: NodeJS.ProcessEnv = process.env): DataApi {
  let url: URL | undefined;
  try {
    url = new URL(options.trackingUri);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new CapstanError(ErrorCode.INVALID_PARAMETER_VALUE, `--tracking-uri must be an http(s) URL, got '${options.trackingUri}'`);
  }
  const token = env.CAPSTAN_TRACKING_TOKEN || env.MLFLOW_TRACKING_TOKEN;
  const headers: Record<string, string> = {};
  if (!token && env.MLFLOW_TRACKING_USERNAME) headers.authorization = `Basic ${Buffer.from(`${env.MLFLOW_TRACKING_USERNAME}:${env.MLFLOW_TRACKING_PASSWORD ?? ''}`).toString('base64')}`;
  return new DataApi({ baseUrl: options.trackingUri, headers, ...(token ? { token } : {}) });
}

/** `NAME`, `NAME@3` or `NAME@latest` → name and version (undefined for latest). */
export function parseRef(ref: string): { name: string; version?: number } {
  const at = ref.lastIndexOf('@');
  if (at < 0) return { name: ref };
  const name = ref.slice(0, at);
  const v = ref.slice(at + 1);
  if (v === 'latest' || v === '') return { name };
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError(`expected NAME or NAME@VERSION (a positive number), got '${ref}'.`);
  return { name, version: Number(v) };
}

async function resolveVersion(data: DataApi, ref: string): Promise<{ name: string; version: number }> {
  const { name, version } = parseRef(ref);
  if (version !== undefined) return { name, version };
  const latest = (await data.getDataset(name)).latestVersion;
  if (latest === 0) throw new CapstanError(ErrorCode.RESOURCE_DOES_NOT_EXIST, `Dataset '${name}' has no versions yet`);
  return { name, version: latest };
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en')} ${word}${n === 1 ? '' : 's'}`;
}

async function stage<T>(verb: string, quiet: boolean, work: (bar: ProgressBar | undefined) => Promise<T>, summary: (r: T, elapsed: string, rate: string) => string | null): Promise<T> {
  const bar = quiet ? undefined : new ProgressBar(verb);
  try {
    const r = await work(bar);
    if (bar) {
      const line = summary(r, '', '');
      if (line === null) bar.clear();
      else bar.finish((elapsed, rate) => summary(r, elapsed, rate) ?? '');
    }
    return r;
  } finally {
    bar?.clear();
  }
}

interface AddOptions extends CommonOptions {
  message?: string;
  tag?: { key: string; value?: string }[];
  prefix?: string;
  run?: string;
  context?: string;
  allowUnchanged?: boolean;
  concurrency: number;
  push: boolean;
  pointer?: string;
}

/** Hashes (with the cache), uploads what the server lacks, commits; returns the version. */
async function addFiles(data: DataApi, name: string, files: LocalFile[], opts: AddOptions, cache: HashCache) {
  const quiet = Boolean(opts.json);
  const hashed = await stage('Hashing', quiet, (bar) => hashFiles(files, cache, bar?.update), (r, elapsed, rate) =>
    r.hashedFiles ? `Hashed ${plural(r.hashedFiles, 'file')} (${formatBytes(r.hashedBytes)}) in ${elapsed} (${rate}); ${plural(files.length - r.hashedFiles, 'file')} unchanged since last time` : `All ${plural(files.length, 'file')} unchanged since last hashed`);
  await cache.save();
  const byPath = new Map(files.map((f) => [f.path, f]));
  const uploads = hashed.manifest.map((m) => ({ ...m, abs: byPath.get(m.path)!.abs }));
  const sent = await stage('Uploading', quiet, (bar) => uploadMissing(data, uploads, opts.concurrency, bar?.update), (r, elapsed, rate) =>
    r.blobs ? `Uploaded ${plural(r.blobs, 'new blob')} (${formatBytes(r.bytes)}) in ${elapsed} (${rate})` : 'Nothing new to upload: the server has every blob');
  const tags = Object.fromEntries((opts.tag ?? []).map((t) => [t.key, t.value ?? '']));
  const committed = await data.createVersion(name, hashed.manifest, {
    ...(opts.message ? { message: opts.message } : {}), tags, userId: process.env.USER ?? '', ...(opts.allowUnchanged ? { allowUnchanged: true } : {}),
  });
  return { committed, hashed, sent, manifest: hashed.manifest };
}

/** `capstan data …`: versioned datasets, profiles, schemas and validation. */
export function dataCommand(program: Command): void {
  const data = program.command('data').description('Versioned datasets: add, list, show, diff, get, push, pull, link, profile, schema, suggest, validate');

  withCommon(data.command('add'))
    .description('Add files or directories as a new version of NAME: hashes them (sha256, cached by inode, mtime and size), uploads only the blobs the server lacks, then commits the version. One directory becomes the version\'s root; several paths land at their base names.')
    .argument('<name>', 'dataset name (created on first add)')
    .argument('<paths...>', 'files or directories')
    .option('-m, --message <text>', 'a note on this version')
    .option('--tag <key=value>', 'a tag on the version (repeatable)', collectTag)
    .option('--prefix <folder>', 'put the files under this folder in the version')
    .option('--run <run-id>', 'also log the version as an MLflow dataset input of this run')
    .option('--context <text>', 'input context for --run (e.g. training, evaluation)')
    .option('--allow-unchanged', 'commit a new version even when the contents equal the latest version')
    .option('--concurrency <n>', 'uploads at a time', positiveInt, 8)
    .option('--no-push', 'only hash and write a pointer file (--pointer) to push later')
    .option('--pointer <file>', 'write a pointer file (JSON: dataset, version, digest, path) for `data pull`')
    .action(async (name: string, paths: string[], opts: AddOptions) => {
      const files = await collectFiles(paths, opts.prefix);
      const cache = await HashCache.open();
      const data = dataClientFor(opts);
      if (!opts.push) {
        if (!opts.pointer) throw invalidParameter('--no-push needs --pointer FILE to keep the manifest for `data push`');
        if (paths.length !== 1) throw invalidParameter('--no-push takes one directory (the pointer names it)');
        const hashed = await hashFiles(files, cache);
        await cache.save();
        await writePointer(opts.pointer, { dataset: name, path: relPath(opts.pointer, paths[0]!), files: hashed.manifest, ...(opts.message ? { message: opts.message } : {}) });
        process.stderr.write(`Hashed ${plural(files.length, 'file')}; wrote ${opts.pointer}. Run \`capstan data push ${opts.pointer}\` to upload and commit.\n`);
        return;
      }
      const { committed } = await addFiles(data, name, files, opts, cache);
      const v = committed.version;
      if (opts.pointer && paths.length === 1) await writePointer(opts.pointer, { dataset: name, version: v.version, digest: v.digest, path: relPath(opts.pointer, paths[0]!) });
      if (opts.run) await data.linkRun(name, v.version, opts.run, opts.context);
      emit(opts, committed, () => committed.created
        ? `Committed ${name}@${v.version}: ${plural(v.fileCount, 'file')}, ${formatBytes(v.totalBytes)}, digest ${v.digest.slice(0, 12)}${opts.run ? `; logged as an input of run ${opts.run}` : ''}`
        : `Unchanged: ${name}@${v.version} already holds exactly these files (digest ${v.digest.slice(0, 12)}); no new version${opts.run ? `; logged as an input of run ${opts.run}` : ''}`);
    });

  withCommon(data.command('list'))
    .description('List datasets, or the versions of NAME (newest first)')
    .argument('[name]', 'dataset name')
    .option('--max-results <n>', 'page size', positiveInt)
    .option('--page-token <token>', 'continue a listing')
    .action(async (name: string | undefined, opts: CommonOptions & { maxResults?: number; pageToken?: string }) => {
      const data = dataClientFor(opts);
      if (name) {
        const page = await data.listVersions(name, opts.maxResults, opts.pageToken);
        emit(opts, page, () => versionsTable(page.versions));
        if (page.nextPageToken && !opts.json) process.stderr.write(`More results available: rerun with --page-token ${page.nextPageToken}\n`);
      } else {
        const page = await data.listDatasets(opts.maxResults, opts.pageToken);
        emit(opts, page, () => datasetsTable(page.datasets));
        if (page.nextPageToken && !opts.json) process.stderr.write(`More results available: rerun with --page-token ${page.nextPageToken}\n`);
      }
    });

  withCommon(data.command('show'))
    .description('Show a version (default: the latest) and, with --files, its files')
    .argument('<ref>', 'NAME or NAME@VERSION')
    .option('--files', 'also list the files')
    .action(async (ref: string, opts: CommonOptions & { files?: boolean }) => {
      const data = dataClientFor(opts);
      const { name, version } = await resolveVersion(data, ref);
      const v = await data.getVersion(name, version);
      const files = opts.files ? await data.getManifest(name, version) : undefined;
      emit(opts, { version: v, ...(files ? { files } : {}) }, () => `${versionDetails(v)}${files ? `\n\n${files.map((f) => `${f.digest.slice(0, 12)}  ${formatBytes(f.size).padStart(10)}  ${f.path}`).join('\n')}` : ''}`);
    });

  withCommon(data.command('diff'))
    .description('Files added, removed, renamed and changed between two versions; tabular files (CSV, Parquet, JSON lines) with row counts and schema changes')
    .argument('<name>', 'dataset name')
    .argument('<from>', 'older version', positiveInt)
    .argument('[to]', 'newer version (default: the latest)', positiveInt)
    .option('--no-tables', 'skip row counts and schemas')
    .action(async (name: string, from: number, to: number | undefined, opts: CommonOptions & { tables: boolean }) => {
      const data = dataClientFor(opts);
      const target = to ?? (await data.getDataset(name)).latestVersion;
      const diff = await data.diff(name, from, target, { tables: opts.tables });
      emit(opts, diff, () => diffText(diff));
    });

  withCommon(data.command('get'))
    .description('Download a version into a folder, byte for byte (sha256 checked); files already there with the right content are kept')
    .argument('<ref>', 'NAME or NAME@VERSION')
    .argument('[dest]', 'folder to write into (default: ./NAME)')
    .option('--prefix <folder>', 'only files under this folder of the version')
    .option('--concurrency <n>', 'downloads at a time', positiveInt, 8)
    .action(async (ref: string, dest: string | undefined, opts: CommonOptions & { prefix?: string; concurrency: number }) => {
      const data = dataClientFor(opts);
      const { name, version } = await resolveVersion(data, ref);
      const target = resolve(dest ?? name);
      const r = await pull(data, name, version, target, opts.concurrency, Boolean(opts.json), opts.prefix);
      emit(opts, { name, version, dest: target, ...r }, () => `${name}@${version} is in ${shown(target)}: ${plural(r.files, 'file')} downloaded (${formatBytes(r.bytes)}), ${plural(r.skipped, 'file')} already up to date`);
    });

  withCommon(data.command('push'))
    .description('Upload and commit the files a pointer file (from `data add --no-push --pointer FILE`) names, then record the version in it')
    .argument('<pointer>', 'pointer file')
    .option('--concurrency <n>', 'uploads at a time', positiveInt, 8)
    .action(async (file: string, opts: AddOptions) => {
      const pointer = await readPointer(file);
      const root = pointerRoot(file, pointer);
      const files = await collectFiles([root]);
      const cache = await HashCache.open();
      const data = dataClientFor(opts);
      const { committed } = await addFiles(data, pointer.dataset, files, { ...opts, ...(pointer.message ? { message: pointer.message } : {}) }, cache);
      const v = committed.version;
      await writePointer(file, { dataset: pointer.dataset, version: v.version, digest: v.digest, path: pointer.path });
      emit(opts, committed, () => `${committed.created ? 'Committed' : 'Unchanged'} ${pointer.dataset}@${v.version} (${plural(v.fileCount, 'file')}, ${formatBytes(v.totalBytes)}); updated ${file}`);
    });

  withCommon(data.command('pull'))
    .description('Download the version a pointer file names into the folder it names')
    .argument('<pointer>', 'pointer file')
    .option('--concurrency <n>', 'downloads at a time', positiveInt, 8)
    .action(async (file: string, opts: CommonOptions & { concurrency: number }) => {
      const pointer = await readPointer(file);
      if (pointer.version === undefined) throw invalidParameter(`'${file}' names no version yet: run \`capstan data push ${file}\` first`);
      const data = dataClientFor(opts);
      const v = await data.getVersion(pointer.dataset, pointer.version);
      if (pointer.digest && v.digest !== pointer.digest) throw invalidParameter(`${pointer.dataset}@${pointer.version} has digest ${v.digest}, but '${file}' expects ${pointer.digest}`);
      const target = pointerRoot(file, pointer);
      const r = await pull(data, pointer.dataset, pointer.version, target, opts.concurrency, Boolean(opts.json));
      emit(opts, { name: pointer.dataset, version: pointer.version, dest: target, ...r }, () => `${pointer.dataset}@${pointer.version} is in ${shown(target)}: ${plural(r.files, 'file')} downloaded, ${plural(r.skipped, 'file')} already up to date`);
    });

  withCommon(data.command('link'))
    .description('Log a version as an MLflow dataset input of a run (visible to mlflow clients on the run)')
    .argument('<ref>', 'NAME or NAME@VERSION')
    .argument('<run-id>', 'run id')
    .option('--context <text>', 'input context, e.g. training or evaluation')
    .action(async (ref: string, runId: string, opts: CommonOptions & { context?: string }) => {
      const data = dataClientFor(opts);
      const { name, version } = await resolveVersion(data, ref);
      const digest = await data.linkRun(name, version, runId, opts.context);
      emit(opts, { name, version, runId, digest }, () => `Logged ${name}@${version} (digest ${digest}) as an input of run ${runId}`);
    });

  withCommon(data.command('profile'))
    .description('Profile a version\'s tabular files: types, nulls, distinct counts, ranges, quantiles, histograms, top values')
    .argument('<ref>', 'NAME or NAME@VERSION')
    .option('--files <glob>', 'only tabular files matching this glob, e.g. "*.parquet"')
    .option('--refresh', 'recompute instead of using the stored profile')
    .action(async (ref: string, opts: CommonOptions & { files?: string; refresh?: boolean }) => {
      const data = dataClientFor(opts);
      const { name, version } = await resolveVersion(data, ref);
      const profile = await data.profile(name, version, { ...(opts.files ? { files: opts.files } : {}), ...(opts.refresh ? { refresh: true } : {}) });
      emit(opts, profile, () => profileTable(profile));
    });

  withCommon(data.command('schema'))
    .description('Print a version\'s schema (stored, or inferred from its profile), or store an edited one with --set')
    .argument('<ref>', 'NAME or NAME@VERSION')
    .option('--set <file>', 'store this schema (YAML or JSON: {columns: [{name, type, nullable}]})')
    .action(async (ref: string, opts: CommonOptions & { set?: string }) => {
      const data = dataClientFor(opts);
      const { name, version } = await resolveVersion(data, ref);
      if (opts.set) {
        const schema = await readDocument<WireDatasetSchema>(opts.set);
        const stored = await data.putSchema(name, version, schema);
        emit(opts, { schema: stored }, () => `Stored the schema of ${name}@${version} (${plural(stored.columns.length, 'column')})`);
        return;
      }
      const got = await data.getSchema(name, version);
      emit(opts, got, () => `# ${got.inferred ? 'inferred from the profile (not stored yet)' : 'stored'} schema of ${name}@${version}\n${stringifyYaml(got.schema)}`);
    });

  withCommon(data.command('suggest'))
    .description('Suggest a validation suite from a version (its profile), to edit and use with `data validate`')
    .argument('<ref>', 'NAME or NAME@VERSION')
    .option('-o, --output <file>', 'write the suite (YAML) here instead of stdout')
    .option('--files <glob>', 'only tabular files matching this glob')
    .action(async (ref: string, opts: CommonOptions & { output?: string; files?: string }) => {
      const data = dataClientFor(opts);
      const { name, version } = await resolveVersion(data, ref);
      const suite = await data.suggestSuite(name, version, opts.files);
      const text = opts.json ? `${JSON.stringify(suite, null, 2)}\n` : stringifyYaml(suite);
      if (opts.output) {
        await writeFile(opts.output, text);
        process.stderr.write(`Wrote ${plural(suite.checks.length, 'check')} to ${opts.output}\n`);
      } else process.stdout.write(text);
    });

  withCommon(data.command('validate'))
    .description('Validate a version against a suite (YAML or JSON); writes a JSON result and an HTML report with failing rows sampled')
    .argument('<ref>', 'NAME or NAME@VERSION')
    .requiredOption('--suite <file>', 'suite file (YAML or JSON)')
    .option('--output <file>', 'JSON result file (default: ./capstan-validation/NAME-vVERSION.json)')
    .option('--html <file>', 'HTML report file (default: beside the JSON result)')
    .addHelpText('after', `
Exit status:
  0  every check passed
  ${EXIT_INVALID}  a check failed
  ${EXIT_USAGE}  usage or input error (unreadable suite, unknown version, unreadable data)`)
    .action(async (ref: string, opts: CommonOptions & { suite: string; output?: string; html?: string }) => {
      try {
        const data = dataClientFor(opts);
        const suite = await readDocument<WireSuite>(opts.suite);
        const { name, version } = await resolveVersion(data, ref);
        const result = await data.validate(name, version, suite);
        const jsonFile = resolve(opts.output ?? `capstan-validation/${name}-v${version}.json`);
        const htmlFile = resolve(opts.html ?? jsonFile.replace(/\.json$/i, '') + '.html');
        await mkdir(dirname(jsonFile), { recursive: true });
        await mkdir(dirname(htmlFile), { recursive: true });
        await writeFile(jsonFile, `${JSON.stringify(result, null, 2)}\n`);
        await writeFile(htmlFile, renderValidationHtml(result));
        emit(opts, result, () => validationText(result));
        if (!opts.json) process.stderr.write(`Wrote ${shown(jsonFile)} and ${shown(htmlFile)}\n`);
        process.exitCode = result.success ? 0 : EXIT_INVALID;
      } catch (error) {
        const e = error as { code?: string; message?: string };
        process.stderr.write(`capstan: ${e.code ? `${e.code}: ` : ''}${e.message ?? String(error)}\n`);
        process.exitCode = EXIT_USAGE;
      }
    });
}

async function pull(data: DataApi, name: string, version: number, target: string, concurrency: number, quiet: boolean, prefix?: string) {
  const manifest = await data.getManifest(name, version, prefix);
  const cache = await HashCache.open();
  const r = await stage('Downloading', quiet, (bar) => downloadFiles(data, manifest, target, cache, concurrency, bar?.update), (x, elapsed, rate) =>
    x.files ? `Downloaded ${plural(x.files, 'file')} (${formatBytes(x.bytes)}) in ${elapsed} (${rate})` : null);
  await cache.save();
  return r;
}

async function readDocument<T>(file: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw invalidParameter(`Cannot read '${file}': ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  try {
    return parseYaml(text) as T;
  } catch (e) {
    throw invalidParameter(`'${file}' is not valid YAML or JSON: ${(e as Error).message.split('\n')[0]}`);
  }
}

function relPath(pointerFile: string, path: string): string {
  return relative(dirname(resolve(pointerFile)), resolve(path)) || '.';
}
