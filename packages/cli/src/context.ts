import { InvalidArgumentError, type Command } from 'commander';
import { CapstanError, ErrorCode, type WireKeyValue } from '@capstan/api';
import { CapstanClient } from '@capstan/client';

/** The tracking server used when neither `--tracking-uri` nor an environment variable says otherwise. */
export const DEFAULT_TRACKING_URI = 'http://127.0.0.1:5000';

/** Options every client command accepts. */
export interface CommonOptions {
  trackingUri: string;
  json?: boolean;
}

/** `CAPSTAN_TRACKING_URI`, then `MLFLOW_TRACKING_URI`, then {@link DEFAULT_TRACKING_URI}. */
export function defaultTrackingUri(env: NodeJS.ProcessEnv = process.env): string {
  return env.CAPSTAN_TRACKING_URI || env.MLFLOW_TRACKING_URI || DEFAULT_TRACKING_URI;
}

/** Adds `--tracking-uri` and `--json` to a command that talks to a server. */
export function withCommon(command: Command): Command {
  return command
    .option('--tracking-uri <uri>', 'Capstan (or MLflow) server URL; env CAPSTAN_TRACKING_URI, then MLFLOW_TRACKING_URI', defaultTrackingUri())
    .option('--json', 'print the raw wire JSON response (one object) instead of a table');
}

/**
 * A client for `--tracking-uri`. Credentials come from the environment: a bearer token from
 * CAPSTAN_TRACKING_TOKEN or MLFLOW_TRACKING_TOKEN, or basic auth from MLFLOW_TRACKING_USERNAME
 * and MLFLOW_TRACKING_PASSWORD.
 * @throws INVALID_PARAMETER_VALUE when the URI is not http(s).
 */
export function clientFor(options: Pick<CommonOptions, 'trackingUri'>, env: NodeJS.ProcessEnv = process.env): CapstanClient {
  let url: URL;
  try {
    url = new URL(options.trackingUri);
  } catch {
    url = new URL('invalid:');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CapstanError(ErrorCode.INVALID_PARAMETER_VALUE, `--tracking-uri must be an http(s) URL such as ${DEFAULT_TRACKING_URI}, got '${options.trackingUri}'`);
  }
  const token = env.CAPSTAN_TRACKING_TOKEN || env.MLFLOW_TRACKING_TOKEN;
  const headers: Record<string, string> = {};
  if (!token && env.MLFLOW_TRACKING_USERNAME) {
    headers.authorization = `Basic ${Buffer.from(`${env.MLFLOW_TRACKING_USERNAME}:${env.MLFLOW_TRACKING_PASSWORD ?? ''}`).toString('base64')}`;
  }
  return new CapstanClient({ baseUrl: options.trackingUri, headers, ...(token ? { token } : {}) });
}

/** Prints `json` (with `--json`) or the table text. */
export function emit(options: Pick<CommonOptions, 'json'>, json: unknown, text: () => string): void {
  process.stdout.write(options.json ? `${JSON.stringify(json, null, 2)}\n` : `${text()}\n`);
}

/** Parses a positive integer option value. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer.');
  return n;
}

/** Collects a repeatable option into a list. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Collects a repeatable `key=value` option into wire key/value pairs. */
export function collectTag(value: string, previous: WireKeyValue[] | undefined): WireKeyValue[] {
  const eq = value.indexOf('=');
  if (eq < 1) throw new InvalidArgumentError(`expected key=value, got '${value}'.`);
  return [...(previous ?? []), { key: value.slice(0, eq), value: value.slice(eq + 1) }];
}

/** A string literal for a search filter, quoted so that the value's own quotes survive. */
export function filterLiteral(value: string): string {
  return value.includes("'") ? `"${value}"` : `'${value}'`;
}

/** Prints a hint on stderr when more results are available (table mode only). */
export function morePages(options: Pick<CommonOptions, 'json'>, token: string | undefined): void {
  if (token && !options.json) process.stderr.write(`More results available: rerun with --page-token ${token}\n`);
}
