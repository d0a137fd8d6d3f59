import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng, type Columns } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The project's Python venv (scikit-learn, pandas); CI always creates it. */
export const PYTHON = join(here, '../../../.venv/bin/python');
export const HAS_PYTHON = existsSync(PYTHON);

export interface RefModel {
  metrics: Record<string, number>;
  fit_seconds: number;
  predictions: number[][] | number[] | null;
}
export interface RefDataset {
  task: 'classification' | 'regression';
  label: string;
  train: Columns;
  test: Columns;
  models: Record<string, RefModel>;
}
export interface Reference {
  sklearn_version: string;
  datasets: Record<string, RefDataset>;
}

/** Runs the scikit-learn reference script once (cached in the temp dir by script hash). */
export function sklearnReference(): Reference {
  const script = join(here, 'python/sklearn_reference.py');
  const hash = createHash('sha256').update(readFileSync(script)).digest('hex').slice(0, 16);
  const out = join(tmpdir(), `capstan-train-sklearn-${hash}.json`);
  if (!existsSync(out)) {
    const partial = `${out}.${process.pid}.tmp`;
    execFileSync(PYTHON, [script, partial], { stdio: 'inherit', timeout: 300_000 });
    renameSync(partial, out);
  }
  return JSON.parse(readFileSync(out, 'utf8')) as Reference;
}

/** A seeded synthetic table with numeric, missing and categorical columns and three label kinds. */
export function syntheticTable(n: number, seed: number): Columns {
  const rng = new Rng(seed);
  const cities = ['north', 'south', 'east', 'west'];
  const x0: (number | null)[] = [];
  const x1: number[] = [];
  const x2: (number | null)[] = [];
  const city: (string | null)[] = [];
  const plan: string[] = [];
  const yBin: number[] = [];
  const yMulti: string[] = [];
  const yReg: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = rng.normal() * 3 + 10;
    const b = rng.normal();
    const c = rng.random() * 100;
    const ci = rng.int(4);
    const pi = rng.int(2);
    const z = (a - 10) / 3 - b + 0.02 * (c - 50) + [0, 1, -1, 2][ci]! + (pi ? 0.7 : -0.7) + rng.normal() * 0.5;
    x0.push(rng.random() < 0.1 ? null : a);
    x1.push(b);
    x2.push(rng.random() < 0.05 ? null : c);
    city.push(rng.random() < 0.03 ? null : cities[ci]!);
    plan.push(pi ? 'pro' : 'basic');
    yBin.push(z > 0 ? 1 : 0);
    yMulti.push(z < -1 ? 'low' : z < 1 ? 'mid' : 'high');
    yReg.push(3 * z + rng.normal());
  }
  return { x0, x1, x2, city, plan, yBin, yMulti, yReg };
}
