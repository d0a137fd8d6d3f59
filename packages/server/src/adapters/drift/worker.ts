/**
 * The drift worker thread's entry: computes `computeDrift` for the columns it is sent and posts
 * the report back (or the error's code and message). See `parallel.ts`.
 */
import { parentPort } from 'node:worker_threads';
import { isCapstanError } from '@capstan/api';
import { computeDrift } from '../../core/monitoring/drift/index.js';
import type { Column, DriftOptions } from '../../core/monitoring/drift/types.js';

parentPort?.on('message', (m: { id: number; reference: Column[]; current: Column[]; options: DriftOptions }) => {
  try {
    parentPort!.postMessage({ id: m.id, report: computeDrift(m.reference, m.current, m.options) });
  } catch (e) {
    parentPort!.postMessage({ id: m.id, error: { message: e instanceof Error ? e.message : String(e), code: isCapstanError(e) ? e.code : null } });
  }
});
