import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's Python virtual environment (created by `.ci/run`). */
export const PYTHON = fileURLToPath(new URL('../../../../.venv/bin/python', import.meta.url));

/** Why the Python-backed serving tests cannot run here, or null when they can. */
export function pythonMissing(): string | null {
  if (!existsSync(PYTHON)) return 'no .venv (run .ci/run or create it from tests/python/requirements.txt)';
  const probe = spawnSync(PYTHON, ['-c', 'import mlflow, skl2onnx, onnxruntime, sklearn'], { encoding: 'utf8' });
  return probe.status === 0 ? null : `the .venv lacks mlflow/skl2onnx/onnxruntime: ${probe.stderr.slice(-300)}`;
}

/** What make_models.py registered and what Python's onnxruntime answered. */
export interface Expected {
  churn: { inputs: number[][]; versions: Record<string, { label: number[]; probabilities: number[][]; sklearn_proba: number[][] }> };
  mixed: { records: Record<string, unknown>[]; label: number[]; probabilities: number[][] };
}

/**
 * Trains, converts (skl2onnx), logs and registers the fixture models on the server at `url`
 * with the real mlflow client (asynchronously: the server runs in this process); returns Python onnxruntime's outputs for the test inputs.
 */
export async function makeModels(url: string, dir: string): Promise<Expected> {
  const out = join(dir, 'expected.json');
  const script = fileURLToPath(new URL('./fixtures/make_models.py', import.meta.url));
  try {
    await promisify(execFile)(PYTHON, [script, out], {
      env: { ...process.env, MLFLOW_TRACKING_URI: url, GIT_PYTHON_REFRESH: 'quiet', MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR: 'false' },
      timeout: 300_000, maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    throw new Error(`make_models.py failed (${e.code}):\n${e.stdout}\n${e.stderr}`);
  }
  return JSON.parse(readFileSync(out, 'utf8')) as Expected;
}
