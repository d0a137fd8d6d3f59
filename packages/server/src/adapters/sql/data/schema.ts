import type { Migration } from '../migrations.js';

/** The data tables: migration versions 200-299, append only. */
export const DATA_MIGRATIONS: Migration[] = [];
