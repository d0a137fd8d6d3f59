import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCapstan } from '@capstan/server';
import { CapstanClient, DataApi } from '@capstan/client';
import { runCli, type CliResult } from './support.js';


let dir: string;
let server: Awaited<ReturnType<typeof startCapstan>>;
let data: DataApi;

type Result = CliResult;

function cli(args: string[], cwd = dir): Promise<Result> {
  return runCli(args, { CAPSTAN_TRACKING_URI: server.url, CAPSTAN_CACHE_DIR: join(dir, 'cache'), MLFLOW_TRACKING_URI: undefined }, cwd);
}

async function ok(args: string[], cwd?: string): Promise<Result> {
  const r = await cli(args, cwd);
  if (r.code !== 0) throw new Error(`capstan ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

async function tree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const visit = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) await visit(full);
      else out[relative(root, full)] = createHash('sha256').update(await readFile(full)).digest('hex');
    }
  };
  await visit(root);
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'capstan-cli-data-'));
  server = await startCapstan({ host: '127.0.0.1', port: 0, backendStoreUri: `sqlite:///${dir}/c.db`, artifactsDestination: `${dir}/artifacts` });
  data = new DataApi({ baseUrl: server.url });
  const src = join(dir, 'src');
  await mkdir(join(src, 'images'), { recursive: true });
  await writeFile(join(src, 'train.csv'), 'id,label\n1,a\n2,b\n3,a\n');
  await writeFile(join(src, 'images', 'one.bin'), Buffer.alloc(200_000, 7));
  await writeFile(join(src, 'images', 'two.bin'), 'two');
});

afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('capstan data add, diff, get', () => {
  it('adds a folder, re-adds it without hashing or uploading, adds a change, diffs, and gets the old version back byte for byte', async () => {
    const src = join(dir, 'src');
    const before = await tree(src);
    const first = await ok(['data', 'add', 'imgs', 'src', '-m', 'first', '--tag', 'team=vision']);
    expect(first.stdout).toContain('Committed imgs@1: 3 files');
    expect(first.stderr).toContain('Hashed 3 files');
    expect(first.stderr).toContain('Uploaded 3 new blobs');
    expect((await data.getVersion('imgs', 1)).tags).toEqual({ team: 'vision' });

    const again = await ok(['data', 'add', 'imgs', 'src']);
    expect(again.stdout).toContain('Unchanged: imgs@1 already holds exactly these files');
    expect(again.stderr).toContain('All 3 files unchanged since last hashed');
    expect(again.stderr).toContain('Nothing new to upload');

    await writeFile(join(src, 'train.csv'), 'id,label,weight\n1,a,0.5\n2,b,1\n3,a,2\n4,c,1\n');
    const second = await ok(['data', 'add', 'imgs', 'src', '-m', 'second']);
    expect(second.stdout).toContain('Committed imgs@2');
    expect(second.stderr).toContain('Hashed 1 file');
    expect(second.stderr).toContain('2 files unchanged since last time');
    expect(second.stderr).toContain('Uploaded 1 new blob');

    const diff = JSON.parse((await ok(['data', 'diff', 'imgs', '1', '2', '--json'])).stdout) as { changed: { path: string; table: { rowsFrom: number; rowsTo: number; addedColumns: { name: string }[] } }[]; unchanged: number };
    expect(diff.unchanged).toBe(2);
    expect(diff.changed).toEqual([expect.objectContaining({ path: 'train.csv', table: expect.objectContaining({ rowsFrom: 3, rowsTo: 4, addedColumns: [{ name: 'weight', type: 'DOUBLE' }] }) })]);
    expect((await ok(['data', 'diff', 'imgs', '1'])).stdout).toContain('rows: 3 → 4 (+1)');

    await ok(['data', 'get', 'imgs@1', 'restored']);
    expect(await tree(join(dir, 'restored'))).toEqual(before);

    await cp(src, join(dir, 'work'), { recursive: true });
    const refresh = await ok(['data', 'get', 'imgs@1', 'work']);
    expect(refresh.stdout).toContain('1 file downloaded');
    expect(refresh.stdout).toContain('2 files already up to date');
    expect(await tree(join(dir, 'work'))).toEqual(before);

    const listed = await ok(['data', 'list', 'imgs']);
    expect(listed.stdout.split('\n')[1]).toMatch(/^\s+2\s+3/);
    const shown = JSON.parse((await ok(['data', 'show', 'imgs@1', '--files', '--json'])).stdout) as { files: { path: string }[] };
    expect(shown.files.map((f) => f.path)).toEqual(['images/one.bin', 'images/two.bin', 'train.csv']);
  });

  it('pushes and pulls through a pointer file', async () => {
    const project = join(dir, 'project');
    await mkdir(join(project, 'data'), { recursive: true });
    await writeFile(join(project, 'data', 'a.txt'), 'alpha');
    await ok(['data', 'add', 'ptr', 'data', '--no-push', '--pointer', 'data.capstan.json'], project);
    expect((await data.listDatasets()).datasets.map((d) => d.name)).not.toContain('ptr');
    await ok(['data', 'push', 'data.capstan.json'], project);
    const pointer = JSON.parse(await readFile(join(project, 'data.capstan.json'), 'utf8')) as { dataset: string; version: number; path: string };
    expect(pointer).toMatchObject({ dataset: 'ptr', version: 1, path: 'data' });
    const clone = join(dir, 'clone');
    await mkdir(clone);
    await cp(join(project, 'data.capstan.json'), join(clone, 'data.capstan.json'));
    await ok(['data', 'pull', 'data.capstan.json'], clone);
    expect(await readFile(join(clone, 'data', 'a.txt'), 'utf8')).toBe('alpha');
  });

  it('logs the added version as an input of a run', async () => {
    const client = new CapstanClient({ baseUrl: server.url });
    const run = await client.runs.create('0');
    await ok(['data', 'add', 'linked', 'src/train.csv', '--run', run.info.run_id, '--context', 'training']);
    const got = await client.runs.get(run.info.run_id);
    expect(got.inputs?.dataset_inputs?.[0]?.dataset).toMatchObject({ name: 'linked', source_type: 'capstan' });
  });

  it('fails on an unreadable file with a clear message and commits nothing', async () => {
    const broken = join(dir, 'broken');
    await mkdir(broken);
    await writeFile(join(broken, 'ok.txt'), 'fine');
    await symlink(join(dir, 'does-not-exist'), join(broken, 'dangling.txt'));
    const r = await cli(['data', 'add', 'broken', 'broken']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Cannot read '.*dangling\.txt'/);
    expect((await data.listDatasets()).datasets.map((d) => d.name)).not.toContain('broken');
    const missing = await cli(['data', 'add', 'x', 'no-such-dir']);
    expect(missing.stderr).toContain("Cannot read 'no-such-dir': no such file or directory");
  });
});

describe('capstan data validate', () => {
  beforeAll(async () => {
    await mkdir(join(dir, 'tab'));
    await writeFile(join(dir, 'tab', 'rows.csv'), 'id,country\n1,DE\n2,FR\n3,XX\n3,DE\n');
    await ok(['data', 'add', 'tab', 'tab']);
    await writeFile(join(dir, 'pass.yaml'), 'checks:\n  - type: not_null\n    column: id\n  - type: row_count\n    min: 4\n');
    await writeFile(join(dir, 'fail.yaml'), 'checks:\n  - type: unique\n    column: id\n  - {type: accepted_values, column: country, values: [DE, FR]}\n');
  });

  it('exits 0 when every check passes and writes the JSON result and the HTML report', async () => {
    const r = await cli(['data', 'validate', 'tab@1', '--suite', 'pass.yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('PASSED: 2 of 2 checks passed on tab@1 (4 rows');
    const json = JSON.parse(await readFile(join(dir, 'capstan-validation', 'tab-v1.json'), 'utf8')) as { success: boolean };
    expect(json.success).toBe(true);
    expect((await stat(join(dir, 'capstan-validation', 'tab-v1.html'))).size).toBeGreaterThan(500);
  });

  it('exits 1 when a check fails, with failing rows sampled in the HTML report', async () => {
    const r = await cli(['data', 'validate', 'tab', '--suite', 'fail.yaml', '--output', 'out/result.json', '--html', 'out/report.html']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAILED: 0 of 2 checks passed');
    const json = JSON.parse(await readFile(join(dir, 'out', 'result.json'), 'utf8')) as { results: { unexpectedCount: number }[] };
    expect(json.results.map((x) => x.unexpectedCount)).toEqual([2, 1]);
    const html = await readFile(join(dir, 'out', 'report.html'), 'utf8');
    expect(html).toContain('Sample of failing rows');
    expect(html).toContain('<td>XX</td>');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3)/);
  });

  it('exits 2 for a missing suite file, an unknown version and unreadable data', async () => {
    expect((await cli(['data', 'validate', 'tab@1', '--suite', 'nope.yaml'])).stderr).toContain("Cannot read 'nope.yaml': no such file");
    const unknown = await cli(['data', 'validate', 'tab@7', '--suite', 'pass.yaml']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('RESOURCE_DOES_NOT_EXIST: Version 7 of dataset');
    await mkdir(join(dir, 'rag'));
    await writeFile(join(dir, 'rag', 'r.csv'), 'a,b\n1,2\n3\n');
    await ok(['data', 'add', 'rag', 'rag']);
    const ragged = await cli(['data', 'validate', 'rag', '--suite', 'pass.yaml']);
    expect(ragged.code).toBe(2);
    expect(ragged.stderr).toContain('Cannot read CSV file r.csv: rows have different numbers of fields');
  });

  it('suggests a suite that the version passes, and profiles and prints the schema', async () => {
    await ok(['data', 'suggest', 'tab@1', '-o', 'suggested.yaml']);
    expect((await cli(['data', 'validate', 'tab@1', '--suite', 'suggested.yaml'])).code).toBe(0);
    const profile = JSON.parse((await ok(['data', 'profile', 'tab@1', '--json'])).stdout) as { rowCount: number };
    expect(profile.rowCount).toBe(4);
    expect((await ok(['data', 'schema', 'tab@1'])).stdout).toContain('name: country');
  });
});
