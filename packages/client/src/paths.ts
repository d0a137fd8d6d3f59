import { CapstanError, ErrorCode } from '@capstan/api';

const PROXY_SCHEME = 'mlflow-artifacts:';
const HTTP_PROXY = /^https?:\/\/[^/]+(?:\/[^?#]*)?\/api\/2\.0\/mlflow-artifacts\/artifacts(?:\/([^?#]*))?$/;

/**
 * The artifact-store path behind an artifact URI served by a Capstan (or MLflow) artifact proxy,
 * or `null` for URIs the server does not proxy (`s3://…`, local paths):
 * `mlflow-artifacts:/1/abc/artifacts` and `mlflow-artifacts://host:5000/1/abc/artifacts` give
 * `1/abc/artifacts`; `http(s)://host/api/2.0/mlflow-artifacts/artifacts/1/abc` gives `1/abc`.
 */
export function proxiedPath(uri: string): string | null {
  if (uri.startsWith(`${PROXY_SCHEME}//`)) {
    const rest = uri.slice(PROXY_SCHEME.length + 2);
    const slash = rest.indexOf('/');
    return slash < 0 ? '' : trimSlashes(rest.slice(slash + 1));
  }
  if (uri.startsWith(PROXY_SCHEME)) return trimSlashes(uri.slice(PROXY_SCHEME.length));
  const http = HTTP_PROXY.exec(uri);
  return http ? trimSlashes(http[1] ?? '') : null;
}

/** Strips leading and trailing slashes. */
export function trimSlashes(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
}

/**
 * The URL path (segments percent-encoded) of an artifact path. Empty and `.` segments are dropped;
 * `..` is refused here because URL parsing would silently resolve it before the server could.
 * @throws CapstanError INVALID_PARAMETER_VALUE for `..` segments.
 */
export function artifactUrlPath(path: string): string {
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s === '..')) throw new CapstanError(ErrorCode.INVALID_PARAMETER_VALUE, `Invalid path '${path}': '..' segments are not allowed in artifact paths.`);
  return segments.map(encodeURIComponent).join('/');
}

/** Joins artifact path parts with single slashes, skipping empty parts. */
export function joinPath(...parts: (string | undefined)[]): string {
  return parts.map((p) => trimSlashes(p ?? '')).filter((p) => p !== '').join('/');
}

/**
 * The proxied store path of `relative` under an artifact root URI.
 * @throws CapstanError INVALID_PARAMETER_VALUE when the root is not served by the artifact proxy.
 */
export function resolveUnder(rootUri: string, relative: string | undefined, what: string): string {
  const root = proxiedPath(rootUri);
  if (root === null) {
    throw new CapstanError(
      ErrorCode.INVALID_PARAMETER_VALUE,
      `${what} stores artifacts at '${rootUri}', which the server does not proxy; only mlflow-artifacts:/ locations can be read or written through Capstan.`,
    );
  }
  return joinPath(root, relative);
}
