import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { invalidParameter, type RouteContract } from '@capstan/api';

/** Bytes of each parsed JSON body, for routes with their own size limit (log-batch). */
export const bodySizes = new WeakMap<FastifyRequest, number>();

/** Prefixes under which every MLflow REST route is served (API and the UI's ajax variant). */
export const API_PREFIXES = ['/api/2.0', '/ajax-api/2.0'] as const;

function pythonType(value: unknown): string {
  if (value === null) return 'NoneType';
  if (Array.isArray(value)) return 'list';
  switch (typeof value) {
    case 'string': return 'str';
    case 'number': return Number.isInteger(value) ? 'int' : 'float';
    case 'boolean': return 'bool';
    case 'object': return 'dict';
    default: return typeof value;
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur = input;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

/**
 * Validates request input against a contract, with MLflow's messages:
 * `Missing value for required parameter 'x'.` and `Invalid value 123 for parameter 'x' supplied.`
 * @throws INVALID_PARAMETER_VALUE
 */
export function parseInput<C extends RouteContract>(contract: C, input: unknown): z.output<C['request']> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw invalidParameter(`Invalid request body: expected a JSON object, got ${pythonType(input)}.`);
  }
  const result = contract.request.safeParse(input);
  if (result.success) return result.data as z.output<C['request']>;
  const issue = result.error.issues[0]!;
  const path = issue.path;
  const name = formatPath(path);
  const value = valueAt(input, path);
  if (value === undefined || value === null || value === '') {
    throw invalidParameter(`Missing value for required parameter '${name}'. See the API docs for more information about request parameters.`);
  }
  throw invalidParameter(
    `Invalid value ${JSON.stringify(value)} for parameter '${name}' supplied. Hint: Value was of type '${pythonType(value)}'. See the API docs for more information about request parameters.`,
  );
}

/** The raw input of a request: query string for GET, JSON body otherwise; path params win. */
function rawInput(request: FastifyRequest): Record<string, unknown> {
  const params = (request.params ?? {}) as Record<string, unknown>;
  const base = request.method === 'GET' ? request.query : request.body;
  if (base === undefined || base === null) return { ...params };
  if (typeof base !== 'object' || Array.isArray(base)) {
    throw invalidParameter(`Invalid request body: expected a JSON object, got ${pythonType(base)}.`);
  }
  return { ...(base as Record<string, unknown>), ...params };
}

/** A route handler: typed input in, a JSON-able object out. */
export type Handler<C extends RouteContract> = (input: z.output<C['request']>, request: FastifyRequest, reply: FastifyReply) => Promise<object>;

/** Options of {@link mount}. */
export interface MountOptions {
  /** Also serve this route for these extra methods (MLflow serves some searches on GET and POST). */
  alsoMethods?: ('GET' | 'POST')[];
  /** Serve under these prefixes instead of {@link API_PREFIXES}. */
  prefixes?: readonly string[];
}

/** Registers a contract's route under every API prefix; the handler sees validated input. */
export function mount<C extends RouteContract>(app: FastifyInstance, contract: C, handler: Handler<C>, options: MountOptions = {}): void {
  const url = contract.path.replace(/\{(\w+)\}/g, ':$1');
  const methods = [contract.method, ...(options.alsoMethods ?? [])];
  for (const prefix of options.prefixes ?? API_PREFIXES) {
    app.route({
      method: methods,
      url: `${prefix}${url}`,
      handler: async (request, reply) => {
        const input = parseInput(contract, rawInput(request));
        const body = await handler(input, request, reply);
        if (!reply.sent) return reply.code(200).header('content-type', 'application/json').send(body);
        return reply;
      },
    });
  }
}
