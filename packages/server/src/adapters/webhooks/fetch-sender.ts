import type { WebhookSender } from '../../core/monitoring/deployments/webhooks.js';

/** The webhook sender over `fetch`: a POST with a timeout; the body of the answer is discarded. */
export const fetchWebhookSender: WebhookSender = async (url, request) => {
  const res = await fetch(url, { method: 'POST', headers: request.headers, body: request.body, signal: AbortSignal.timeout(request.timeoutMs), redirect: 'manual' });
  await res.arrayBuffer().catch(() => undefined);
  return { status: res.status };
};
