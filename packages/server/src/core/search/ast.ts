/**
 * The parsed form of MLflow's search filters and order-by clauses. The parser (`filter.ts`)
 * produces it from strings; stores translate it to their query language.
 */

/** What a comparison's left side names. `attribute` covers run/experiment/model columns. */
export type EntityType = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset';

/** Comparison operators of the filter grammar (keywords upper-cased). */
export type Comparator = '=' | '!=' | '>' | '>=' | '<' | '<=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN';

/** One `entity.key <op> value` clause; a filter is the AND of its clauses. */
export interface Comparison {
  type: EntityType;
  /** Canonical key: for attributes the snake_case column name (`start_time`, `run_name`, ...). */
  key: string;
  comparator: Comparator;
  /** A number for numeric comparisons, a string for string ones, a list for IN / NOT IN. */
  value: string | number | string[];
}

/** One order-by item. */
export interface OrderBy {
  type: EntityType;
  key: string;
  ascending: boolean;
}
