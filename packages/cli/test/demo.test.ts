/**
 * `capstan demo --quick` end to end, as CI runs it: every stage of the lifecycle must happen,
 * and the summary must say so with numbers.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'capstan-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Summary {
  dataVersions: number;
  pipelineRuns: { trigger: string; status: string }[];
  modelVersions: string[];
  champion: string;
  replay: { days: number; requests: number; failed: number; labelsSent: number };
  accuracyByVersion: Record<string, { labeled: number; accuracy: number }>;
  alerts: { rule: string; summary: string; columns: string[] }[];
  canaries: { candidate: string; outcome: string }[];
  shadowTrials: { candidate: string; champion: string; days: number; candidateAccuracy: number; championAccuracy: number }[];
  monitoring?: { driftWindows: number; driftedWindows: number; performance: { accuracy: number | null }[] };
}

describe('capstan demo --quick', () => {
  it('runs data → validation → tuned training → gate → register → deploy → traffic → alerts → retraining → shadow trial → canary', async () => {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, 'demo', '--quick', '--json', '--dir', join(dir, 'demo')], { timeout: 420_000, maxBuffer: 32 * 1024 * 1024, env: { ...process.env, CAPSTAN_TRACKING_URI: '', MLFLOW_TRACKING_URI: '' } });
    const s = JSON.parse(stdout) as Summary;
    expect(stderr).toContain('Summary');
    expect(s.replay.days).toBe(365);
    expect(s.replay.failed).toBe(0);
    expect(s.replay.labelsSent).toBeGreaterThan(300);
    expect(s.dataVersions).toBeGreaterThanOrEqual(6);
    expect(s.pipelineRuns[0]).toMatchObject({ trigger: 'api', status: 'SUCCEEDED' });
    expect(s.pipelineRuns.some((r) => r.trigger === 'event' && r.status === 'SUCCEEDED')).toBe(true);
    expect(s.alerts.some((a) => a.rule === 'dataset_drift_share' && a.columns.length > 0)).toBe(true);
    expect(s.modelVersions.length).toBeGreaterThanOrEqual(2);
    expect(s.canaries.length).toBeGreaterThanOrEqual(1);
    expect(['promoted', 'rolled_back', 'rejected']).toContain(s.canaries[0]!.outcome);
    expect(s.shadowTrials.length).toBeGreaterThanOrEqual(1);
    expect(s.shadowTrials[0]!.days).toBeGreaterThanOrEqual(25);
    expect(s.modelVersions).toContain(s.champion);
    const v1 = s.accuracyByVersion[s.modelVersions[0]!]!;
    expect(v1.labeled).toBeGreaterThan(100);
    expect(v1.accuracy).toBeGreaterThan(0.6);
    expect(s.monitoring!.driftWindows).toBeGreaterThan(0);
    expect(s.monitoring!.performance.some((p) => p.accuracy !== null)).toBe(true);
  }, 480_000);
});
