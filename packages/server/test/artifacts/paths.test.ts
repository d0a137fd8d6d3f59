import { describe, expect, it } from 'vitest';
import { assertNormalizedArtifactPath, joinArtifactPath, validateArtifactPath } from '../../src/core/artifacts/paths.js';

const invalidPath = { code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' };

describe('validateArtifactPath', () => {
  it.each([
    ['', ''],
    ['model', 'model'],
    ['model/MLmodel', 'model/MLmodel'],
    ['model/', 'model'],
    ['a//b///c', 'a/b/c'],
    ['./a/./b/.', 'a/b'],
    ['.', ''],
    ['.hidden/..dots../...', '.hidden/..dots../...'],
    ['with space/ünïcødé 日本.txt', 'with space/ünïcødé 日本.txt'],
    ['~/x', '~/x'],
    ['backup~', 'backup~'],
    ['ab:c/d', 'ab:c/d'],
    ['100%', '100%'],
    ['50%zz', '50%zz'],
    ['a%20b', 'a b'],
    ['caf%C3%A9', 'café'],
    ['a%252Fb', 'a/b'],
  ])('accepts %j as %j', (raw, normal) => {
    expect(validateArtifactPath(raw)).toBe(normal);
  });

  it.each([
    '..',
    '../x',
    'a/..',
    'a/../b',
    'a/b/../../../etc/passwd',
    '/etc/passwd',
    '//server/share',
    '/',
    '%2e%2e',
    '%2E%2E/x',
    'a/%2e%2e/b',
    '%252e%252e/x',
    '%25252e%25252e',
    '..%2fx',
    '%2fetc/passwd',
    '%2Fetc',
    'C:/Windows',
    'c:\\Windows',
    'C:',
    'd:relative',
    'a:b/c',
    'a\\b',
    '..\\x',
    'a%5cb',
    'file:///etc/passwd',
    'FILE:/etc/passwd',
    'a\0b',
    'a%00b',
    'a#b',
    'a%23b',
  ])('rejects %j', (raw) => {
    expect(() => validateArtifactPath(raw)).toThrowError(expect.objectContaining(invalidPath));
  });

  it('rejects values that keep decoding past the round limit', () => {
    let nested = '..';
    for (let i = 0; i < 12; i++) nested = nested.replaceAll('%', '%25').replaceAll('.', '%2e');
    expect(() => validateArtifactPath(nested)).toThrowError(expect.objectContaining(invalidPath));
    expect(validateArtifactPath('%252541')).toBe('A');
  });

  it('returns a fixed point: validating its own output changes nothing', () => {
    for (const raw of ['a%2520b/c', 'x/./y//z/', 'caf%C3%A9', '100%']) {
      const once = validateArtifactPath(raw);
      expect(validateArtifactPath(once)).toBe(once);
    }
  });
});

describe('joinArtifactPath', () => {
  it('joins parts, dropping empty parts, boundary slashes and dot components', () => {
    expect(joinArtifactPath('runs/1/artifacts/', '', 'model/MLmodel')).toBe('runs/1/artifacts/model/MLmodel');
    expect(joinArtifactPath('', '')).toBe('');
    expect(joinArtifactPath('a', './b/', '/c')).toBe('a/b/c');
    expect(joinArtifactPath()).toBe('');
  });

  it('does not decode', () => {
    expect(joinArtifactPath('a', 'b%2Fc')).toBe('a/b%2Fc');
  });

  it.each([['a', '..'], ['a', '../b'], ['a\\b'], ['a', 'b\0']])('rejects %j', (...parts) => {
    expect(() => joinArtifactPath(...parts)).toThrowError(expect.objectContaining(invalidPath));
  });
});

describe('assertNormalizedArtifactPath', () => {
  it('passes normal forms', () => {
    for (const path of ['', 'a', 'a/b.txt', '.hidden/x', 'a b/%2e%2e']) expect(assertNormalizedArtifactPath(path)).toBe(path);
  });

  it.each(['/a', 'a/', 'a//b', './a', 'a/.', '..', 'a/../b', 'a\\b', 'a\0'])('rejects %j', (path) => {
    expect(() => assertNormalizedArtifactPath(path)).toThrowError(expect.objectContaining(invalidPath));
  });
});
