/**
 * Offset page tokens in MLflow's format: base64 of the JSON `{"offset": N}`, byte-for-byte what
 * `SearchUtils.create_page_token` emits, so tokens from either server decode on the other.
 */
import { CapstanError, ErrorCode, invalidParameter } from '@capstan/api';
import type { Page } from '../model.js';

const BASE64 = /^[A-Za-z0-9+/\-_]+={0,2}$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });
const MAX_SHOWN = 200;

/**
 * Encodes the offset of the next page.
 * @throws CapstanError INTERNAL_ERROR when `offset` is not a non-negative safe integer (a bug in
 *   the caller, not the client).
 */
export function encodePageToken(offset: number): string {
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new CapstanError(ErrorCode.INTERNAL_ERROR, `Cannot encode a page token for offset ${offset}`);
  }
  return Buffer.from(`{"offset": ${offset}}`, 'utf8').toString('base64');
}

/**
 * Decodes a page token into an offset. Accepts the standard and URL-safe base64 alphabets, with
 * or without padding, and an offset given as a JSON integer or a string of digits (as MLflow does).
 * @returns the offset; 0 when the token is absent or empty (first page).
 * @throws CapstanError INVALID_PARAMETER_VALUE "Invalid page token ..." when the token is not
 *   base64, not UTF-8 JSON, or lacks a non-negative integer `offset`.
 */
export function decodePageToken(token: string | undefined): number {
  if (token === undefined || token === '') return 0;
  if (!BASE64.test(token) || token.replace(/=+$/, '').length % 4 === 1 || (token.includes('=') && token.length % 4 !== 0)) {
    throw invalidParameter('Invalid page token, could not base64-decode');
  }
  let text: string;
  try {
    text = UTF8.decode(Buffer.from(token.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
  } catch {
    throw invalidParameter('Invalid page token, could not base64-decode');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidParameter(`Invalid page token, decoded value=${shown(text)}`);
  }
  const offset = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>).offset : undefined;
  const value = typeof offset === 'string' && /^[0-9]+$/.test(offset) ? Number(offset) : offset;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalidParameter(`Invalid page token, parsed value=${shown(text)}`);
  }
  return value;
}

function shown(text: string): string {
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}...` : text;
}

/** A page of results with an opaque token for the next one (absent on the last page). */
export interface TokenPage<T> {
  items: T[];
  nextPageToken?: string;
}

/** A store's offset page as a client page with a token. */
export function tokenPage<T>(page: Page<T>): TokenPage<T> {
  return page.nextOffset === undefined ? { items: page.items } : { items: page.items, nextPageToken: encodePageToken(page.nextOffset) };
}
