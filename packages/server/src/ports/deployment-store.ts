import type { Deployment, DeploymentAction, DeploymentChange, DeploymentSpec, PredictionRecord } from '../core/serving/model.js';

/** A query over logged predictions. */
export interface PredictionQuery {
  deployment: string;
  /** Inclusive lower bound on time (ms since epoch). */
  since?: number;
  /** Exclusive upper bound on time. */
  until?: number;
  includeShadow?: boolean;
  limit: number;
}

/** The light part of a logged prediction, for traffic charts. */
export interface PredictionTiming {
  time: number;
  version: string;
  latencyMs: number;
  ok: boolean;
  shadow: boolean;
}

/**
 * Where deployments, their change history and the prediction log are kept. Every
 * implementation passes `test/contract/deployment-store.ts`.
 */
export interface DeploymentStore {
  /**
   * Creates a deployment with its first history entry (revision 1, or one past the history of
   * a deleted deployment of the same name, which is kept). @throws RESOURCE_ALREADY_EXISTS
   */
  create(input: { name: string; spec: DeploymentSpec; user: string; time: number; summary: string }): Promise<Deployment>;
  get(name: string): Promise<Deployment | null>;
  list(): Promise<Deployment[]>;
  /**
   * Replaces the spec if the stored revision is still `expectedRevision` (so concurrent
   * replicas cannot overwrite each other) and appends a history entry; null when it was not.
   * @throws RESOURCE_DOES_NOT_EXIST
   */
  update(input: { name: string; expectedRevision: number; spec: DeploymentSpec; user: string; time: number; action: DeploymentAction; summary: string }): Promise<Deployment | null>;
  /** Deletes a deployment (its history and prediction log stay). @throws RESOURCE_DOES_NOT_EXIST */
  delete(name: string, user: string, time: number): Promise<void>;
  /** A deployment's changes, newest first. */
  history(name: string, limit: number): Promise<DeploymentChange[]>;
  /** Appends logged predictions in one write. */
  insertPredictions(records: PredictionRecord[]): Promise<void>;
  /** Logged predictions of a deployment, oldest first within the window. */
  predictions(query: PredictionQuery): Promise<PredictionRecord[]>;
  /** Time, version, latency and outcome of logged predictions in a window (no payloads), oldest first. */
  predictionTimings(query: PredictionQuery): Promise<PredictionTiming[]>;
  /** Looks up logged predictions by id (for ground-truth joins). */
  predictionsById(ids: string[]): Promise<PredictionRecord[]>;
}
