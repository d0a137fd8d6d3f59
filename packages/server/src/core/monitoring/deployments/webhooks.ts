/**
 * Webhook delivery of platform events: HMAC-SHA256 signatures over `timestamp.body`, retries with
 * exponential backoff, every attempt recorded. The HTTP sender is injected (an adapter).
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { PlatformEvent } from '../../events/bus.js';
import type { MonitoringStore } from '../../../ports/monitoring-store.js';
import type { Webhook } from './model.js';

/** Header names of a delivery. */
export const WEBHOOK_HEADERS = {
  signature: 'x-capstan-signature',
  timestamp: 'x-capstan-timestamp',
  event: 'x-capstan-event',
  delivery: 'x-capstan-delivery',
} as const;

/** Sends one HTTP POST; resolves with the status or rejects on a network error or timeout. */
export type WebhookSender = (url: string, request: { headers: Record<string, string>; body: string; timeoutMs: number }) => Promise<{ status: number }>;

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" keyed with the secret>`. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Options of {@link WebhookDispatcher}. */
export interface WebhookDispatcherOptions {
  store: MonitoringStore;
  send: WebhookSender;
  /** Attempts per event (default 5). */
  maxAttempts?: number;
  /** Delay before the second attempt, doubled each time (default 1000 ms). */
  backoffMs?: number;
  timeoutMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Delivers every platform event to the webhooks subscribed to its type. */
export class WebhookDispatcher {
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;
  private wake: () => void = () => undefined;
  private readonly closing = new Promise<void>((resolve) => (this.wake = resolve));

  constructor(private readonly options: WebhookDispatcherOptions) {}

  /** Whether `webhook` wants events of `type`. */
  static subscribed(webhook: Pick<Webhook, 'events'>, type: string): boolean {
    return webhook.events.includes('*') || webhook.events.includes(type);
  }

  /** Starts deliveries of `event` (returns at once; {@link drain} waits for them). */
  dispatch(event: PlatformEvent): void {
    if (this.closed) return;
    const job = (async () => {
      const hooks = (await this.options.store.listWebhooks()).filter((w) => WebhookDispatcher.subscribed(w, event.type));
      await Promise.all(hooks.map((w) => this.deliver(w, event)));
    })().catch((error) => console.error('[capstan] webhook dispatch failed:', error));
    this.inFlight.add(job);
    void job.finally(() => this.inFlight.delete(job));
  }

  /** Delivers one event to one webhook with retries; true when a 2xx arrived. */
  async deliver(webhook: Webhook, event: PlatformEvent): Promise<boolean> {
    const now = this.options.now ?? Date.now;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((r) => (setTimeout(r, ms) as { unref?: () => void }).unref?.()));
    const max = this.options.maxAttempts ?? 5;
    const body = JSON.stringify({ id: event.id, type: event.type, time: event.time, payload: event.payload });
    for (let attempt = 1; attempt <= max; attempt++) {
      if (attempt > 1) {
        await Promise.race([sleep((this.options.backoffMs ?? 1000) * 2 ** (attempt - 2)), this.closing]);
        if (this.closed) return false;
      }
      const timestamp = String(Math.floor(now() / 1000));
      const started = now();
      let status: number | null = null;
      let error: string | null = null;
      try {
        status = (await this.options.send(webhook.url, {
          headers: {
            'content-type': 'application/json',
            [WEBHOOK_HEADERS.signature]: signWebhook(webhook.secret, timestamp, body),
            [WEBHOOK_HEADERS.timestamp]: timestamp,
            [WEBHOOK_HEADERS.event]: event.type,
            [WEBHOOK_HEADERS.delivery]: event.id,
          },
          body,
          timeoutMs: this.options.timeoutMs ?? 10_000,
        })).status;
        if (status < 200 || status >= 300) error = `HTTP ${status}`;
      } catch (e) {
        error = (e as Error).message || String(e);
      }
      const ok = error === null;
      await this.options.store.recordDelivery({ id: randomUUID(), webhookId: webhook.id, eventId: event.id, eventType: event.type, attempt, time: started, status, ok, error, durationMs: now() - started });
      if (ok) return true;
    }
    return false;
  }

  /** Waits for deliveries under way. */
  async drain(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  /** Stops retrying and waits for attempts in flight. */
  async close(): Promise<void> {
    this.closed = true;
    this.wake();
    await this.drain();
  }
}
