import { createHash } from 'node:crypto';
import { invalidParameter, type WireManifestFile } from '@capstan/api';
import type { TableFormat } from '../../ports/columnar-engine.js';

/** Largest number of files in one version. */
export const MAX_FILES = 2_000_000;
/** Longest path in a manifest. */
export const MAX_PATH = 4096;

const DIGEST = /^[0-9a-f]{64}$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$/;

/**
 * Checks a dataset name: letters, digits, `.`, `_`, `-`, starting with a letter or digit.
 * @throws CapstanError INVALID_PARAMETER_VALUE
 */
export function checkDatasetName(name: string): string {
  if (!NAME.test(name)) throw invalidParameter(`Invalid dataset name '${name}': use letters, digits, '.', '_' and '-', starting with a letter or digit (at most 256 characters)`);
  if (name === 'blobs') throw invalidParameter("The dataset name 'blobs' is reserved");
  return name;
}

/**
 * Checks a manifest path: relative POSIX, no empty, `.` or `..` segments, no backslash, NUL or
 * leading slash. @throws CapstanError INVALID_PARAMETER_VALUE
 */
export function checkManifestPath(path: string): string {
  const bad = (why: string) => invalidParameter(`Invalid file path '${path.slice(0, 200)}' in the manifest: ${why}`);
  if (path.length === 0 || path.length > MAX_PATH) throw bad(`paths must have 1 to ${MAX_PATH} characters`);
  if (path.includes('\\') || path.includes('\0')) throw bad('backslashes and NUL are not allowed (use / between folders)');
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) throw bad('paths must be relative');
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') throw bad("empty, '.' and '..' segments are not allowed");
  }
  return path;
}

/** Orders paths by UTF-16 code units (the canonical manifest order). */
export function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/**
 * Validates and sorts a manifest: paths checked, unique, digests 64 hex digits, sizes
 * non-negative integers. A path that is also a folder of another path is rejected.
 * @throws CapstanError INVALID_PARAMETER_VALUE naming the first problem.
 */
export function normalizeManifest(files: readonly WireManifestFile[]): WireManifestFile[] {
  if (files.length > MAX_FILES) throw invalidParameter(`A version holds at most ${MAX_FILES} files, got ${files.length}`);
  const sorted = files.map((f) => {
    checkManifestPath(f.path);
    if (!DIGEST.test(f.digest)) throw invalidParameter(`Invalid digest '${f.digest}' for '${f.path}': expected sha256 as 64 lower-case hex digits`);
    if (!Number.isSafeInteger(f.size) || f.size < 0) throw invalidParameter(`Invalid size ${f.size} for '${f.path}'`);
    return { path: f.path, digest: f.digest, size: f.size };
  }).sort(byPath);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!.path;
    const cur = sorted[i]!.path;
    if (prev === cur) throw invalidParameter(`The manifest lists '${cur}' twice`);
    if (cur.startsWith(`${prev}/`)) throw invalidParameter(`'${prev}' is both a file and a folder in the manifest`);
  }
  return sorted;
}

/** The canonical manifest bytes: `{"files":[{"path","digest","size"},...]}` sorted by path, no spaces. */
export function canonicalManifest(sorted: readonly WireManifestFile[]): string {
  return JSON.stringify({ files: sorted.map((f) => ({ path: f.path, digest: f.digest, size: f.size })) });
}

/** sha256 of a canonical manifest: the version's digest. */
export function manifestDigest(canonical: string): string {
  return createHash('sha256').update(canonical).digest('hex');
}

/** Store path of a blob: `datasets/blobs/sha256/ab/<hex>`. */
export function blobPath(digest: string): string {
  return `datasets/blobs/sha256/${digest.slice(0, 2)}/${digest}`;
}

/** Store path of a version manifest: `datasets/manifests/sha256/ab/<hex>.json`. */
export function manifestPath(digest: string): string {
  return `datasets/manifests/sha256/${digest.slice(0, 2)}/${digest}.json`;
}

/** True for a sha256 hex digest. */
export function isDigest(value: string): boolean {
  return DIGEST.test(value);
}

const TABLE_SUFFIXES: readonly (readonly [string, TableFormat])[] = [
  ['.csv', 'csv'], ['.tsv', 'csv'], ['.csv.gz', 'csv'], ['.tsv.gz', 'csv'], ['.csv.zst', 'csv'],
  ['.parquet', 'parquet'], ['.pq', 'parquet'],
  ['.jsonl', 'json'], ['.ndjson', 'json'], ['.jsonl.gz', 'json'], ['.ndjson.gz', 'json'],
];

/** The tabular format of a path by extension (CSV/TSV, Parquet, JSON lines), or null. */
export function tableFormatOf(path: string): { format: TableFormat; suffix: string } | null {
  const lower = path.toLowerCase();
  let best: readonly [string, TableFormat] | undefined;
  for (const entry of TABLE_SUFFIXES) if (lower.endsWith(entry[0]) && (!best || entry[0].length > best[0].length)) best = entry;
  return best ? { format: best[1], suffix: best[0] } : null;
}

/**
 * Matches a path against a glob: `*` within a segment, `**` across segments, `?` one character.
 * A pattern without `/` matches the base name anywhere (`*.csv`).
 */
export function globMatcher(pattern: string): (path: string) => boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
      if (pattern[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  const regex = new RegExp(pattern.includes('/') ? `^${re}$` : `(^|/)${re}$`);
  return (path) => regex.test(path);
}
