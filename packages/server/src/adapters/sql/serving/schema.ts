import type { Migration } from '../migrations.js';

/** The serving tables: migration versions 100-199, append only. */
export const SERVING_MIGRATIONS: Migration[] = [];
