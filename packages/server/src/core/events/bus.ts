/**
 * Platform events: what happened, published by the services that made it happen and consumed by
 * pipeline triggers, webhooks and the audit trail. Delivery is in-process and after the change
 * is stored; a failing subscriber is reported and never affects the publisher or other
 * subscribers.
 */

/** Every event the platform publishes, by type. Payloads are plain JSON. */
export interface PlatformEvents {
  'model_version.created': { name: string; version: string; runId?: string; source: string };
  'model_version.alias_set': { name: string; alias: string; version: string };
  'model_version.alias_deleted': { name: string; alias: string };
  'model_version.stage_changed': { name: string; version: string; stage: string };
  'dataset_version.created': { dataset: string; version: string; digest: string };
  'deployment.changed': { deployment: string; change: string };
  'drift.alert': { deployment?: string; monitor?: string; alertId: string; severity: string; summary: string; ruleId?: string; metric?: string; value?: number; threshold?: number; columns?: string[] };
  'pipeline_run.finished': { pipeline: string; runId: string; status: string };
}

/** One event as delivered: its type, payload, an id and when it was published (ms since epoch). */
export interface PlatformEvent<T extends keyof PlatformEvents = keyof PlatformEvents> {
  id: string;
  type: T;
  time: number;
  payload: PlatformEvents[T];
}

/** A subscriber; may be async. Errors it throws go to the bus's error reporter. */
export type EventListener<T extends keyof PlatformEvents> = (event: PlatformEvent<T>) => void | Promise<void>;

/** In-process publish/subscribe for {@link PlatformEvents}. */
export class EventBus {
  private readonly listeners = new Map<string, Set<EventListener<never>>>();
  private readonly anyListeners = new Set<EventListener<keyof PlatformEvents>>();
  private counter = 0;

  constructor(
    private readonly reportError: (error: unknown, event: PlatformEvent) => void = (error, event) =>
      console.error(`[capstan] event subscriber failed on ${event.type}:`, error),
    private readonly now: () => number = Date.now,
  ) {}

  /** Subscribes to one event type; returns the unsubscribe function. */
  on<T extends keyof PlatformEvents>(type: T, listener: EventListener<T>): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener as EventListener<never>);
    return () => set.delete(listener as EventListener<never>);
  }

  /** Subscribes to every event (webhooks, audit); returns the unsubscribe function. */
  onAny(listener: EventListener<keyof PlatformEvents>): () => void {
    this.anyListeners.add(listener);
    return () => this.anyListeners.delete(listener);
  }

  /**
   * Publishes an event to every subscriber without waiting for them; returns the event. Call it
   * only after the change it describes is stored.
   */
  publish<T extends keyof PlatformEvents>(type: T, payload: PlatformEvents[T]): PlatformEvent<T> {
    const event: PlatformEvent<T> = { id: `${this.now().toString(36)}-${(this.counter++).toString(36)}`, type, time: this.now(), payload };
    const targets = [...(this.listeners.get(type) ?? []), ...this.anyListeners] as EventListener<T>[];
    for (const listener of targets) {
      try {
        const result = listener(event);
        if (result && typeof (result as Promise<void>).catch === 'function') (result as Promise<void>).catch((error) => this.reportError(error, event as PlatformEvent));
      } catch (error) {
        this.reportError(error, event as PlatformEvent);
      }
    }
    return event;
  }
}
