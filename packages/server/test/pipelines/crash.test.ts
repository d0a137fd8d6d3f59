import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { startCapstan } from '../../src/main.js';
import { waitFor } from '../contract/executor.js';

const dir = mkdtempSync(join(tmpdir(), 'capstan-crash-'));
const children: ReturnType<typeof spawn>[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});
const DIST_MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

it('a server killed with SIGKILL mid-run: the restarted server resumes the run', async () => {
  const config = { host: '127.0.0.1', port: 0, backendStoreUri: `sqlite:///${join(dir, 'db.sqlite')}`, artifactsDestination: join(dir, 'artifacts'), pipelines: { heartbeatMs: 200, staleAfterMs: 1000 } };
  const script = `const { startCapstan } = await import(${JSON.stringify(DIST_MAIN)}); const s = await startCapstan(${JSON.stringify(config)}); console.log(s.url);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const url = await new Promise<string>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
  const marker = join(dir, 'steps.log');
  const spec = {
    name: 'crashy',
    steps: [
      { name: 'first', cache: false, outputs: { out: 'File' }, command: `echo first >> ${marker}; echo 1 > {{outputs.out}}` },
      { name: 'second', cache: false, inputs: { x: 'steps.first.outputs.out' }, outputs: { out: 'File' }, command: `echo second >> ${marker}; sleep 2; cat {{inputs.x}} > {{outputs.out}}` },
    ],
  };
  expect((await fetch(`${url}/api/v1/pipelines`, { method: 'POST', body: JSON.stringify({ spec }) })).status).toBe(200);
  const { run } = (await (await fetch(`${url}/api/v1/pipelines/crashy/runs`, { method: 'POST', body: '{}' })).json()) as { run: { runId: string } };
  await waitFor(async () => existsSync(marker) && readFileSync(marker, 'utf8').includes('second'));
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  const restarted = await startCapstan(config);
  try {
    let status = '';
    await waitFor(async () => {
      const body = (await (await fetch(`${restarted.url}/api/v1/pipeline-runs/${run.runId}`)).json()) as { run: { status: string } };
      status = body.run.status;
      return status === 'SUCCEEDED' || status === 'FAILED';
    }, 30_000);
    expect(status).toBe('SUCCEEDED');
    expect(readFileSync(marker, 'utf8').trim().split('\n')).toEqual(['first', 'second', 'second']);
    const { run: done } = (await (await fetch(`${restarted.url}/api/v1/pipeline-runs/${run.runId}`)).json()) as { run: { steps: { step: string; attempt: number; state: string }[] } };
    expect(done.steps.map((s) => [s.step, s.attempt, s.state])).toEqual([['first', 1, 'COMPLETE'], ['second', 1, 'FAILED'], ['second', 2, 'COMPLETE']]);
  } finally {
    await restarted.close();
  }
}, 60_000);
