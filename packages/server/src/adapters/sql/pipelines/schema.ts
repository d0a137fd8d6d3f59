import type { Migration } from '../migrations.js';

/** The pipelines tables: migration versions 300-399, append only. */
export const PIPELINE_MIGRATIONS: Migration[] = [];
