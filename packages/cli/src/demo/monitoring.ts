import type { DemoConsole } from './console.js';
import type { Day } from './weather.js';

/** Monitoring of the demo deployment (being wired to the monitoring API). */
export class DemoMonitoring {
  constructor(readonly url: string) {}
  async setup(_history: readonly Day[], _log: DemoConsole): Promise<void> {}
  async feedback(_items: { predictionId: string; label: string }[]): Promise<void> {}
  async newAlerts(): Promise<{ rule: string; summary: string; columns: string[] }[]> { return []; }
}
