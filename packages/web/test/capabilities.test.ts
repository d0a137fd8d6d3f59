import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataApi, PipelinesClient, ServingApi, Transport } from '@capstan/client';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCapstan } from '../../server/src/main.js';
import { makeModels, pythonMissing } from '../../server/test/serving/fixtures.js';
import { APPROVAL_PIPELINE, seedData, seedDeployments, seedMonitoring, seedPipeline } from './seed-capabilities.js';

const CHROMIUM = '/usr/bin/chromium';
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const DIST = join(REPO, 'packages/web/dist/index.html');
const SHOTS = join(REPO, 'ci-artifacts/screenshots');

const ready = existsSync(CHROMIUM);
const suite = ready ? describe : describe.skip;
const noPython = ready ? pythonMissing() : null;
const servingSuite = noPython ? describe.skip : describe;

/** Polls `check` until it returns a value that is not undefined (API-side confirmation of a UI action). */
async function until<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

suite(ready ? 'capability pages (deployments, monitoring, pipelines, data) in chromium against a real server' : `capability pages (skipped: ${CHROMIUM} is missing; install it with apt-get install -y chromium)`, () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof startCapstan>>;
  let browser: Browser;
  let page: Page;
  let serving: ServingApi;
  let data: DataApi;
  let pipelines: PipelinesClient;
  const pageErrors: string[] = [];

  const go = async (hash: string) => {
    await page.evaluate((h) => { location.hash = h; }, hash);
  };
  const shot = (name: string, fullPage = false) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });

  beforeAll(async () => {
    if (!existsSync(DIST)) throw new Error(`The UI is not built (${DIST} is missing): run npm run build first.`);
    mkdirSync(SHOTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'capstan-ui-cap-'));
    server = await startCapstan({ host: '127.0.0.1', port: 0, backendStoreUri: `sqlite:///${join(dir, 'capstan.db')}`, artifactsDestination: join(dir, 'artifacts') });
    serving = new ServingApi({ baseUrl: server.url });
    data = new DataApi({ baseUrl: server.url });
    pipelines = new PipelinesClient({ baseUrl: server.url });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', baseURL: server.url });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto('/');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    expect(pageErrors).toEqual([]);
  });

  it('shows empty lists with a hint, and unknown names as errors with the server\'s message', async () => {
    await go('/deployments');
    await page.getByText('No deployments yet').waitFor();
    await go('/monitoring');
    await page.getByText('No deployment is monitored yet').waitFor();
    await go('/data');
    await page.getByText('No datasets yet').waitFor();
    await go('/pipelines');
    await page.getByText('No pipelines yet').waitFor();
    for (const [hash, name] of [['/deployments/nope', 'nope'], ['/monitoring/nope-mon', 'nope-mon'], ['/data/nope-data', 'nope-data'], ['/pipeline-runs/nope-run', 'nope-run'], ['/alerts/nope-alert', 'nope-alert']] as const) {
      await go(hash);
      await page.getByRole('alert').filter({ hasText: name }).waitFor();
      await expect(page.getByRole('alert').textContent()).resolves.toMatch(/does not exist|not found|no such/i);
    }
    await go('/data/x/versions/1/oops');
    await page.getByText('No such page').waitFor();
  });

  describe('data', () => {
    beforeAll(async () => {
      await seedData(data);
    }, 120_000);

    it('lists datasets and a dataset\'s versions', async () => {
      await go('/data');
      const table = page.getByRole('table', { name: 'Datasets' });
      await table.getByRole('link', { name: 'customers' }).waitFor();
      await expect(table.getByRole('row', { name: /customers/ }).textContent()).resolves.toContain('Version 2');
      await shot('data-light');

      await table.getByRole('link', { name: 'customers' }).click();
      const versions = page.getByRole('table', { name: 'Dataset versions' });
      await versions.locator('tbody tr').first().waitFor();
      await expect(versions.locator('tbody tr').count()).resolves.toBe(2);
      await expect(versions.locator('tbody tr[data-version="2"]').textContent()).resolves.toContain('February export');
      await shot('dataset-light');
    });

    it('diffs two versions: added, removed and changed files with row counts and schema changes', async () => {
      await go('/data/customers');
      await page.getByRole('link', { name: 'Compare v1 → v2' }).click();
      await page.waitForURL(/\/data\/customers\/diff\?from=1&to=2/);
      const changed = page.getByRole('table', { name: 'Changed files' });
      await changed.waitFor();
      const csv = changed.locator('tr[data-path="customers.csv"]');
      await expect(csv.textContent()).resolves.toMatch(/400 → 520/);
      await expect(csv.textContent()).resolves.toContain('+ region');
      await expect(changed.locator('tr[data-path="README.md"]').textContent()).resolves.toContain('not a table');
      await expect(page.getByRole('table', { name: 'Removed files' }).textContent()).resolves.toContain('notes/old.txt');
      await shot('data-diff-light');
    });

    it('profiles a version: a card per column with histogram, null share and top values', async () => {
      await go('/data/customers/versions/2?tab=profile');
      const tenure = page.locator('.profile-card[data-column="tenure"]');
      await tenure.waitFor({ timeout: 60_000 });
      await expect(page.locator('.profile-card').count()).resolves.toBe(6);
      await expect(tenure.locator('svg rect').count()).resolves.toBeGreaterThan(3);
      const nulls = Number(await page.getByRole('meter', { name: 'Null share of spend' }).getAttribute('aria-valuenow'));
      expect(nulls).toBeGreaterThan(0);
      await expect(page.getByRole('table', { name: 'Top values of plan' }).textContent()).resolves.toContain('enterprise');
      await shot('data-profile-light');
    });

    it('shows the files of a version and its validation reports with the failing checks', async () => {
      await go('/data/customers/versions/1');
      const files = page.getByRole('table', { name: 'Files' });
      await files.waitFor();
      await expect(files.locator('tbody tr').count()).resolves.toBe(3);
      await page.getByRole('tab', { name: 'Validation' }).click();
      await page.waitForURL(/tab=validations/);
      await expect(page.locator('.report[data-suite="basic"] .badge').first().textContent()).resolves.toMatch(/passed/i);

      await go('/data/customers/versions/2?tab=validations');
      const report = page.locator('.report[data-suite="strict"]');
      await report.waitFor();
      await expect(report.locator('.report-head .badge').textContent()).resolves.toMatch(/failed/i);
      await expect(report.locator('tr.row-bad').count()).resolves.toBe(3);
      await shot('data-validation-light');
    });
  });

  describe('pipelines', () => {
    let runId: string;
    beforeAll(async () => {
      ({ runId } = await seedPipeline(pipelines));
    }, 120_000);

    it('lists pipelines with schedules and triggers, the waiting approval and recent runs', async () => {
      await go('/pipelines');
      const table = page.getByRole('table', { name: 'Pipelines' });
      await table.getByRole('link', { name: 'ship-model' }).waitFor();
      const row = table.getByRole('row', { name: /ship-model/ });
      await expect(row.textContent()).resolves.toContain('0 3 * * 1');
      await expect(row.textContent()).resolves.toContain('dataset_version.created');
      await page.locator('#approvals').getByRole('link', { name: 'review' }).waitFor();
      await expect(page.getByRole('table', { name: 'Pipeline runs' }).locator(`tr[data-run="${runId}"]`).textContent()).resolves.toMatch(/RUNNING/);
      await shot('pipelines-light');

      await go('/pipelines/ship-model');
      await page.locator('.dag [data-node="publish"]').waitFor();
      await expect(page.locator('.dag .dag-node').count()).resolves.toBe(APPROVAL_PIPELINE.steps.length);
      // prepare→shout, prepare→count, shout→review, count→review, review→publish, shout→publish (its input)
      await expect(page.locator('.dag .dag-edge').count()).resolves.toBe(6);
      await expect(page.getByRole('table', { name: 'Schedules and triggers' }).locator('tbody tr').count()).resolves.toBe(2);
      await shot('pipeline-light');
    });

    it('draws the run DAG with live states and step details, and approving from the UI lets the run finish', async () => {
      await go(`/pipeline-runs/${runId}`);
      await page.locator('.dag [data-node="review"][data-state="waiting"]').waitFor();
      await expect(page.locator('.dag [data-node="prepare"]').getAttribute('data-state')).resolves.toBe('complete');
      await expect(page.locator('.dag [data-node="publish"]').getAttribute('data-state')).resolves.toBe('pending');
      // keyboard: focus a node and open its details with Enter
      await page.locator('.dag [data-node="shout"]').focus();
      await page.keyboard.press('Enter');
      await page.waitForURL(/step=shout/);
      await expect(page.getByRole('table', { name: 'Outputs of shout' }).textContent()).resolves.toContain('loud');
      await shot('pipeline-run-waiting-light');

      const panel = page.getByRole('region', { name: 'Approval review' });
      await expect(panel.textContent()).resolves.toContain('Ship the loud greeting?');
      await panel.getByRole('textbox', { name: 'Approval comment' }).fill('looks right');
      await panel.getByRole('button', { name: 'Approve' }).click();
      const finished = await until(async () => {
        const r = await pipelines.getRun(runId);
        return ['SUCCEEDED', 'FAILED', 'CANCELED'].includes(r.status) ? r : undefined;
      }, 'the approved run to finish');
      expect(finished.status).toBe('SUCCEEDED');
      expect(finished.steps?.find((e) => e.step === 'publish')?.state).toBe('COMPLETE');
      const [approval] = await pipelines.approvals({ runId });
      expect(approval).toMatchObject({ state: 'APPROVED', comment: 'looks right' });
      // the page follows the run to its end by polling
      await page.locator('.dag [data-node="publish"][data-state="complete"]').waitFor();
      await page.locator('.page-title .badge', { hasText: 'SUCCEEDED' }).waitFor();
      await shot('pipeline-run-light');
      await go(`/pipeline-runs/${runId}?step=publish`);
      await page.locator('[data-step-log="publish"] pre', { hasText: 'HELLO' }).waitFor();
    });

    it('shows a step\'s output while it runs, and a failing step\'s stderr', async () => {
      const gate = join(tmpdir(), `capstan-ui-gate-${process.pid}-${Date.now()}`);
      await pipelines.put({ name: 'chatty', steps: [{ name: 'talk', cache: false, command: `echo first; while [ ! -f ${gate} ]; do sleep 0.1; done; echo second; echo broken >&2; exit 3` }] });
      const run = await pipelines.run('chatty', {});
      await go(`/pipeline-runs/${run.runId}?step=talk`);
      const log = page.locator('[data-step-log="talk"] pre');
      await log.getByText('first').waitFor();
      await expect(page.locator('[data-step-log="talk"]').textContent()).resolves.toContain('live');
      await expect(page.locator('.dag [data-node="talk"]').getAttribute('data-state')).resolves.toBe('running');
      await shot('pipeline-step-log-live-light');
      writeFileSync(gate, '');
      try {
        await log.locator('.log-err', { hasText: 'broken' }).waitFor({ timeout: 30_000 });
      } finally {
        rmSync(gate, { force: true });
      }
      await expect(log.textContent()).resolves.toBe('first\nsecond\nbroken\n');
      await page.locator('.dag [data-node="talk"][data-state="failed"]').waitFor();
      await expect(page.locator('[data-step-log="talk"]').textContent()).resolves.toContain('3 lines');
    });

    it('marks cache hits on a second run, and rejecting from the UI stops it', async () => {
      const second = await pipelines.run(APPROVAL_PIPELINE.name, {});
      await go(`/pipeline-runs/${second.runId}`);
      await page.locator('.dag [data-node="review"][data-state="waiting"]').waitFor({ timeout: 60_000 });
      for (const step of ['prepare', 'shout', 'count']) await expect(page.locator(`.dag [data-node="${step}"]`).getAttribute('data-state')).resolves.toBe('cached');
      await expect(page.locator('.dag [data-node="prepare"]').getAttribute('aria-label')).resolves.toContain('cache hit');
      await page.getByRole('region', { name: 'Approval review' }).getByRole('button', { name: 'Reject' }).click();
      const ended = await until(async () => {
        const r = await pipelines.getRun(second.runId);
        return ['SUCCEEDED', 'FAILED', 'CANCELED'].includes(r.status) ? r : undefined;
      }, 'the rejected run to end');
      expect(ended.status).not.toBe('SUCCEEDED');
      expect(ended.steps?.find((e) => e.step === 'publish')?.state ?? 'never ran').not.toBe('COMPLETE');
      await expect(pipelines.approvals({ runId: second.runId })).resolves.toMatchObject([{ state: 'REJECTED' }]);
    });

    it('draws the lineage of an artifact from a run output', async () => {
      await go(`/pipeline-runs/${runId}?step=prepare`);
      await page.getByRole('table', { name: 'Outputs of prepare' }).getByRole('link', { name: 'Lineage' }).click();
      await page.waitForURL(/#\/lineage\?uri=/);
      await page.getByRole('group', { name: 'Lineage graph' }).waitFor();
      // downstream of prepare's output: shout and count read it (in both runs)
      await page.locator('.dag [data-node^="e"]', { hasText: 'shout' }).first().waitFor();
      expect(await page.locator('.dag .dag-node').count()).toBeGreaterThanOrEqual(3);
      await shot('lineage-light');
    });
  });

  servingSuite(noPython ? `deployments (skipped: ${noPython})` : 'deployments with real ONNX models', () => {
    beforeAll(async () => {
      await makeModels(server.url, dir);
      await seedDeployments(serving);
    }, 400_000);

    it('lists deployments with what they serve and the running canary', async () => {
      await go('/deployments');
      const table = page.getByRole('table', { name: 'Deployments' });
      await table.getByRole('link', { name: 'churn-api' }).waitFor();
      await expect(table.getByRole('row').count()).resolves.toBe(3);
      await expect(table.getByRole('row', { name: /churn-canary/ }).textContent()).resolves.toMatch(/running/i);
      await expect(table.getByRole('row', { name: /churn-api/ }).textContent()).resolves.toContain('churn/v2 100%');
      await shot('deployments-light');
    });

    it('draws the traffic split, live charts of request rate, latency and errors, and the history', async () => {
      await go('/deployments/churn-api');
      await page.locator('.traffic-seg').first().waitFor();
      await expect(page.locator('.traffic-seg').count()).resolves.toBe(1);
      await expect(page.locator('.traffic-seg').getAttribute('aria-label')).resolves.toBe('churn/v2 100%');
      for (const chart of ['request rate', 'latency', 'errors']) await page.locator(`[data-chart="${chart}"][data-rendered="true"]`).waitFor();
      const points = Number(await page.locator('[data-chart="request rate"]').getAttribute('data-points'));
      expect(points).toBeGreaterThan(0);
      // both versions have traffic in the window: one line each
      await expect(page.locator('[data-chart="request rate"] .u-legend .u-series').count()).resolves.toBe(3);
      const history = page.getByRole('table', { name: 'Deployment history' });
      await expect(history.locator('tbody tr').count()).resolves.toBe(2);
      await expect(history.locator('tbody tr').first().textContent()).resolves.toMatch(/update/);
      await shot('deployment-light');
    });

    it('shows a running canary with its steps, thresholds and the shadow', async () => {
      await go('/deployments/churn-canary');
      await page.getByRole('list', { name: 'Canary steps' }).waitFor();
      await expect(page.locator('.canary-step').count()).resolves.toBe(3);
      await expect(page.locator('.canary-step[aria-current="step"]').textContent()).resolves.toContain('10%');
      await expect(page.locator('#canary').textContent()).resolves.toMatch(/5% errors or p99 500 ms/);
      await expect(page.locator('.traffic-seg').count()).resolves.toBe(2);
      await page.locator('.traffic-shadow[data-shadow="2"]').waitFor();
      await page.getByRole('button', { name: 'Promote canary…' }).waitFor();
      await shot('deployment-canary-light');
    });

    it('rolls a deployment back from the UI after the confirmation, and the API serves the previous version', async () => {
      await go('/deployments/churn-api');
      await page.getByRole('button', { name: 'Roll back…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Roll back' });
      await dialog.waitFor();
      await expect(dialog.textContent()).resolves.toMatch(/churn\/v2 100%.*revision 1.*churn\/v1 100%/s);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      expect((await serving.get('churn-api')).deployment.spec.variants[0]?.version).toBe('2');

      await page.getByRole('button', { name: 'Roll back…' }).click();
      await dialog.getByRole('textbox').fill('v2 too slow');
      await dialog.locator('[data-confirm="rollback"]').click();
      await page.getByRole('status').filter({ hasText: 'Rolled back' }).waitFor();
      const after = (await serving.get('churn-api')).deployment;
      expect(after.spec.variants.map((v) => `${v.model}/${v.version}/${v.weight}`)).toEqual(['churn/1/100']);
      expect(after.revision).toBe(3);
      await page.locator('.traffic-seg[aria-label="churn/v1 100%"]').waitFor();
      await page.getByRole('table', { name: 'Deployment history' }).locator('tbody tr[data-revision="3"]', { hasText: 'v2 too slow' }).waitFor();
      await expect(page.locator('.traffic-seg').count()).resolves.toBe(1);
    });

    it('promotes a running canary from the UI', async () => {
      await go('/deployments/churn-canary');
      await page.getByRole('button', { name: 'Promote canary…' }).click();
      await page.locator('[data-confirm="promote"]').click();
      await page.getByRole('status').filter({ hasText: 'Promoted' }).waitFor();
      const d = (await serving.get('churn-canary')).deployment;
      expect(d.spec.canary?.status).toBe('promoted');
      expect(d.spec.variants.find((v) => v.weight === 100)?.version).toBe('2');
    });

    describe('monitoring', () => {
      let deployment: string;
      let seededUntil: number;
      beforeAll(async () => {
        const native = new Transport({ baseUrl: server.url, apiPrefix: '/api/v1' });
        ({ deployment, until: seededUntil } = await seedMonitoring(serving, (route, input) => native.call(route as never, input as never)));
      }, 120_000);

      it('lists monitors and the alerts that fired', async () => {
        await go('/monitoring');
        await page.getByRole('table', { name: 'Monitors' }).getByRole('link', { name: deployment }).waitFor();
        const alerts = page.getByRole('table', { name: 'Alerts' });
        await alerts.locator('tbody tr').first().waitFor();
        await expect(alerts.textContent()).resolves.toContain('dataset_drift_share');
        await shot('monitoring-light');
      });

      it('draws drift per feature over time as a heat map, a feature against the reference, and performance with label arrival', async () => {
        // pinned to the seeded traffic, so the windows do not scroll away however long the suite takes
        await go(`/monitoring/${deployment}?windows=12&until=${seededUntil}`);
        const heat = page.getByRole('table', { name: 'Drift per feature and window' });
        await heat.waitFor();
        for (const f of ['plan', 'spend', 'tenure', '(prediction)']) await heat.locator(`tr[data-feature="${f}"]`).waitFor();
        const drifted = heat.locator('tr[data-feature="tenure"] td[data-drift="yes"]');
        await drifted.first().waitFor();
        await expect(heat.locator('td[data-drift="no"]').count()).resolves.toBeGreaterThan(0);
        await drifted.last().getByRole('button').click();
        await page.waitForURL(/feature=tenure&at=\d+/);
        expect(new URLSearchParams(page.url().split('?')[1]).get('until')).toBe(String(seededUntil));
        const hist = page.getByRole('figure', { name: 'Distribution of tenure: current vs reference' });
        await hist.waitFor();
        await expect(hist.locator('rect.hist-outline').count()).resolves.toBe(20);
        await page.locator('[data-chart="drift score tenure"][data-rendered="true"]').waitFor();
        await page.locator('[data-chart="performance"][data-rendered="true"]').waitFor();
        await page.locator('[data-chart="label arrival"][data-rendered="true"]').waitFor();
        expect(Number(await page.locator('[data-chart="label arrival"]').getAttribute('data-points'))).toBeGreaterThan(0);
        await expect(page.locator('#performance').textContent()).resolves.toMatch(/\d+ of \d+ predictions labelled/);
        await shot('monitor-light', true);
      });

      it('shows an alert with its evidence', async () => {
        await go('/monitoring');
        await page.getByRole('table', { name: 'Alerts' }).locator('tbody tr', { hasText: 'dataset_drift_share' }).locator('a[href^="#/alerts/"]').click();
        await page.waitForURL(/#\/alerts\//);
        const columns = page.getByRole('table', { name: 'Drifted columns' });
        await columns.waitFor();
        await expect(columns.textContent()).resolves.toContain('tenure');
        await expect(page.locator('#evidence').textContent()).resolves.toMatch(/dataset_drift_share = [\d.]+ ≥ 0.3/);
        await shot('alert-light');
        await page.getByRole('link', { name: 'Open monitor at this time' }).click();
        await page.getByRole('table', { name: 'Drift per feature and window' }).locator('td[data-drift="yes"]').first().waitFor();
      });

      it('fits the 1024 px minimum width without horizontal scrolling', async () => {
        await page.setViewportSize({ width: 1024, height: 768 });
        try {
          const [run] = await pipelines.listRuns({ pipeline: APPROVAL_PIPELINE.name, status: 'SUCCEEDED' });
          const pages: [string, string][] = [
            ['/deployments', 'table[aria-label="Deployments"]'],
            ['/deployments/churn-canary', '[data-chart="errors"][data-rendered="true"]'],
            [`/monitoring/${deployment}?windows=12&until=${seededUntil}&feature=tenure`, '[data-chart="label arrival"][data-rendered="true"]'],
            [`/pipeline-runs/${run!.runId}?step=shout`, '.dag [data-node="publish"]'],
            ['/data/customers/versions/2?tab=profile', '.profile-card[data-column="tenure"]'],
            ['/data/customers/diff?from=1&to=2', 'table[aria-label="Changed files"]'],
          ];
          for (const [hash, ready] of pages) {
            await go(hash);
            await page.locator(ready).first().waitFor();
            const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
            expect(overflow, hash).toBeLessThanOrEqual(0);
          }
          await go('/deployments/churn-canary');
          await page.locator('[data-chart="errors"][data-rendered="true"]').waitFor();
          await shot('deployment-1024');
        } finally {
          await page.setViewportSize({ width: 1280, height: 800 });
        }
      });

      it('renders the new pages in the dark theme (system preference)', async () => {
        await page.emulateMedia({ colorScheme: 'dark' });
        try {
          await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
          await go(`/monitoring/${deployment}?windows=12&until=${seededUntil}&feature=tenure`);
          await page.locator('[data-chart="performance"][data-rendered="true"]').waitFor();
          await shot('monitor-dark');
          await go('/deployments/churn-canary');
          await page.locator('[data-chart="request rate"][data-rendered="true"]').waitFor();
          await shot('deployment-dark');
          const [run] = await pipelines.listRuns({ pipeline: APPROVAL_PIPELINE.name, status: 'SUCCEEDED' });
          await go(`/pipeline-runs/${run!.runId}?step=shout`);
          await page.locator('.dag [data-node="publish"][data-state="complete"]').waitFor();
          await shot('pipeline-run-dark');
          await go('/data/customers/versions/2?tab=profile');
          await page.locator('.profile-card[data-column="tenure"]').waitFor();
          await shot('data-profile-dark');
        } finally {
          await page.emulateMedia({ colorScheme: 'light' });
          await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
        }
      });
    });
  });
});
