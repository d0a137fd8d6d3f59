/**
 * Artifact path safety. Every path a client supplies goes through {@link validateArtifactPath}
 * before it reaches an artifact store; stores then only ever see relative POSIX paths without
 * `.`/`..` components, which they join under their root or prefix.
 */
import { invalidParameter } from '@capstan/api';
import type { CapstanError } from '@capstan/api';

const MAX_DECODE_ROUNDS = 10;
const PERCENT_RUN = /(?:%[0-9A-Fa-f]{2})+/g;
const DRIVE_LETTER = /^[A-Za-z]:/;
const FILE_SCHEME = /^file:/i;
const UTF8 = new TextDecoder('utf-8');

function invalidPath(): CapstanError {
  return invalidParameter('Invalid path');
}

/** Percent-decodes once like Python's `urllib.parse.unquote`: bad UTF-8 becomes U+FFFD, stray `%` stays. */
function unquote(value: string): string {
  return value.replace(PERCENT_RUN, (run) => {
    const bytes = new Uint8Array(run.length / 3);
    for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16);
    return UTF8.decode(bytes);
  });
}

/** Decodes until the value stops changing, so `%252e%252e` is seen as `..`. */
function decodeFully(value: string): string {
  let current = value;
  for (let round = 0; round < MAX_DECODE_ROUNDS; round++) {
    const decoded = unquote(current);
    if (decoded === current) return current;
    current = decoded;
  }
  throw invalidPath();
}

/** Splits on `/`, drops empty and `.` components, rejects `..`, NUL and backslashes. */
function normalizeComponents(path: string): string[] {
  if (path.includes('\0') || path.includes('\\')) throw invalidPath();
  const components: string[] = [];
  for (const component of path.split('/')) {
    if (component === '..') throw invalidPath();
    if (component !== '' && component !== '.') components.push(component);
  }
  return components;
}

/**
 * Checks a client-supplied artifact path and returns its normal form: a relative POSIX path with
 * no empty, `.` or trailing components (`''` is the root). Follows MLflow's `validate_path_is_safe`:
 * the value is percent-decoded until stable and the decoded value is what gets checked and
 * returned. The result is a fixed point: validating it again returns it unchanged.
 *
 * Rejected: `..` components, absolute paths (leading `/`), Windows drive letters (`C:`) and
 * `file:` URIs, backslashes, NUL bytes, `#`, and values still changing after 10 decoding rounds.
 * A `~` is an ordinary character: nothing expands it.
 * @throws CapstanError INVALID_PARAMETER_VALUE with message `Invalid path`.
 */
export function validateArtifactPath(path: string): string {
  const decoded = decodeFully(path);
  if (decoded.includes('#') || decoded.startsWith('/') || DRIVE_LETTER.test(decoded) || FILE_SCHEME.test(decoded)) {
    throw invalidPath();
  }
  return normalizeComponents(decoded).join('/');
}

/**
 * Joins trusted or already-validated relative path parts into one normal relative path, e.g.
 * `joinArtifactPath('runs/1/artifacts/', '', 'model/MLmodel')` is `runs/1/artifacts/model/MLmodel`.
 * Slashes at part boundaries, empty parts and `.` components vanish; nothing is percent-decoded
 * (run client input through {@link validateArtifactPath} first).
 * @throws CapstanError INVALID_PARAMETER_VALUE `Invalid path` when a part holds a `..`
 *   component, a backslash or a NUL byte.
 */
export function joinArtifactPath(...parts: string[]): string {
  return parts.flatMap(normalizeComponents).join('/');
}

/**
 * Guard for adapters: passes only paths already in the normal form {@link validateArtifactPath}
 * returns (relative, no empty, `.` or `..` components, no backslash or NUL). Defence in depth:
 * adapters must never rely on callers having validated.
 * @throws CapstanError INVALID_PARAMETER_VALUE `Invalid path` otherwise.
 */
export function assertNormalizedArtifactPath(path: string): string {
  if (path === '') return path;
  if (path.includes('\0') || path.includes('\\')) throw invalidPath();
  for (const component of path.split('/')) {
    if (component === '' || component === '.' || component === '..') throw invalidPath();
  }
  return path;
}
