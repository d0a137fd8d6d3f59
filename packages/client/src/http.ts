import { CapstanError, ErrorCode, type RequestOf, type ResponseOf, type RouteContract } from '@capstan/api';
import { artifactUrlPath } from './paths.js';

/** The subset of `fetch` the client needs; any WHATWG-compatible implementation fits. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Options shared by every client. */
export interface TransportOptions {
  /**
   * Server root, e.g. `http://127.0.0.1:5000` (no `/api/2.0`). Use `''` in a browser to talk to
   * the page's own origin.
   */
  baseUrl: string;
  /** Extra headers sent with every request, e.g. `{ authorization: 'Bearer …' }`. */
  headers?: Record<string, string>;
  /** Shorthand for an `Authorization: Bearer <token>` header. */
  token?: string;
  /** The `fetch` implementation; defaults to the global one. */
  fetch?: FetchLike;
  /** API prefix; `/api/2.0` unless the server is mounted elsewhere (the UI uses `/ajax-api/2.0`). */
  apiPrefix?: string;
  /** How many times an idempotent GET is retried after a network error or a 5xx (default 3). */
  retries?: number;
  /** First retry delay in milliseconds; doubled on every further attempt (default 200). */
  retryDelayMs?: number;
}

/** Per-call options. */
export interface CallOptions {
  /** Aborts the request (and any pending retry). */
  signal?: AbortSignal;
}

/** Options of {@link Transport.request}, the raw (non-JSON) request. */
export interface RawRequestOptions extends CallOptions {
  /** Request body, sent as is. */
  body?: BodyInit;
  /** Extra headers for this request. */
  headers?: Record<string, string>;
  /** Query-string parameters. */
  query?: Record<string, unknown>;
  /** A `fetch` for this request only (e.g. one that streams uploads with bounded memory). */
  fetch?: FetchLike;
}

const STATUS_CODES: Record<number, ErrorCode> = {
  400: ErrorCode.BAD_REQUEST,
  401: ErrorCode.UNAUTHENTICATED,
  403: ErrorCode.PERMISSION_DENIED,
  404: ErrorCode.NOT_FOUND,
  409: ErrorCode.RESOURCE_CONFLICT,
  429: ErrorCode.REQUEST_LIMIT_EXCEEDED,
  501: ErrorCode.NOT_IMPLEMENTED,
  503: ErrorCode.TEMPORARILY_UNAVAILABLE,
};

const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));

function codeForStatus(status: number): ErrorCode {
  return STATUS_CODES[status] ?? (status >= 500 ? ErrorCode.INTERNAL_ERROR : ErrorCode.BAD_REQUEST);
}

/**
 * Rebuilds the server's error from a failed response: `{error_code, message}` becomes a
 * {@link CapstanError} with the response's status. Bodies that are not Capstan errors (a proxy's
 * HTML page, an unknown code) get a code derived from the status.
 */
export async function errorFromResponse(response: Response): Promise<CapstanError> {
  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const { error_code: code, message: mlflowMessage, error } = (typeof body === 'object' && body !== null ? body : {}) as { error_code?: unknown; message?: unknown; error?: unknown };
  // MLflow's and Capstan's `{error_code, message}`, or the Open Inference Protocol's `{error}`.
  const message = typeof mlflowMessage === 'string' ? mlflowMessage : typeof error === 'string' ? error : undefined;
  if (typeof code === 'string' && KNOWN_CODES.has(code)) {
    return new CapstanError(code as ErrorCode, typeof message === 'string' ? message : `${code} (HTTP ${response.status})`, response.status);
  }
  const detail = typeof message === 'string' ? message : text.trim().slice(0, 200) || response.statusText;
  const prefix = typeof code === 'string' ? `${code}: ` : '';
  return new CapstanError(codeForStatus(response.status), `${prefix}${detail || `HTTP ${response.status}`}`, response.status);
}

function isAbort(error: unknown): boolean {
  return typeof error === 'object' && error !== null && ((error as { name?: unknown }).name === 'AbortError' || (error as { name?: unknown }).name === 'TimeoutError');
}

function networkError(url: string, error: unknown): CapstanError {
  const cause = (error as { cause?: { message?: string; code?: string } })?.cause;
  const detail = cause?.message ?? cause?.code ?? (error as Error)?.message ?? String(error);
  return new CapstanError(ErrorCode.TEMPORARILY_UNAVAILABLE, `Cannot reach ${url.split('?')[0]}: ${detail}`, 0);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function queryValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/** A query string (with `?`, or `''`) from an object: arrays become repeated keys, `undefined` is skipped. */
export function queryString(input: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined && item !== null) params.append(key, queryValue(item));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * Fills a contract path: `{name}` placeholders take (and remove) the input's field of that name;
 * a trailing `*` takes the input's `path` field, which stays in the payload.
 * @throws CapstanError INVALID_PARAMETER_VALUE when a placeholder has no value.
 */
export function fillPath(template: string, input: Record<string, unknown>): { path: string; payload: Record<string, unknown> } {
  const payload = { ...input };
  let path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = payload[name];
    if (value === undefined || value === null || value === '') {
      throw new CapstanError(ErrorCode.INVALID_PARAMETER_VALUE, `Missing value for required parameter '${name}'.`);
    }
    delete payload[name];
    return encodeURIComponent(queryValue(value));
  });
  if (path.endsWith('/*')) {
    const value = payload.path;
    if (typeof value !== 'string' || value === '') throw new CapstanError(ErrorCode.INVALID_PARAMETER_VALUE, "Missing value for required parameter 'path'.");
    path = `${path.slice(0, -1)}${artifactUrlPath(value)}`;
  }
  return { path, payload };
}

/**
 * The HTTP layer of the client: builds URLs from {@link RouteContract}s, sends JSON, rebuilds
 * errors and retries idempotent GETs. Uses only `fetch`, so it runs in Node and in browsers.
 */
export class Transport {
  /** Absolute (or origin-relative) URL of the API root, e.g. `http://host:5000/api/2.0`. */
  readonly apiUrl: string;
  private readonly fetchImpl: FetchLike;
  private readonly headers: Record<string, string>;
  private readonly retries: number;
  private readonly retryDelayMs: number;

  /** The options this transport was made with (to make a sibling with another prefix). */
  readonly options: TransportOptions;

  constructor(options: TransportOptions) {
    this.options = options;
    this.apiUrl = `${options.baseUrl.replace(/\/+$/, '')}${options.apiPrefix ?? '/api/2.0'}`;
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.headers = { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers };
    this.retries = Math.max(0, options.retries ?? 3);
    this.retryDelayMs = Math.max(0, options.retryDelayMs ?? 200);
  }

  /**
   * Calls one contract route and returns its parsed JSON response. Path placeholders are filled
   * from `input`; GET sends the rest as a query string, other methods as a JSON body. Nothing is
   * validated client-side beyond the types.
   * @throws CapstanError as rebuilt from the server's `{error_code, message}` (status kept), or
   *   TEMPORARILY_UNAVAILABLE with status 0 when the server cannot be reached.
   */
  async call<C extends RouteContract>(contract: C, input: RequestOf<C>, options: CallOptions = {}): Promise<ResponseOf<C>> {
    const { path, payload } = fillPath(contract.path, (input ?? {}) as Record<string, unknown>);
    const get = contract.method === 'GET';
    const response = await this.send(contract.method, `${this.apiUrl}${path}${get ? queryString(payload) : ''}`, {
      headers: get ? {} : { 'content-type': 'application/json' },
      ...(get ? {} : { body: JSON.stringify(payload) }),
    }, get, options.signal);
    const text = await response.text();
    if (text.trim() === '') return {} as ResponseOf<C>;
    try {
      return JSON.parse(text) as ResponseOf<C>;
    } catch {
      throw new CapstanError(ErrorCode.INTERNAL_ERROR, `Invalid JSON response from ${contract.method} ${path}: ${text.slice(0, 200)}`, response.status);
    }
  }

  /**
   * A raw request to a path under the API root (for byte routes such as artifact upload and
   * download). Returns the successful response unread; GETs are retried like {@link call}'s.
   * @throws CapstanError for non-2xx responses and unreachable servers.
   */
  request(method: string, path: string, options: RawRequestOptions = {}): Promise<Response> {
    const init: RequestInit & { duplex?: 'half' } = { headers: options.headers ?? {} };
    if (options.body !== undefined) {
      init.body = options.body;
      if (typeof ReadableStream !== 'undefined' && options.body instanceof ReadableStream) init.duplex = 'half';
    }
    return this.send(method, `${this.apiUrl}${path}${queryString(options.query ?? {})}`, init, method === 'GET', options.signal, options.fetch);
  }

  private async send(method: string, url: string, init: RequestInit, idempotent: boolean, signal: AbortSignal | undefined, fetchImpl = this.fetchImpl): Promise<Response> {
    const headers = { ...this.headers, ...(init.headers as Record<string, string>) };
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await fetchImpl(url, { ...init, method, headers, ...(signal ? { signal } : {}) });
      } catch (error) {
        if (isAbort(error) || signal?.aborted) throw error;
        if (!idempotent || attempt >= this.retries) throw networkError(url, error);
        await sleep(this.delay(attempt), signal);
        continue;
      }
      if (response.ok) return response;
      if (idempotent && response.status >= 500 && response.status !== 501 && attempt < this.retries) {
        await response.body?.cancel().catch(() => undefined);
        await sleep(this.delay(attempt), signal);
        continue;
      }
      throw await errorFromResponse(response);
    }
  }

  private delay(attempt: number): number {
    const base = this.retryDelayMs * 2 ** attempt;
    return base / 2 + Math.random() * (base / 2);
  }
}
