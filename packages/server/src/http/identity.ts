import type { FastifyRequest } from 'fastify';

/**
 * Who makes a request's changes: the basic-auth user name (what `MLFLOW_TRACKING_USERNAME`
 * sends), else the `X-Capstan-User` header (the UI and CLI send it), else "anonymous". Recorded
 * on deployment and registry changes; it is not authentication.
 */
export function userOf(request: FastifyRequest): string {
  const auth = request.headers.authorization;
  if (auth?.startsWith('Basic ')) {
    const user = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':')[0];
    if (user) return user.slice(0, 256);
  }
  const header = request.headers['x-capstan-user'];
  return (Array.isArray(header) ? header[0] : header)?.slice(0, 256) || 'anonymous';
}
