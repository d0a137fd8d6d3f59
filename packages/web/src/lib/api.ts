import { CapstanClient, DataApi, PipelinesClient, ServingApi, Transport, artifactUrlPath, isCapstanError } from '@capstan/client';
import { fetchAsUser } from './identity';

/** The API client of the UI: the page's own origin, through the `/ajax-api` prefix MLflow's UI uses. */
export const client = new CapstanClient({ baseUrl: '', apiPrefix: '/ajax-api/2.0', retries: 1, fetch: fetchAsUser });

/** Deployments on the native API (`/api/v1/deployments`). */
export const serving = new ServingApi({ baseUrl: '', retries: 1, fetch: fetchAsUser });

/** Versioned datasets on the native API (`/api/v1/datasets`). */
export const data = new DataApi({ baseUrl: '', retries: 1, fetch: fetchAsUser });

/** Pipelines, runs, approvals and lineage on the native API. */
export const pipelines = new PipelinesClient({ baseUrl: '', retries: 1, fetch: fetchAsUser });

/** The native API's transport (`/api/v1`), for contracts that have no client class. */
export const native = new Transport({ baseUrl: '', apiPrefix: '/api/v1', retries: 1, fetch: fetchAsUser });

/** URL of a file in the artifact proxy, for `<img src>` and download links. */
export function artifactUrl(storePath: string): string {
  return `${client.transport.apiUrl}/mlflow-artifacts/artifacts/${artifactUrlPath(storePath)}`;
}

/** A failure as the UI shows it: the server's error code (when there is one) and its message. */
export interface Problem {
  code?: string;
  message: string;
}

/** Turns anything thrown into a {@link Problem}. */
export function problemOf(error: unknown): Problem {
  if (isCapstanError(error)) return { code: error.code, message: error.message };
  if (error instanceof Error) return { message: error.message };
  return { message: String(error) };
}

/** True for the error an aborted request throws. */
export function isAbort(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'AbortError' || name === 'TimeoutError';
}

/** A string literal for MLflow's filter grammar. */
export function quote(value: string): string {
  return value.includes("'") ? `"${value.replaceAll('"', '\\"')}"` : `'${value}'`;
}
