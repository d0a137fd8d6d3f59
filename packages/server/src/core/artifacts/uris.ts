/** The scheme of proxied artifact URIs handed to clients. */
export const PROXY_SCHEME = 'mlflow-artifacts:';

/** Joins a root URI and path segments with single slashes. */
export function joinUri(root: string, ...parts: string[]): string {
  let out = root.replace(/\/+$/, '');
  for (const p of parts) out += `/${p.replace(/^\/+|\/+$/g, '')}`;
  return out;
}

/**
 * The store-relative path of a proxied artifact URI, or null when the URI is not served by this
 * server: `mlflow-artifacts:/1/abc/artifacts` and `mlflow-artifacts://host:5000/1/abc/artifacts`
 * → `1/abc/artifacts`; `http(s)://host/api/2.0/mlflow-artifacts/artifacts/1/abc` → `1/abc`.
 */
export function proxiedPath(uri: string): string | null {
  if (uri.startsWith(`${PROXY_SCHEME}//`)) {
    const rest = uri.slice(PROXY_SCHEME.length + 2);
    const slash = rest.indexOf('/');
    return slash < 0 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
  }
  if (uri.startsWith(PROXY_SCHEME)) return uri.slice(PROXY_SCHEME.length).replace(/^\/+|\/+$/g, '');
  const http = /^https?:\/\/[^/]+(?:\/[^?#]*)?\/api\/2\.0\/mlflow-artifacts\/artifacts(?:\/([^?#]*))?$/.exec(uri);
  if (http) return (http[1] ?? '').replace(/\/+$/, '');
  return null;
}
