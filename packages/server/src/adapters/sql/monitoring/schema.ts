import type { Migration } from '../migrations.js';

/** The monitoring tables: migration versions 400-499, append only. */
export const MONITORING_MIGRATIONS: Migration[] = [];
