import { describe, expect, it } from 'vitest';
import { isCapstanError } from '@capstan/api';
import { decodePageToken, encodePageToken } from '../../src/core/search/page-token.js';
import * as filter from '../../src/core/search/filter.js';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

function expectInvalidToken(token: string, message: RegExp = /^Invalid page token/): void {
  let thrown: unknown;
  try {
    decodePageToken(token);
  } catch (e) {
    thrown = e;
  }
  expect(isCapstanError(thrown), `expected a CapstanError for ${JSON.stringify(token)}`).toBe(true);
  if (!isCapstanError(thrown)) return;
  expect(thrown.code).toBe('INVALID_PARAMETER_VALUE');
  expect(thrown.message).toMatch(message);
}

describe('encodePageToken', () => {
  it('emits exactly what MLflow emits (base64 of json.dumps)', () => {
    expect(encodePageToken(10)).toBe(b64('{"offset": 10}'));
    expect(encodePageToken(10)).toBe('eyJvZmZzZXQiOiAxMH0=');
    expect(encodePageToken(1000)).toBe('eyJvZmZzZXQiOiAxMDAwfQ==');
  });

  it.each([0, 1, 7, 50, 1000, 123456, Number.MAX_SAFE_INTEGER])('round-trips %d', (offset) => {
    expect(decodePageToken(encodePageToken(offset))).toBe(offset);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1])('refuses offset %d with an internal error', (offset) => {
    let thrown: unknown;
    try {
      encodePageToken(offset);
    } catch (e) {
      thrown = e;
    }
    expect(isCapstanError(thrown)).toBe(true);
    if (isCapstanError(thrown)) expect(thrown.code).toBe('INTERNAL_ERROR');
  });

  it('is re-exported from filter.ts', () => {
    expect(filter.encodePageToken).toBe(encodePageToken);
    expect(filter.decodePageToken).toBe(decodePageToken);
  });
});

describe('decodePageToken', () => {
  it.each([undefined, ''])('%j → 0 (first page)', (token) => {
    expect(decodePageToken(token)).toBe(0);
  });

  it.each([
    ['compact JSON', b64('{"offset":5}'), 5],
    ['spaced JSON', b64('{ "offset" : 25 }'), 25],
    ['offset as a digit string (MLflow int())', b64('{"offset": "30"}'), 30],
    ['extra keys', b64('{"offset": 3, "experiment_ids": ["1"]}'), 3],
    ['zero', b64('{"offset": 0}'), 0],
    ['unpadded', b64('{"offset": 10}').replace(/=+$/, ''), 10],
    ['URL-safe alphabet', b64('{"offset": 1000, "k": ">>>???"}').replace(/\+/g, '-').replace(/\//g, '_'), 1000],
  ])('accepts %s', (_name, token, offset) => {
    expect(decodePageToken(token)).toBe(offset);
  });

  it.each([
    ['not base64 characters', 'not a token!', /could not base64-decode/],
    ['whitespace', '   ', /could not base64-decode/],
    ['impossible length', 'abcde', /could not base64-decode/],
    ['padding in the middle', 'ey=JvZmZz', /could not base64-decode/],
    ['padded to a wrong length', 'eyJvZmZzZXQiOiAxMH0==', /could not base64-decode/],
    ['invalid UTF-8', Buffer.from([0xff, 0xfe, 0xfd]).toString('base64'), /could not base64-decode/],
    ['not JSON', b64('offset=5'), /Invalid page token, decoded value=offset=5/],
    ['truncated JSON', b64('{"offset": 5'), /decoded value=/],
    ['JSON array', b64('[5]'), /Invalid page token, parsed value=\[5\]/],
    ['JSON number', b64('5'), /parsed value=5/],
    ['JSON null', b64('null'), /parsed value=null/],
    ['missing offset', b64('{"start": 5}'), /parsed value=/],
    ['negative offset', b64('{"offset": -1}'), /parsed value=/],
    ['fractional offset', b64('{"offset": 1.5}'), /parsed value=/],
    ['offset beyond safe integers', b64('{"offset": 9007199254740993}'), /parsed value=/],
    ['boolean offset', b64('{"offset": true}'), /parsed value=/],
    ['null offset', b64('{"offset": null}'), /parsed value=/],
    ['non-numeric string offset', b64('{"offset": "ten"}'), /parsed value=/],
    ['negative string offset', b64('{"offset": "-3"}'), /parsed value=/],
    ['nested offset', b64('{"offset": {"n": 1}}'), /parsed value=/],
  ])('rejects %s', (_name, token, message) => {
    expectInvalidToken(token, message);
  });

  it('shortens long decoded values in the message', () => {
    let thrown: unknown;
    try {
      decodePageToken(b64(`x${'y'.repeat(1000)}`));
    } catch (e) {
      thrown = e;
    }
    expect(isCapstanError(thrown)).toBe(true);
    if (isCapstanError(thrown)) expect(thrown.message.length).toBeLessThan(300);
  });
});
