/**
 * The monitoring commands of the `capstan` CLI (packages/cli/dist/bin.js, built by `tsc -b`)
 * against a real server: monitor create/reference/rule/evaluate/drift/performance/show,
 * feedback send from a CSV file, alerts list, webhooks add/list/remove, and their errors.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CapstanClient, ServingApi } from '@capstan/client';
import { logModel, train } from '@capstan/train';
import { startCapstan } from '../../../src/main.js';
import { seededRandom } from '../../support/random.js';

const BIN = fileURLToPath(new URL('../../../../cli/dist/bin.js', import.meta.url));
const suite = existsSync(BIN) ? describe : describe.skip;

function dataset(n: number, seed: number) {
  const rand = seededRandom(seed);
  const plan: string[] = [], tenure: (number | null)[] = [], spend: number[] = [], churn: string[] = [];
  for (let i = 0; i < n; i++) {
    const p = ['basic', 'pro', 'team'][Math.floor(rand() * 3)]!;
    const t = rand() * 40;
    plan.push(p);
    tenure.push(i % 17 === 0 ? null : t);
    spend.push(rand() * 100);
    churn.push((p === 'basic' ? 0.3 : 0) + (t < 10 ? 0.4 : 0) + rand() * 0.5 > 0.6 ? 'yes' : 'no');
  }
  return { plan, tenure, spend, churn };
}

suite(`capstan monitor, feedback, alerts, webhooks${existsSync(BIN) ? '' : ' (skipped: build packages/cli first)'}`, () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof startCapstan>>;
  const sent: { id: string; row: number; label: string; predicted: string }[] = [];

  const cli = (args: string[]) => new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, CAPSTAN_TRACKING_URI: server.url };
    delete env.MLFLOW_TRACKING_URI;
    delete env.CAPSTAN_TRACKING_TOKEN;
    delete env.MLFLOW_TRACKING_TOKEN;
    delete env.MLFLOW_TRACKING_USERNAME;
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  const json = async <T>(args: string[]): Promise<T> => {
    const r = await cli([...args, '--json']);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as T;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'capstan-monitor-cli-'));
    server = await startCapstan({
      host: '127.0.0.1', port: 0, backendStoreUri: `sqlite:///${join(dir, 'capstan.db')}`, artifactsDestination: join(dir, 'artifacts'),
      serving: { syncIntervalMs: 0, canaryIntervalMs: 0 }, monitoring: { evaluateIntervalMs: 0 },
    });
    const training = dataset(400, 1);
    const client = new CapstanClient({ baseUrl: server.url });
    const model = train({ data: training, label: 'churn', kind: 'logistic_regression', seed: 3 });
    const run = await client.runs.create(undefined, { run_name: 'churn' });
    await logModel(client, model, { runId: run.info.run_id, registeredModelName: 'churn' });
    await new ServingApi({ baseUrl: server.url }).create('churn', { variants: [{ modelUri: 'models:/churn/1' }] });
    const csv = ['plan,tenure,spend,target', ...training.plan.map((p, i) => `${p},${training.tenure[i] ?? ''},${training.spend[i]},${training.churn[i]}`)].join('\n');
    writeFileSync(join(dir, 'reference.csv'), `${csv}\n`);
    const live = dataset(120, 2);
    for (let i = 0; i < 120; i += 10) {
      const records = live.plan.slice(i, i + 10).map((_, k) => ({ plan: live.plan[i + k], tenure: live.tenure[i + k], spend: live.spend[i + k] }));
      const res = await fetch(`${server.url}/deployments/churn/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dataframe_records: records }) });
      const id = res.headers.get('x-capstan-prediction-id')!;
      ((await res.json()) as { predictions: { label: string }[] }).predictions.forEach((p, k) => sent.push({ id, row: k, label: live.churn[i + k]!, predicted: p.label }));
    }
    for (;;) {
      const res = await fetch(`${server.url}/api/v1/deployments/churn/predictions?limit=100`);
      if (((await res.json()) as { predictions: unknown[] }).predictions.length >= 12) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('creates a monitor, sets the reference from a CSV file, shows drift and segments', async () => {
    const bad = await cli(['monitor', 'create', 'churn', '--task', 'ranking']);
    expect([bad.code, bad.stderr]).toEqual([1, "capstan: INVALID_PARAMETER_VALUE: --task must be classification or regression, got 'ranking'.\n"]);
    expect((await cli(['monitor', 'create', 'churn', '--task', 'classification', '--window', 'soon'])).stderr).toMatch(/'soon' is not a duration/);
    const { monitor } = await json<{ monitor: { windowMs: number; segmentColumns: string[] } }>(['monitor', 'create', 'churn', '--task', 'classification', '--positive-class', 'yes', '--segment', 'plan', '--window', '1d']);
    expect(monitor).toMatchObject({ windowMs: 86_400_000, segmentColumns: ['plan'] });
    const ref = await cli(['monitor', 'reference', 'churn', join(dir, 'reference.csv')]);
    expect(ref.code, ref.stderr).toBe(0);
    expect(ref.stdout).toMatch(/^Reference of 'churn': 400 rows, features plan, spend, tenure\./);
    const noFile = await cli(['monitor', 'reference', 'churn']);
    expect(noFile.stderr).toMatch(/Give either a FILE of reference rows or --since/);
    const heat = await cli(['monitor', 'drift', 'churn', '--since', '2d']);
    expect(heat.code, heat.stderr).toBe(0);
    expect(heat.stdout).toMatch(/^column\s+\d\d-\d\d/);
    for (const row of ['rows', 'dataset drift', 'plan', 'spend', 'tenure']) expect(heat.stdout).toMatch(new RegExp(`\\n${row}\\s`));
    const seg = await json<{ segments: { value: string; rows: number }[]; otherRows: number }>(['monitor', 'drift', 'churn', '--segment', 'plan', '--since', '2d']);
    expect(seg.segments.reduce((s, v) => s + v.rows, 0) + seg.otherRows).toBe(120);
    const show = await cli(['monitor', 'show', 'churn']);
    expect(show.stdout).toMatch(/reference:\s+400 rows from rows/);
  });

  it('sends feedback from a CSV file (an unknown id refuses the file) and shows the accuracy', async () => {
    writeFileSync(join(dir, 'bad.csv'), `predictionId,row,label\n${sent[0]!.id},0,yes\nno-such-id,0,no\n`);
    const bad = await cli(['feedback', 'send', join(dir, 'bad.csv')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Unknown prediction id\(s\), nothing was stored: no-such-id/);
    writeFileSync(join(dir, 'labels.csv'), `predictionId,row,label\n${sent.map((s) => `${s.id},${s.row},${s.label}`).join('\n')}\n`);
    expect(await json(['feedback', 'send', join(dir, 'labels.csv')])).toEqual({ created: 120, updated: 0 });
    const perf = await json<{ windows: { labeledRows: number; metrics: { accuracy: number | null } }[] }>(['monitor', 'performance', 'churn', '--since', '2d']);
    const labeled = perf.windows.reduce((s, w) => s + w.labeledRows, 0);
    const correct = perf.windows.reduce((s, w) => s + (w.metrics.accuracy ?? 0) * w.labeledRows, 0);
    expect(labeled).toBe(120);
    expect(correct / labeled).toBeCloseTo(sent.filter((s) => s.label === s.predicted).length / 120, 9);
    const text = await cli(['monitor', 'performance', 'churn', '--since', '2d']);
    expect(text.stdout).toMatch(/window\s+rows\s+labels\s+accuracy/);
  });

  it('adds a rule, evaluates it, lists the alert; manages webhooks', async () => {
    expect((await cli(['monitor', 'rule', 'churn', '--metric', 'rows', '--when', 'lots'])).stderr).toMatch(/--when must be a comparison and a number/);
    const { rule } = await json<{ rule: { id: string; name: string } }>(['monitor', 'rule', 'churn', '--metric', 'rows', '--when', '>=100', '--window', '2d', '--severity', 'info']);
    expect(rule.name).toBe('rows ≥ 100');
    const { alerts } = await json<{ alerts: { id: string; value: number }[] }>(['monitor', 'evaluate', 'churn']);
    expect(alerts.map((a) => a.value)).toEqual([120]);
    const listed = await cli(['alerts', 'list', '--deployment', 'churn']);
    expect(listed.stdout).toContain(alerts[0]!.id);
    expect(listed.stdout).toMatch(/churn: rows = 120 ≥ 100/);
    const { webhook } = await json<{ webhook: { id: string; secret: string; events: string[] } }>(['webhooks', 'add', 'http://127.0.0.1:9/hook', '--event', 'drift.alert']);
    expect(webhook.secret).toMatch(/^[0-9a-f]{48}$/);
    expect((await json<{ webhooks: { id: string; secret?: string }[] }>(['webhooks', 'list'])).webhooks).toEqual([expect.not.objectContaining({ secret: expect.anything() })]);
    expect((await cli(['webhooks', 'remove', webhook.id])).stdout).toBe(`Removed webhook ${webhook.id}.\n`);
    const again = await cli(['webhooks', 'remove', webhook.id]);
    expect([again.code, again.stderr]).toEqual([1, `capstan: RESOURCE_DOES_NOT_EXIST: Webhook '${webhook.id}' does not exist.\n`]);
  });
});
