import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCapstan } from '@capstan/server';
import { CapstanClient } from '@capstan/client';
import { renderDetails, renderTable, truncate } from '../src/output/table.js';
import { ProgressBar } from '../src/output/progress.js';
import { runCli, type CliResult } from './support.js';
import { formatBytes, formatDuration } from '../src/output/format.js';

const PROGRAM = new URL('../dist/program.js', import.meta.url).href;

let dir: string;
let server: Awaited<ReturnType<typeof startCapstan>>;
let client: CapstanClient;

type Result = CliResult;

/** Runs the built CLI against this file's server. */
function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<Result> {
  return runCli(args, { CAPSTAN_TRACKING_URI: server.url, MLFLOW_TRACKING_URI: undefined, ...env });
}

async function ok(args: string[], env?: Record<string, string | undefined>): Promise<Result> {
  const result = await cli(args, env);
  if (result.code !== 0) throw new Error(`capstan ${args.join(' ')} exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  return result;
}

async function json<T = Record<string, unknown>>(args: string[]): Promise<T> {
  return JSON.parse((await ok([...args, '--json'])).stdout) as T;
}

async function files(root: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const visit = async (d: string) => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) await visit(full);
      else out.set(relative(root, full).split('\\').join('/'), await readFile(full));
    }
  };
  await visit(root);
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'capstan-cli-'));
  server = await startCapstan({ host: '127.0.0.1', port: 0, backendStoreUri: `sqlite:///${dir}/c.db`, artifactsDestination: `${dir}/artifacts` });
  client = new CapstanClient({ baseUrl: server.url });
});

afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('help', () => {
  it('every command has --help that exits 0 and names its options', async () => {
    const { buildProgram } = (await import(PROGRAM)) as { buildProgram: () => Command };
    const commands: { path: string[]; command: Command }[] = [];
    const walk = (command: Command, path: string[]) => {
      for (const sub of command.commands) {
        commands.push({ path: [...path, sub.name()], command: sub });
        walk(sub, [...path, sub.name()]);
      }
    };
    walk(buildProgram(), []);
    const paths = commands.map((c) => c.path.join(' '));
    for (const expected of [
      'experiments list', 'experiments create', 'experiments get', 'experiments rename', 'experiments delete', 'experiments restore',
      'runs list', 'runs get', 'runs delete', 'runs restore', 'runs metric-history',
      'models list', 'models create', 'models get', 'models delete', 'models rename', 'models versions', 'models register', 'models stage',
      'models alias set', 'models alias get', 'models alias delete',
      'artifacts list', 'artifacts upload', 'artifacts download',
    ]) expect(paths).toContain(expected);

    const failures: string[] = [];
    const check = (path: string[], command: Command, text: string) => {
      const help = text.replace(/\s+/g, ' ');
      const name = path.join(' ');
      if (!help.includes(`Usage: capstan ${name}`)) failures.push(`${name}: no usage line`);
      if (!help.includes(command.description().replace(/\s+/g, ' '))) failures.push(`${name}: description missing`);
      for (const option of command.options) if (!help.includes(option.long!)) failures.push(`${name}: option ${option.long} missing`);
      if (command.commands.length === 0 && !['server', 'drift', 'demo', 'worker'].includes(path[0]!) && name !== 'models serve') {
        for (const flag of ['--tracking-uri', '--json']) if (!help.includes(flag)) failures.push(`${name}: ${flag} missing`);
      }
      for (const sub of command.commands) if (!help.includes(sub.name())) failures.push(`${name}: subcommand ${sub.name()} missing`);
    };
    // Every command's help text, in process (commander prints exactly this for --help) ...
    for (const { path, command } of commands) check(path, command, command.helpInformation());
    // ... and the real binary for each top-level command: exit 0 and the same text.
    const queue = commands.filter((c) => c.path.length === 1);
    await Promise.all(Array.from({ length: 4 }, async () => {
      for (let item = queue.shift(); item; item = queue.shift()) {
        const result = await cli([...item.path, '--help']);
        if (result.code !== 0) failures.push(`${item.path.join(' ')}: exit ${result.code}`);
        check(item.path, item.command, result.stdout);
      }
    }));
    expect(failures).toEqual([]);
  }, 240_000);

  it('top-level help lists every capability', async () => {
    const { stdout } = await ok(['--help']);
    for (const name of ['server', 'experiments', 'runs', 'models', 'artifacts']) expect(stdout).toContain(name);
  });
});

describe('experiments', () => {
  it('create, list (table and --json), get, rename, delete, restore', async () => {
    const created = await ok(['experiments', 'create', 'cli-exp', '--tag', 'team=ml', '--tracking-uri', server.url]);
    const id = /with id (\d+)/.exec(created.stdout)?.[1];
    expect(id).toBeDefined();

    const table = await ok(['experiments', 'list']);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+STAGE\s+ARTIFACT LOCATION\s+CREATED$/);
    const row = lines.find((l) => l.includes('cli-exp'));
    expect(row).toMatch(new RegExp(`^${id}\\s+cli-exp\\s+active\\s+mlflow-artifacts:/${id}`));
    expect(lines[1]!.indexOf('active')).toBe(lines[0]!.indexOf('STAGE'));

    const listed = await json<{ experiments: { experiment_id: string; name: string }[] }>(['experiments', 'list']);
    expect(listed.experiments).toContainEqual(expect.objectContaining({ experiment_id: id, name: 'cli-exp' }));

    const byName = await json<{ experiment: { experiment_id: string; tags: unknown[] } }>(['experiments', 'get', 'cli-exp']);
    expect(byName.experiment).toMatchObject({ experiment_id: id, tags: [{ key: 'team', value: 'ml' }] });
    expect((await ok(['experiments', 'get', id!])).stdout).toMatch(/Name:\s+cli-exp/);

    await ok(['experiments', 'rename', id!, 'cli-exp-2']);
    expect(await json(['experiments', 'delete', id!])).toEqual({});
    expect((await ok(['experiments', 'list'])).stdout).not.toContain('cli-exp-2');
    expect((await ok(['experiments', 'list', '--view', 'deleted'])).stdout).toContain('cli-exp-2');
    await ok(['experiments', 'restore', id!]);
    expect((await client.experiments.get(id!)).lifecycle_stage).toBe('active');
    const filtered = await json<{ experiments: { name: string }[] }>(['experiments', 'list', '--filter', "name LIKE 'cli-%'"]);
    expect(filtered.experiments.map((e) => e.name)).toEqual(['cli-exp-2']);
  });

  it('prints CODE: message and exits 1 on a duplicate name', async () => {
    await ok(['experiments', 'create', 'twice']);
    const result = await cli(['experiments', 'create', 'twice']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^capstan: RESOURCE_ALREADY_EXISTS: .*twice/);
    expect(result.stdout).toBe('');
  });
});

describe('runs', () => {
  let exp: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    exp = await client.experiments.create('cli-runs');
    for (const [name, acc] of [['low', 0.2], ['mid', 0.6], ['high', 0.9]] as const) {
      const run = await client.runs.create(exp, { run_name: name });
      ids[name] = run.info.run_id;
      await client.runs.logBatch(run.info.run_id, { metrics: [0, 1, 2].map((step) => ({ key: 'acc', value: acc - (2 - step) * 0.1, step })), params: { model: name === 'high' ? 'xgb' : 'lr' } });
    }
  });

  it('lists runs with a filter, order and page size', async () => {
    const page = await json<{ runs: { info: { run_name: string } }[] }>(['runs', 'list', '--experiment-id', exp, '--filter', 'metrics.acc > 0.5', '--order-by', 'metrics.acc DESC']);
    expect(page.runs.map((r) => r.info.run_name)).toEqual(['high', 'mid']);

    const table = await ok(['runs', 'list', '--experiment-id', exp, '--filter', "params.model = 'xgb'"]);
    expect(table.stdout).toMatch(/^RUN ID\s+NAME\s+EXPERIMENT\s+STATUS/);
    expect(table.stdout).toContain(ids.high);
    expect(table.stdout).not.toContain(ids.low);

    const first = await cli(['runs', 'list', '--experiment-id', exp, '--max-results', '1']);
    expect(first.code).toBe(0);
    expect(first.stdout.trim().split('\n')).toHaveLength(2);
    expect(first.stderr).toContain('--page-token');

    const bad = await cli(['runs', 'list', '--experiment-id', exp, '--max-results', 'lots']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--max-results');
  });

  it('gets, deletes and restores a run, and prints a metric history', async () => {
    const got = await ok(['runs', 'get', ids.mid!]);
    expect(got.stdout).toMatch(/Run ID:\s+\S+/);
    expect(got.stdout).toMatch(/Metrics:\nKEY\s+VALUE\s+STEP/);
    expect(got.stdout).toMatch(/model\s+lr/);

    const history = await json<{ metrics: { step: number; value: number }[] }>(['runs', 'metric-history', ids.high!, 'acc', '--page-size', '2']);
    expect(history.metrics.map((m) => m.step)).toEqual([0, 1, 2]);
    const historyTable = await ok(['runs', 'metric-history', ids.high!, 'acc']);
    expect(historyTable.stdout.trim().split('\n')).toHaveLength(4);

    await ok(['runs', 'delete', ids.low!]);
    expect((await json<{ runs: unknown[] }>(['runs', 'list', '--experiment-id', exp])).runs).toHaveLength(2);
    expect((await json<{ runs: unknown[] }>(['runs', 'list', '--experiment-id', exp, '--view', 'all'])).runs).toHaveLength(3);
    await ok(['runs', 'restore', ids.low!]);
    expect((await client.runs.get(ids.low!)).info.lifecycle_stage).toBe('active');
  });
});

describe('models', () => {
  it('registers versions, sets and reads aliases, moves stages', async () => {
    const run = await client.runs.create('0');
    const runId = run.info.run_id;
    const v1 = await json<{ model_version: { version: string; run_id: string } }>(['models', 'register', 'cli-model', '--source', `runs:/${runId}/model`]);
    expect(v1.model_version).toMatchObject({ version: '1', run_id: runId });
    const second = await ok(['models', 'register', 'cli-model', '--source', `runs:/${runId}/model`, '--run-id', runId, '--description', 'better']);
    expect(second.stdout).toContain("Registered 'cli-model' version 2");

    const versions = await ok(['models', 'versions', 'cli-model']);
    expect(versions.stdout).toMatch(/^VERSION\s+STAGE\s+STATUS/);
    expect(versions.stdout.trim().split('\n')).toHaveLength(3);

    expect((await ok(['models', 'alias', 'set', 'cli-model', 'champion', '2'])).stdout).toContain("Alias 'champion'");
    const alias = await json<{ model_version: { version: string; aliases: string[] } }>(['models', 'alias', 'get', 'cli-model', 'champion']);
    expect(alias.model_version).toMatchObject({ version: '2', aliases: ['champion'] });
    expect((await ok(['models', 'alias', 'get', 'cli-model', 'champion'])).stdout).toMatch(/Version:\s+2/);

    await ok(['models', 'stage', 'cli-model', '1', 'Production']);
    const staged = await json<{ model_version: { current_stage: string } }>(['models', 'stage', 'cli-model', '2', 'Production', '--archive-existing']);
    expect(staged.model_version.current_stage).toBe('Production');
    expect((await client.modelVersions.get('cli-model', 1)).current_stage).toBe('Archived');

    const list = await ok(['models', 'list', '--filter', "name = 'cli-model'"]);
    expect(list.stdout).toMatch(/cli-model\s+v1 \(Archived\), v2 \(Production\)\s+champion→v2/);
    expect((await ok(['models', 'get', 'cli-model'])).stdout).toMatch(/Aliases:\s+champion→v2/);

    await ok(['models', 'alias', 'delete', 'cli-model', 'champion']);
    const gone = await cli(['models', 'alias', 'get', 'cli-model', 'champion']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^capstan: INVALID_PARAMETER_VALUE: Registered model alias champion not found/);
  });

  it('creates, renames and deletes a registered model', async () => {
    await ok(['models', 'create', 'cli-tmp', '--description', 'temporary', '--tag', 'k=v']);
    expect((await json<{ registered_model: { description: string; tags: unknown[] } }>(['models', 'get', 'cli-tmp'])).registered_model).toMatchObject({ description: 'temporary', tags: [{ key: 'k', value: 'v' }] });
    await ok(['models', 'rename', 'cli-tmp', 'cli-tmp-2']);
    expect((await json<{ registered_models: { name: string }[] }>(['models', 'list'])).registered_models.map((m) => m.name)).toContain('cli-tmp-2');
    await ok(['models', 'delete', 'cli-tmp-2']);
    expect((await cli(['models', 'get', 'cli-tmp-2'])).stderr).toMatch(/^capstan: RESOURCE_DOES_NOT_EXIST: /);
  });
});

describe('artifacts', () => {
  it('uploads a directory, lists it and downloads it byte for byte', async () => {
    const run = await client.runs.create('0');
    const runId = run.info.run_id;
    const src = join(dir, 'cli-src');
    await mkdir(join(src, 'sub', 'deeper'), { recursive: true });
    await writeFile(join(src, 'weights.bin'), randomBytes(4 * 1024 * 1024 + 11));
    await writeFile(join(src, 'empty'), '');
    await writeFile(join(src, 'sub', 'config.json'), '{"lr":0.1}');
    await writeFile(join(src, 'sub', 'deeper', 'notes.txt'), 'ünïcode\n');

    const up = await ok(['artifacts', 'upload', runId, src, '--artifact-path', 'model']);
    expect(up.stderr).toMatch(/^Uploaded 4 files \(4\.0 MiB\) to run \S+ at model in .+\n$/);
    expect(up.stderr).not.toContain('\r');
    expect(up.stdout).toContain('model/sub/deeper/notes.txt');

    const root = await ok(['artifacts', 'list', runId]);
    expect(root.stdout).toMatch(/^PATH\s+TYPE\s+SIZE\nmodel\/\s+dir/);
    const listed = await json<{ root_uri: string; files: { path: string; is_dir: boolean; file_size?: number }[] }>(['artifacts', 'list', runId, 'model']);
    expect(listed.root_uri).toBe(run.info.artifact_uri);
    expect(listed.files).toEqual(expect.arrayContaining([{ path: 'model/sub', is_dir: true }, { path: 'model/weights.bin', is_dir: false, file_size: 4 * 1024 * 1024 + 11 }]));

    const dest = join(dir, 'cli-dest');
    const down = await ok(['artifacts', 'download', runId, 'model', '--dest', dest]);
    expect(down.stderr).toMatch(/^Downloaded 4 files \(4\.0 MiB\) from run \S+ to .+\n$/);
    const original = await files(src);
    const copied = await files(join(dest, 'model'));
    expect([...copied.keys()].toSorted()).toEqual([...original.keys()].toSorted());
    for (const [path, bytes] of original) expect(copied.get(path)!.equals(bytes), path).toBe(true);

    const single = await json<{ files: { path: string; file_size: number }[] }>(['artifacts', 'upload', runId, join(src, 'sub', 'config.json'), '--artifact-path', 'extra']);
    expect(single.files).toEqual([{ path: 'extra/config.json', is_dir: false, file_size: 10 }]);
    const one = join(dir, 'cli-one');
    await ok(['artifacts', 'download', runId, 'extra/config.json', '--dest', one]);
    expect(await readFile(join(one, 'extra', 'config.json'), 'utf8')).toBe('{"lr":0.1}');

    const all = join(dir, 'cli-all');
    const everything = await json<{ files: { path: string }[] }>(['artifacts', 'download', runId, '--dest', all]);
    expect(everything.files).toHaveLength(5);
    expect((await stat(join(all, 'model', 'weights.bin'))).size).toBe(4 * 1024 * 1024 + 11);

    const missing = await cli(['artifacts', 'download', runId, 'nope', '--dest', join(dir, 'nowhere')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^capstan: RESOURCE_DOES_NOT_EXIST: No artifact at 'nope'/);
  });
});

describe('errors and configuration', () => {
  it('exits non-zero with the error code on stderr', async () => {
    const result = await cli(['runs', 'get', '0123456789abcdef0123456789abcdef']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("capstan: RESOURCE_DOES_NOT_EXIST: Run '0123456789abcdef0123456789abcdef' not found\n");

    const badUri = await cli(['experiments', 'list', '--tracking-uri', 'file:///tmp/mlruns']);
    expect(badUri.code).toBe(1);
    expect(badUri.stderr).toMatch(/^capstan: INVALID_PARAMETER_VALUE: --tracking-uri must be an http\(s\) URL/);

    const usage = await cli(['runs', 'list']);
    expect(usage.code).not.toBe(0);
    expect(usage.stderr).toContain("required option '--experiment-id <id>' not specified");
  });

  it('reports an unreachable server', async () => {
    const result = await cli(['experiments', 'list', '--tracking-uri', 'http://127.0.0.1:9']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^capstan: TEMPORARILY_UNAVAILABLE: Cannot reach http:\/\/127\.0\.0\.1:9\//);
  }, 20_000);

  it('takes the server from CAPSTAN_TRACKING_URI, then MLFLOW_TRACKING_URI', async () => {
    await client.experiments.create('env-check');
    expect((await ok(['experiments', 'get', 'env-check'], { CAPSTAN_TRACKING_URI: server.url })).stdout).toContain('env-check');
    expect((await ok(['experiments', 'get', 'env-check'], { CAPSTAN_TRACKING_URI: undefined, MLFLOW_TRACKING_URI: server.url })).stdout).toContain('env-check');
    const help = await ok(['experiments', 'list', '--help'], { CAPSTAN_TRACKING_URI: undefined, MLFLOW_TRACKING_URI: undefined });
    expect(help.stdout).toContain('http://127.0.0.1:5000');
  });
});

describe('output helpers', () => {
  it('renders aligned tables and details', () => {
    const text = renderTable([{ a: 'x', n: 5 }, { a: 'longer', n: 123 }], [
      { header: 'NAME', value: (r) => r.a },
      { header: 'N', value: (r) => String(r.n), align: 'right' },
    ]);
    expect(text).toBe('NAME      N\nx         5\nlonger  123');
    expect(renderTable([], [{ header: 'A', value: () => '' }], 'Nothing.')).toBe('Nothing.');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('a\nb', undefined)).toBe('a b');
    expect(renderDetails([['ID', '1'], ['Name', 'x'], ['Tags', 'a=1\nb=2']])).toBe('ID:    1\nName:  x\nTags:  a=1\n       b=2');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatDuration(65_000)).toBe('1m 05s');
  });

  it('draws a progress bar on a terminal and only a summary otherwise', () => {
    const tty: string[] = [];
    const bar = new ProgressBar('Uploading', { isTTY: true, columns: 100, write: (t: string) => tty.push(t) });
    bar.update({ bytes: 512, total: 1024, filesDone: 0, files: 2, path: 'a' });
    bar.update({ bytes: 1024, total: 1024, filesDone: 2, files: 2, path: 'b' });
    bar.finish(() => 'done');
    expect(tty[0]!.startsWith('\r\u001b[2K')).toBe(true);
    expect(tty[0]!.slice(5)).toMatch(/^Uploading \[#{8}-{8}\] 50% 512 B\/1\.0 KiB .*\/s 0\/2 files$/);
    expect(tty.at(-1)).toBe('done\n');

    const plain: string[] = [];
    const quiet = new ProgressBar('Uploading', { isTTY: false, write: (t: string) => plain.push(t) });
    quiet.update({ bytes: 1, total: 2, filesDone: 0, files: 1, path: 'a' });
    quiet.finish((elapsed, rate) => `Uploaded in ${elapsed} (${rate})`);
    expect(plain).toHaveLength(1);
    expect(plain[0]).toMatch(/^Uploaded in .+ \(.+\/s\)\n$/);
  });
});
