/**
 * Parser for MLflow's search filters and order-by clauses (`mlflow/utils/search_utils.py`): a
 * filter and an order-by entry point per searchable entity (logged models take structured order-by
 * objects, so they have only the filter). A filter is comparisons joined by `AND`:
 *
 *     metrics.rmse < 0.5 AND params.model = 'lr' AND tags."team name" LIKE 'ml-%'
 *     attributes.run_id IN ('a1', 'b2') AND start_time >= 1700000000000
 *
 * Identifiers are `[entity.]key` (no entity means an attribute); keys with special characters are
 * quoted with double quotes or backticks; string values take single or double quotes, numbers
 * none. Keywords (`AND`, `LIKE`, `ILIKE`, `IN`, `NOT IN`, `ASC`, `DESC`) are case-insensitive;
 * entity names and keys are not. Entities, keys, comparators and value types are all checked here,
 * so stores only ever see well-typed comparisons with canonical attribute keys.
 */
import { invalidParameter } from '@capstan/api';
import type { CapstanError } from '@capstan/api';
import type { Comparator, Comparison, EntityType, OrderBy } from './ast.js';
import { tokenize } from './tokenize.js';
import type { Token } from './tokenize.js';

export { decodePageToken, encodePageToken } from './page-token.js';

type ListComparator = 'IN' | 'NOT IN';

const NUMERIC_COMPARATORS: readonly Comparator[] = ['=', '!=', '>', '>=', '<', '<='];
const STRING_COMPARATORS: readonly Comparator[] = ['=', '!=', 'LIKE', 'ILIKE'];
const LIST_COMPARATORS: readonly ListComparator[] = ['IN', 'NOT IN'];

interface AttributeSpec {
  numeric: boolean;
  /** List comparators the attribute accepts besides the string ones. */
  lists?: readonly ListComparator[];
  /** Also accept a quoted integer for this numeric attribute (MLflow's model-version search does). */
  quotedIntegers?: boolean;
}

/** The identifiers one search accepts. */
interface Vocabulary {
  /** Entity prefix → entity type. */
  prefixes: Readonly<Record<string, EntityType>>;
  /** Canonical attribute keys. */
  attributes: Readonly<Record<string, AttributeSpec>>;
  /** Alternative attribute names → canonical key. */
  aliases: Readonly<Record<string, string>>;
  datasetKeys: readonly string[];
}

/** What an order-by of one search accepts. */
interface OrderVocabulary extends Vocabulary {
  types: readonly EntityType[];
  rejectDuplicates: boolean;
}

const STRING: AttributeSpec = { numeric: false };
const NUMERIC: AttributeSpec = { numeric: true };
const STRING_OR_LIST: AttributeSpec = { numeric: false, lists: LIST_COMPARATORS };

const RUN_PREFIXES: Readonly<Record<string, EntityType>> = {
  metric: 'metric',
  metrics: 'metric',
  parameter: 'param',
  parameters: 'param',
  param: 'param',
  params: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
  dataset: 'dataset',
  datasets: 'dataset',
};
const ATTRIBUTE_AND_TAG_PREFIXES: Readonly<Record<string, EntityType>> = { attribute: 'attribute', tag: 'tag', tags: 'tag' };
const LOGGED_MODEL_PREFIXES: Readonly<Record<string, EntityType>> = Object.fromEntries(
  Object.entries(RUN_PREFIXES).filter(([, type]) => type !== 'dataset'),
);

const RUN_FILTER: Vocabulary = {
  prefixes: RUN_PREFIXES,
  attributes: {
    run_id: STRING_OR_LIST,
    run_name: STRING,
    status: STRING,
    user_id: STRING,
    artifact_uri: STRING,
    start_time: NUMERIC,
    end_time: NUMERIC,
  },
  aliases: { created: 'start_time', Created: 'start_time', 'run name': 'run_name', 'Run name': 'run_name', 'Run Name': 'run_name' },
  datasetKeys: ['name', 'digest', 'context'],
};

const RUN_ORDER: OrderVocabulary = {
  ...RUN_FILTER,
  aliases: { created: 'start_time', Created: 'start_time' },
  datasetKeys: [],
  types: ['metric', 'param', 'tag', 'attribute'],
  rejectDuplicates: true,
};

const EXPERIMENT_FILTER: Vocabulary = {
  prefixes: ATTRIBUTE_AND_TAG_PREFIXES,
  attributes: { name: STRING, creation_time: NUMERIC, last_update_time: NUMERIC },
  aliases: {},
  datasetKeys: [],
};

const EXPERIMENT_ORDER: OrderVocabulary = {
  ...EXPERIMENT_FILTER,
  attributes: { name: STRING, experiment_id: STRING, creation_time: NUMERIC, last_update_time: NUMERIC },
  types: ['attribute'],
  rejectDuplicates: false,
};

const REGISTERED_MODEL_FILTER: Vocabulary = {
  prefixes: ATTRIBUTE_AND_TAG_PREFIXES,
  attributes: { name: STRING },
  aliases: {},
  datasetKeys: [],
};

const REGISTERED_MODEL_ORDER: OrderVocabulary = {
  ...REGISTERED_MODEL_FILTER,
  attributes: { name: STRING, creation_timestamp: NUMERIC, last_updated_timestamp: NUMERIC },
  aliases: { timestamp: 'last_updated_timestamp' },
  types: ['attribute'],
  rejectDuplicates: true,
};

const MODEL_VERSION_FILTER: Vocabulary = {
  prefixes: ATTRIBUTE_AND_TAG_PREFIXES,
  attributes: {
    name: STRING,
    version_number: { numeric: true, quotedIntegers: true },
    run_id: { numeric: false, lists: ['IN'] },
    source_path: STRING,
  },
  aliases: {},
  datasetKeys: [],
};

const MODEL_VERSION_ORDER: OrderVocabulary = {
  ...MODEL_VERSION_FILTER,
  attributes: { name: STRING, version_number: NUMERIC, creation_timestamp: NUMERIC, last_updated_timestamp: NUMERIC },
  types: ['attribute'],
  rejectDuplicates: true,
};

const LOGGED_MODEL_FILTER: Vocabulary = {
  prefixes: LOGGED_MODEL_PREFIXES,
  attributes: {
    name: STRING_OR_LIST,
    model_id: STRING_OR_LIST,
    model_type: STRING_OR_LIST,
    status: STRING_OR_LIST,
    source_run_id: STRING_OR_LIST,
    creation_timestamp: NUMERIC,
    last_updated_timestamp: NUMERIC,
  },
  aliases: { creation_time: 'creation_timestamp', last_updated_time: 'last_updated_timestamp' },
  datasetKeys: [],
};

/**
 * Parses a run search filter (`runs/search`). Entities: `metric(s)` (numeric, `= != > >= < <=`),
 * `param(s)`/`parameter(s)` and `tag(s)` (strings, `= != LIKE ILIKE`), `attribute(s)`/`attr`/`run`
 * or none (`run_id`, `run_name`, `status`, `user_id`, `artifact_uri` as strings, plus `IN`/`NOT IN`
 * lists for `run_id`; `start_time`, `end_time` numeric; aliases `created`/`Created` → `start_time`,
 * `run name`/`Run name`/`Run Name` → `run_name`) and `dataset(s)` (`name`, `digest`, `context`:
 * strings or lists).
 * @returns the AND-ed comparisons; `[]` for an absent or blank filter.
 * @throws CapstanError INVALID_PARAMETER_VALUE naming the offending part of the filter.
 */
export function parseRunFilter(filter: string | undefined): Comparison[] {
  return parseFilter(filter, RUN_FILTER);
}

/**
 * Parses run `order_by` items (`"<identifier> [ASC|DESC]"`, ascending by default), e.g.
 * `metrics.rmse DESC`, `` tags.`a b` ``, `start_time`, `Created DESC`. Attributes: `run_id`,
 * `run_name`, `status`, `user_id`, `artifact_uri`, `start_time`, `end_time`.
 * @throws CapstanError INVALID_PARAMETER_VALUE for an unparsable item, an unknown entity or
 *   attribute, a direction other than ASC/DESC, or the same field twice.
 */
export function parseRunOrderBy(items: string[] | undefined): OrderBy[] {
  return parseOrderBy(items, RUN_ORDER);
}

/**
 * Parses an experiment search filter: attributes `name` (`= != LIKE ILIKE`), `creation_time` and
 * `last_update_time` (numeric), and `tag(s).<key>`. Like MLflow, the only prefixes are
 * `attribute`, `tag` and `tags`.
 * @throws CapstanError INVALID_PARAMETER_VALUE naming the offending part of the filter.
 */
export function parseExperimentFilter(filter: string | undefined): Comparison[] {
  return parseFilter(filter, EXPERIMENT_FILTER);
}

/**
 * Parses experiment `order_by` items over `name`, `experiment_id`, `creation_time` and
 * `last_update_time`.
 * @throws CapstanError INVALID_PARAMETER_VALUE for an unparsable item, a tag or unknown key, or a
 *   direction other than ASC/DESC.
 */
export function parseExperimentOrderBy(items: string[] | undefined): OrderBy[] {
  return parseOrderBy(items, EXPERIMENT_ORDER);
}

/**
 * Parses a registered model search filter: attribute `name` (`= != LIKE ILIKE`) and
 * `tag(s).<key>`.
 * @throws CapstanError INVALID_PARAMETER_VALUE naming the offending part of the filter.
 */
export function parseRegisteredModelFilter(filter: string | undefined): Comparison[] {
  return parseFilter(filter, REGISTERED_MODEL_FILTER);
}

/**
 * Parses registered model `order_by` items over `name`, `creation_timestamp` and
 * `last_updated_timestamp` (alias `timestamp`, as MLflow's SQL store accepts).
 * @throws CapstanError INVALID_PARAMETER_VALUE for an unparsable item, an unknown key, a direction
 *   other than ASC/DESC, or the same field twice.
 */
export function parseRegisteredModelOrderBy(items: string[] | undefined): OrderBy[] {
  return parseOrderBy(items, REGISTERED_MODEL_ORDER);
}

/**
 * Parses a model version search filter: attributes `name`, `source_path` (strings), `run_id`
 * (strings, and `IN` lists — not `NOT IN`, as in MLflow), `version_number` (numeric; a quoted
 * integer is accepted too) and `tag(s).<key>`.
 * @throws CapstanError INVALID_PARAMETER_VALUE naming the offending part of the filter.
 */
export function parseModelVersionFilter(filter: string | undefined): Comparison[] {
  return parseFilter(filter, MODEL_VERSION_FILTER);
}

/**
 * Parses model version `order_by` items over `name`, `version_number`, `creation_timestamp` and
 * `last_updated_timestamp`.
 * @throws CapstanError INVALID_PARAMETER_VALUE for an unparsable item, an unknown key, a direction
 *   other than ASC/DESC, or the same field twice.
 */
export function parseModelVersionOrderBy(items: string[] | undefined): OrderBy[] {
  return parseOrderBy(items, MODEL_VERSION_ORDER);
}

/**
 * Parses a logged model search filter: attributes `name`, `model_id`, `model_type`, `status`,
 * `source_run_id` (strings or `IN`/`NOT IN` lists), `creation_timestamp` (alias `creation_time`)
 * and `last_updated_timestamp` (alias `last_updated_time`), both numeric; `metric(s).*`,
 * `param(s).*`, `tag(s).*` as for runs. Dataset scoping travels separately, not in the filter.
 * @throws CapstanError INVALID_PARAMETER_VALUE naming the offending part of the filter.
 */
export function parseLoggedModelFilter(filter: string | undefined): Comparison[] {
  return parseFilter(filter, LOGGED_MODEL_FILTER);
}

type Value =
  | { kind: 'string'; value: string; text: string }
  | { kind: 'number'; value: number; text: string }
  | { kind: 'list'; values: string[]; text: string }
  | { kind: 'bare'; text: string };

/** An identifier as written: its dot-separated parts and source text. */
interface RawIdentifier {
  parts: Token[];
  text: string;
}

class Cursor {
  private pos = 0;
  constructor(
    private readonly tokens: readonly Token[],
    readonly fail: (detail: string) => CapstanError,
  ) {}

  peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  next(): Token | undefined {
    const token = this.tokens[this.pos];
    if (token) this.pos++;
    return token;
  }
}

function isKeyword(token: Token | undefined, keyword: string): boolean {
  return token?.kind === 'word' && token.value.toUpperCase() === keyword;
}

function has<T>(record: Readonly<Record<string, T>>, key: string): boolean {
  return Object.hasOwn(record, key);
}

function parseFilter(filter: string | undefined, vocabulary: Vocabulary): Comparison[] {
  if (filter === undefined || filter.trim() === '') return [];
  const syntax = (detail: string): CapstanError => invalidParameter(`Invalid filter '${filter}': ${detail}`);
  const tokens = tokenize(filter, syntax);
  if (tokens.some((t) => t.kind === 'semicolon')) {
    throw invalidParameter(`Search filter contained multiple expression '${filter}'. Provide AND-ed expression list.`);
  }
  const cursor = new Cursor(tokens, syntax);
  const comparisons: Comparison[] = [];
  for (;;) {
    comparisons.push(parseComparison(cursor, vocabulary));
    const token = cursor.next();
    if (!token) return comparisons;
    if (isKeyword(token, 'AND')) {
      if (!cursor.peek()) throw syntax("expected a comparison after 'AND'");
      continue;
    }
    throw misplaced(cursor, token, 'after a comparison; comparisons can only be joined with AND');
  }
}

function misplaced(cursor: Cursor, token: Token, where: string): CapstanError {
  if (isKeyword(token, 'OR')) return cursor.fail('OR is not supported; comparisons can only be joined with AND');
  if (token.kind === 'lparen' || token.kind === 'rparen') {
    return cursor.fail('parentheses are only allowed around IN lists; grouping comparisons is not supported');
  }
  return cursor.fail(`unexpected '${token.text}' ${where}`);
}

function parseComparison(cursor: Cursor, vocabulary: Vocabulary): Comparison {
  const first = cursor.peek();
  if (!first) throw cursor.fail('expected a comparison');
  if (isKeyword(first, 'AND') || isKeyword(first, 'OR') || first.kind === 'lparen' || first.kind === 'rparen') {
    throw misplaced(cursor, first, 'where a comparison should start');
  }
  const identifier = readIdentifier(cursor);
  mergeMultiWordAlias(cursor, identifier, vocabulary);
  const comparator = readComparator(cursor, identifier);
  const value = readValue(cursor, identifier, comparator);
  const { type, key, spec } = resolveIdentifier(identifier, vocabulary, null);
  return { type, key, comparator, value: typedValue(type, key, spec, comparator, value, vocabulary) };
}

function readIdentifier(cursor: Cursor): RawIdentifier {
  const first = cursor.next();
  if (!first) throw cursor.fail('expected an identifier such as metrics.rmse');
  if (first.kind !== 'word' && first.kind !== 'quoted' && first.kind !== 'backtick') {
    throw cursor.fail(`expected an identifier such as metrics.rmse, found '${first.text}'`);
  }
  const parts = [first];
  let text = first.text;
  for (let dot = cursor.peek(); dot?.kind === 'dot' && !dot.spaced; dot = cursor.peek()) {
    cursor.next();
    const part = cursor.next();
    if (!part || part.spaced || (part.kind !== 'word' && part.kind !== 'quoted' && part.kind !== 'backtick')) {
      throw cursor.fail(`expected a key after '${text}.'; quote keys with special characters in double quotes or backticks`);
    }
    parts.push(part);
    text += `.${part.text}`;
  }
  return { parts, text };
}

/** Folds an unquoted two-word attribute alias such as `run name` into one part. */
function mergeMultiWordAlias(cursor: Cursor, identifier: RawIdentifier, vocabulary: Vocabulary): void {
  const { parts } = identifier;
  const last = parts.at(-1);
  const next = cursor.peek();
  if (last?.kind !== 'word' || next?.kind !== 'word') return;
  const head = parts[0] as Token;
  const attribute = parts.length === 1 || (parts.length === 2 && head.kind !== 'quoted' && vocabulary.prefixes[head.value] === 'attribute');
  const phrase = `${last.value} ${next.value}`;
  if (!attribute || !has(vocabulary.aliases, phrase)) return;
  cursor.next();
  parts[parts.length - 1] = { ...last, value: phrase, text: phrase, end: next.end };
  identifier.text = `${identifier.text} ${next.text}`;
}

function readComparator(cursor: Cursor, identifier: RawIdentifier): Comparator {
  const token = cursor.next();
  if (!token) throw cursor.fail(`expected a comparison operator after '${identifier.text}'`);
  if (token.kind === 'op') {
    const op = token.value;
    if (op === '=' || op === '!=' || op === '<' || op === '<=' || op === '>' || op === '>=') return op;
    throw invalidParameter(`Invalid comparator '${op}' after '${identifier.text}'. Valid comparators are =, !=, >, >=, <, <=, LIKE, ILIKE, IN, NOT IN`);
  }
  const word = token.kind === 'word' ? token.value.toUpperCase() : '';
  if (word === 'LIKE' || word === 'ILIKE' || word === 'IN') return word;
  if (word === 'NOT' && isKeyword(cursor.peek(), 'IN')) {
    cursor.next();
    return 'NOT IN';
  }
  if (word === 'IS') throw invalidParameter(`Invalid comparator 'IS' after '${identifier.text}': IS NULL / IS NOT NULL comparisons are not supported`);
  if (word === 'NOT') throw invalidParameter(`Invalid comparator 'NOT ${cursor.peek()?.text ?? ''}' after '${identifier.text}'. Only NOT IN is supported`);
  throw cursor.fail(`expected a comparison operator after '${identifier.text}', found '${token.text}'`);
}

function readValue(cursor: Cursor, identifier: RawIdentifier, comparator: Comparator): Value {
  const token = cursor.peek();
  const where = `'${identifier.text} ${comparator}'`;
  if (!token) throw cursor.fail(`expected a value after ${where}`);
  if (comparator === 'IN' || comparator === 'NOT IN') {
    if (token.kind !== 'lparen') throw cursor.fail(`expected a parenthesized list of quoted strings after ${where}, e.g. ('a', 'b')`);
    return readList(cursor);
  }
  switch (token.kind) {
    case 'lparen':
      return readList(cursor);
    case 'string':
    case 'quoted':
      cursor.next();
      return { kind: 'string', value: token.value, text: token.text };
    case 'number': {
      cursor.next();
      const value = Number(token.text);
      if (!Number.isFinite(value)) throw invalidParameter(`Numeric value ${token.text} is out of range`);
      return { kind: 'number', value: value === 0 ? 0 : value, text: token.text };
    }
    case 'word':
    case 'backtick':
      return { kind: 'bare', text: readIdentifier(cursor).text };
    default:
      throw cursor.fail(`expected a value after ${where}, found '${token.text}'`);
  }
}

function readList(cursor: Cursor): Value {
  const open = cursor.next() as Token;
  const values: string[] = [];
  let text = '(';
  for (;;) {
    const token = cursor.next();
    if (!token) throw cursor.fail(`unterminated list starting at position ${open.start}`);
    if (token.kind === 'rparen') break;
    if (token.kind !== 'string' && token.kind !== 'quoted') {
      throw invalidParameter(`While parsing a list in the query, expected a non-empty list of quoted string values, but got ${token.text}`);
    }
    values.push(token.value);
    text += (values.length > 1 ? ', ' : '') + token.text;
    const separator = cursor.next();
    if (separator?.kind === 'rparen') break;
    if (separator?.kind !== 'comma') {
      throw cursor.fail(`expected ',' or ')' in the list starting at position ${open.start}${separator ? `, found '${separator.text}'` : ''}`);
    }
  }
  if (values.length === 0) {
    throw invalidParameter('While parsing a list in the query, expected a non-empty list of string values, but got empty list');
  }
  return { kind: 'list', values, text: `${text})` };
}

interface Resolved {
  type: EntityType;
  key: string;
  /** The attribute's spec; `undefined` for non-attributes. */
  spec: AttributeSpec | undefined;
}

function validNames(record: Readonly<Record<string, unknown>>): string {
  return Object.keys(record).join(', ');
}

/**
 * Maps a raw identifier onto an entity type and canonical key. `order` restricts the entity types
 * (for order-by items); `null` accepts every type the prefixes name.
 */
function resolveIdentifier(identifier: RawIdentifier, vocabulary: Vocabulary, order: readonly EntityType[] | null): Resolved {
  const [head, ...rest] = identifier.parts;
  if (!head) throw invalidParameter(`Invalid identifier '${identifier.text}'`);
  let type: EntityType = 'attribute';
  let key = head.value;
  if (rest.length > 0) {
    const entity = head.value;
    const prefix = head.kind === 'quoted' ? undefined : has(vocabulary.prefixes, entity) ? vocabulary.prefixes[entity] : undefined;
    if (prefix === undefined) {
      throw invalidParameter(`Invalid entity type '${head.text}' in '${identifier.text}'. Valid entity types are ${validNames(vocabulary.prefixes)}`);
    }
    type = prefix;
    key = rest.map((part) => part.value).join('.');
  }
  if (key === '') throw invalidParameter(`Invalid identifier '${identifier.text}': the key is empty`);
  if (order && !order.includes(type)) {
    const only = order.length === 1 ? 'only attributes can be used' : `valid entity types are ${order.join(', ')}`;
    throw invalidParameter(`Invalid order_by entity type '${type}' in '${identifier.text}': ${only}`);
  }
  if (type === 'attribute') {
    const canonical = has(vocabulary.aliases, key) ? (vocabulary.aliases[key] as string) : key;
    const spec = has(vocabulary.attributes, canonical) ? vocabulary.attributes[canonical] : undefined;
    if (!spec) {
      const aliases = Object.keys(vocabulary.aliases);
      throw invalidParameter(
        `Invalid attribute key '${key}' specified. Valid keys are ${validNames(vocabulary.attributes)}${aliases.length ? ` (aliases: ${aliases.join(', ')})` : ''}`,
      );
    }
    return { type, key: canonical, spec };
  }
  if (type === 'dataset' && !vocabulary.datasetKeys.includes(key)) {
    throw invalidParameter(`Invalid dataset key '${key}' specified. Valid keys are ${vocabulary.datasetKeys.join(', ')}`);
  }
  return { type, key, spec: undefined };
}

function describe(type: EntityType, key: string): string {
  const noun = { metric: 'metric', param: 'parameter', tag: 'tag', attribute: 'attribute', dataset: 'dataset field' }[type];
  return `${noun} '${key}'`;
}

function comparatorsFor(type: EntityType, spec: AttributeSpec | undefined): readonly Comparator[] {
  switch (type) {
    case 'metric':
      return NUMERIC_COMPARATORS;
    case 'param':
    case 'tag':
      return STRING_COMPARATORS;
    case 'dataset':
      return [...STRING_COMPARATORS, ...LIST_COMPARATORS];
    case 'attribute':
      if (spec?.numeric) return NUMERIC_COMPARATORS;
      return [...STRING_COMPARATORS, ...(spec?.lists ?? [])];
  }
}

function unquotedString(text: string): CapstanError {
  return invalidParameter(
    `Parameter value is either not quoted or unidentified quote types used for string value ${text}. Use either single or double quotes.`,
  );
}

function typedValue(
  type: EntityType,
  key: string,
  spec: AttributeSpec | undefined,
  comparator: Comparator,
  value: Value,
  vocabulary: Vocabulary,
): Comparison['value'] {
  const what = describe(type, key);
  const allowed = comparatorsFor(type, spec);
  if (!allowed.includes(comparator)) {
    if (type === 'attribute' && (comparator === 'IN' || comparator === 'NOT IN') && !spec?.numeric) {
      const listKeys = Object.keys(vocabulary.attributes).filter((k) => vocabulary.attributes[k]?.lists?.includes(comparator));
      const only = listKeys.length
        ? `Only the ${listKeys.map((k) => `'${k}'`).join(', ')} attribute${listKeys.length > 1 ? 's support' : ' supports'} ${comparator} with a list of quoted string values.`
        : `No attribute supports ${comparator} here.`;
      throw invalidParameter(`Invalid comparator '${comparator}' for ${what}. ${only}`);
    }
    throw invalidParameter(`Invalid comparator '${comparator}' for ${what}. Valid comparators are ${allowed.join(', ')}`);
  }
  if (comparator === 'IN' || comparator === 'NOT IN') return (value as Extract<Value, { kind: 'list' }>).values;
  if (value.kind === 'list') {
    throw invalidParameter(`A list of values for ${what} requires IN or NOT IN, not '${comparator}'`);
  }

  const numeric = type === 'metric' || (type === 'attribute' && spec?.numeric === true);
  if (numeric) {
    if (value.kind === 'number') return value.value;
    if (value.kind === 'string' && spec?.quotedIntegers && /^-?[0-9]+$/.test(value.value.trim())) return Number(value.value);
    throw invalidParameter(
      type === 'metric'
        ? `Expected numeric value type for metric '${key}'. Found ${value.text}`
        : `Expected numeric value type for numeric attribute: ${key}. Found ${value.text}`,
    );
  }
  if (value.kind === 'string') return value.value;
  if (value.kind === 'bare') throw unquotedString(value.text);
  if (type === 'param' || type === 'tag') {
    throw invalidParameter(`Expected a quoted string value for ${what} (e.g. 'my-value'). Got value ${value.text}`);
  }
  throw invalidParameter(`Expected a quoted string value for ${what}. Got value ${value.text}`);
}

function parseOrderBy(items: string[] | undefined, vocabulary: OrderVocabulary): OrderBy[] {
  if (!items) return [];
  const parsed: OrderBy[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    const orderBy = parseOrderItem(item, vocabulary);
    const field = `${orderBy.type}.${orderBy.key}`;
    if (vocabulary.rejectDuplicates && seen.has(field)) {
      throw invalidParameter(`\`order_by\` contains duplicate fields: ${JSON.stringify(items)}`);
    }
    seen.add(field);
    parsed.push(orderBy);
  }
  return parsed;
}

function parseOrderItem(item: string, vocabulary: OrderVocabulary): OrderBy {
  if (typeof item !== 'string' || item.trim() === '') {
    throw invalidParameter(`Invalid order_by clause '${String(item)}'. Could not be parsed.`);
  }
  const syntax = (detail: string): CapstanError => invalidParameter(`Invalid order_by clause '${item}'. Could not be parsed: ${detail}`);
  const cursor = new Cursor(tokenize(item, syntax), syntax);
  const identifier = readIdentifier(cursor);
  let ascending = true;
  const direction = cursor.next();
  if (direction) {
    const word = direction.kind === 'word' ? direction.value.toUpperCase() : '';
    if (word !== 'ASC' && word !== 'DESC') {
      if (direction.kind === 'word') throw invalidParameter(`Invalid ordering key in order_by clause '${item}'. Expected ASC or DESC, found '${direction.text}'`);
      throw cursor.fail(`unexpected '${direction.text}' after '${identifier.text}'`);
    }
    ascending = word === 'ASC';
    const extra = cursor.next();
    if (extra) throw cursor.fail(`unexpected '${extra.text}' after the sort direction`);
  }
  const { type, key } = resolveIdentifier(identifier, vocabulary, vocabulary.types);
  return { type, key, ascending };
}
