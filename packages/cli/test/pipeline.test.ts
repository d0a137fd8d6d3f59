import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCapstan } from '@capstan/server';
import { PipelinesClient } from '@capstan/client';
import { runCli, type CliResult } from './support.js';

const EXAMPLES = fileURLToPath(new URL('../../../examples/pipelines/', import.meta.url));

let dir: string;
let server: Awaited<ReturnType<typeof startCapstan>>;
let client: PipelinesClient;

type Result = CliResult;

function cli(args: string[]): Promise<Result> {
  return runCli(args, { CAPSTAN_TRACKING_URI: server.url, MLFLOW_TRACKING_URI: undefined });
}

async function post(path: string, body: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const YAML = `
name: cli-demo
params:
  greeting: { type: string, default: hello }
steps:
  - name: say
    command: "echo {{params.greeting}} > {{outputs.text}}"
    outputs: { text: File }
  - name: shout
    command: "tr a-z A-Z < {{inputs.text}} > {{outputs.loud}}"
    inputs: { text: steps.say.outputs.text }
    outputs: { loud: File }
  - name: approve
    approval: { timeoutMs: 60000, message: ship it? }
    after: [shout]
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'capstan-cli-pl-'));
  server = await startCapstan({ host: '127.0.0.1', port: 0, backendStoreUri: `sqlite:///${dir}/c.db`, artifactsDestination: `${dir}/artifacts` });
  client = new PipelinesClient({ baseUrl: server.url });
  await writeFile(join(dir, 'demo.yaml'), YAML);
});

afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('native pipeline API', () => {
  it('rejects bad input with 4xx and readable messages, storing nothing', async () => {
    expect(await post('/api/v1/pipelines', '{not json')).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    expect(await post('/api/v1/pipelines', '[1,2]')).toMatchObject({ status: 400 });
    expect(await post('/api/v1/pipelines', JSON.stringify({ yaml: 'name: [unclosed' }))).toMatchObject({ status: 400, body: { message: expect.stringContaining('Invalid pipeline YAML') } });
    expect(await post('/api/v1/pipelines', JSON.stringify({ spec: { name: 'x', steps: [{ name: 'a', command: 'true', inputs: { d: 'steps.zz.outputs.d' } }] } }))).toMatchObject({ status: 400, body: { message: expect.stringContaining("unknown step 'zz'") } });
    expect(await post('/api/v1/pipelines', JSON.stringify({}))).toMatchObject({ status: 400 });
    expect(await post('/api/v1/pipelines/nope/runs', JSON.stringify({ params: {} }))).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
    expect(await post('/api/v1/pipelines/nope/runs', JSON.stringify({ params: 'lr=1' }))).toMatchObject({ status: 400 });
    expect((await fetch(`${server.url}/api/v1/pipeline-runs/does-not-exist`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/v1/pipeline-runs?maxResults=0`)).status).toBe(400);
    expect((await fetch(`${server.url}/api/v1/pipeline-lineage?uri=..%2F..%2Fetc%2Fpasswd`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/v1/pipeline-lineage`)).status).toBe(400);
    expect(await post('/api/v1/pipeline-runs/x/steps/y/approve', '{}')).toMatchObject({ status: 404 });
    expect(await client.list()).toEqual([]);
  });

  it('runs through the client: put YAML, run with wait, get, list, lineage', async () => {
    const p = await client.putYaml('name: api-demo\nsteps:\n  - name: a\n    command: "echo hi > {{outputs.o}}"\n    outputs: { o: File }\n');
    expect(p.name).toBe('api-demo');
    const run = await client.run('api-demo', {}, { wait: true });
    expect(run.status).toBe('SUCCEEDED');
    expect((await client.getRun(run.runId)).steps![0]!.state).toBe('COMPLETE');
    expect((await client.listRuns({ pipeline: 'api-demo' })).map((r) => r.runId)).toEqual([run.runId]);
    const uri = run.steps![0]!.outputs![0]!.artifact.uri;
    const lineage = await client.lineage({ uri });
    expect(lineage.executions.map((e) => e.step)).toEqual(['a']);
  });
});

describe('capstan pipeline', () => {
  it('runs a YAML file with live progress, waits on approval, and is approved from the CLI with who and when', async () => {
    const running = cli(['pipeline', 'run', join(dir, 'demo.yaml'), '-p', 'greeting=hi']);
    let pending: Awaited<ReturnType<PipelinesClient['approvals']>> = [];
    for (let i = 0; i < 200 && pending.length === 0; i++) {
      pending = await client.approvals({ state: 'PENDING' });
      if (!pending.length) await new Promise((r) => setTimeout(r, 100));
    }
    expect(pending).toHaveLength(1);
    const listed = await cli(['pipeline', 'approvals', '--state', 'PENDING']);
    expect(listed.stdout).toContain('approve');
    const approved = await cli(['pipeline', 'approve', pending[0]!.runId, 'approve', '--by', 'carol', '-m', 'fine']);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toMatch(/APPROVED by carol/);
    const result = await running;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/say COMPLETE/);
    expect(result.stderr).toMatch(/approve WAITING/);
    expect(result.stdout).toMatch(/SUCCEEDED/);
    const again = await cli(['pipeline', 'reject', pending[0]!.runId, 'approve']);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already approved by carol/);
  }, 60_000);

  it('shows, lists, cancels, and reports lineage; a failing run exits 1', async () => {
    const shown = await cli(['pipeline', 'runs', '--pipeline', 'cli-demo']);
    expect(shown.stdout).toMatch(/cli-demo\s+SUCCEEDED/);
    const [listedRun] = await client.listRuns({ pipeline: 'cli-demo' });
    const run = await client.getRun(listedRun!.runId);
    const details = await cli(['pipeline', 'show', run!.runId]);
    expect(details.stdout).toMatch(/shout\s+COMPLETE/);
    const lineage = await cli(['pipeline', 'lineage', '--uri', run!.steps!.find((s) => s.step === 'shout')!.outputs![0]!.artifact.uri]);
    expect(lineage.stdout).toMatch(/step say \[COMPLETE\]/);
    const listed = await cli(['pipeline', 'list', '--json']);
    expect((JSON.parse(listed.stdout) as { pipelines: { name: string }[] }).pipelines.map((p) => p.name)).toContain('cli-demo');

    const started = await cli(['pipeline', 'run', 'cli-demo', '--no-wait', '--json']);
    const id = (JSON.parse(started.stdout) as { run: { runId: string } }).run.runId;
    const canceled = await cli(['pipeline', 'cancel', id]);
    expect(canceled.stdout).toMatch(/CANCELED/);

    await writeFile(join(dir, 'fail.yaml'), 'name: fails\nsteps:\n  - name: boom\n    command: "echo nope >&2; exit 4"\n');
    const failed = await cli(['pipeline', 'run', join(dir, 'fail.yaml')]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/FAILED: step 'boom' failed after 1 attempt\(s\).*exited with 4/);
    const bad = await cli(['pipeline', 'run', 'cli-demo', '-p', 'nonsense']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/expected --param key=value/);
  }, 60_000);

  it('prints and follows a step\'s logs (stdout and stderr), over HTTP with clear errors', async () => {
    await writeFile(join(dir, 'talk.yaml'), 'name: talk\nsteps:\n  - name: speak\n    cache: false\n    command: "for i in 1 2 3; do echo line $i; sleep 0.3; done; echo oops >&2"\n');
    const started = await cli(['pipeline', 'run', join(dir, 'talk.yaml'), '--no-wait', '--json']);
    const id = (JSON.parse(started.stdout) as { run: { runId: string } }).run.runId;
    let followed: Result | undefined;
    for (let i = 0; i < 100 && !followed; i++) {
      const r = await cli(['pipeline', 'logs', id, 'speak', '-f']);
      if (r.code === 0) followed = r;
      else await new Promise((res) => setTimeout(res, 100));
    }
    expect(followed!.stdout).toBe('line 1\nline 2\nline 3\noops\n');
    expect(followed!.stderr).toMatch(/speak attempt 1 of 1: COMPLETE/);
    const json = await cli(['pipeline', 'logs', id, 'speak', '--json']);
    expect(json.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { s: string }).s)).toEqual(['out', 'out', 'out', 'err']);
    const page = await fetch(`${server.url}/api/v1/pipeline-runs/${id}/steps/speak/logs?offset=2&limit=1`);
    expect(await page.json()).toMatchObject({ attempt: 1, attempts: [1], state: 'COMPLETE', next: 3, complete: false, lines: [{ s: 'out', l: 'line 3' }] });
    for (const [query, status] of [['offset=-1', 400], ['limit=100000', 400], ['attempt=0', 400], ['attempt=5', 404]] as const) {
      expect((await fetch(`${server.url}/api/v1/pipeline-runs/${id}/steps/speak/logs?${query}`)).status, query).toBe(status);
    }
    expect((await fetch(`${server.url}/api/v1/pipeline-runs/${id}/steps/ghost/logs`)).status).toBe(404);
    const unknown = await cli(['pipeline', 'logs', 'no-such-run', 'speak']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/not found/);
  }, 60_000);

  it('runs a compiled TypeScript pipeline module', async () => {
    const result = await cli(['pipeline', 'run', join(EXAMPLES, 'ts-pipeline.mjs'), '-p', 'n=4', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const run = (JSON.parse(result.stdout) as { run: { status: string; steps: { step: string; values?: Record<string, unknown> }[] } }).run;
    expect(run.status).toBe('SUCCEEDED');
    expect(run.steps.find((s) => s.step === 'powers')!.values).toEqual({ total: 14 });
  }, 60_000);
});
