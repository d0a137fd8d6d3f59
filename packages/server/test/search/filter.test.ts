import { describe, expect, it } from 'vitest';
import { isCapstanError } from '@capstan/api';
import {
  parseExperimentFilter,
  parseExperimentOrderBy,
  parseLoggedModelFilter,
  parseModelVersionFilter,
  parseModelVersionOrderBy,
  parseRegisteredModelFilter,
  parseRegisteredModelOrderBy,
  parseRunFilter,
  parseRunOrderBy,
} from '../../src/core/search/filter.js';
import type { Comparison } from '../../src/core/search/ast.js';

/** Asserts `fn` throws INVALID_PARAMETER_VALUE whose message matches `message`. */
function expectInvalid(fn: () => unknown, message?: RegExp | string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, 'expected an error').toBeDefined();
  expect(isCapstanError(thrown), String(thrown)).toBe(true);
  if (!isCapstanError(thrown)) return;
  expect(thrown.code).toBe('INVALID_PARAMETER_VALUE');
  if (message !== undefined) expect(thrown.message).toMatch(message);
}

const one = (filter: string): Comparison => {
  const parsed = parseRunFilter(filter);
  expect(parsed).toHaveLength(1);
  return parsed[0] as Comparison;
};

describe('parseRunFilter: empty input', () => {
  it.each([undefined, '', ' ', '\t\n  '])('%j → []', (filter) => {
    expect(parseRunFilter(filter)).toEqual([]);
  });
});

describe('parseRunFilter: entity prefixes', () => {
  it.each([
    ['metric.acc >= 0.94', 'metric', 'acc'],
    ['metrics.acc >= 0.94', 'metric', 'acc'],
    ["parameter.m = 'x'", 'param', 'm'],
    ["parameters.m = 'x'", 'param', 'm'],
    ["param.m = 'x'", 'param', 'm'],
    ["params.m = 'x'", 'param', 'm'],
    ["tag.t = 'x'", 'tag', 't'],
    ["tags.t = 'x'", 'tag', 't'],
    ["attribute.status = 'x'", 'attribute', 'status'],
    ["attributes.status = 'x'", 'attribute', 'status'],
    ["attr.status = 'x'", 'attribute', 'status'],
    ["run.status = 'x'", 'attribute', 'status'],
    ["status = 'x'", 'attribute', 'status'],
    ["dataset.name = 'x'", 'dataset', 'name'],
    ["datasets.name = 'x'", 'dataset', 'name'],
    ['`metric`.a >= 0.1', 'metric', 'a'],
    ["`params`.model = 'LR'", 'param', 'model'],
    ["`tags`.source_name = 'a notebook'", 'tag', 'source_name'],
  ])('%s', (filter, type, key) => {
    expect(one(filter)).toMatchObject({ type, key });
  });

  it.each(['m.acc >= 0.94', 'p.model = \'LR\'', 'attri.x != 1', 'trace.status = \'OK\'', 'Metrics.acc > 1', 'METRICS.acc > 1', '"metrics".acc > 1'])(
    'rejects unknown entity in %s',
    (filter) => expectInvalid(() => parseRunFilter(filter), /Invalid entity type/),
  );

  it('names the valid entity types', () => {
    expectInvalid(() => parseRunFilter('m.acc >= 0.94'), /Invalid entity type 'm' in 'm\.acc'\. Valid entity types are metric, metrics, parameter/);
  });
});

describe('parseRunFilter: keys and quoting', () => {
  it.each([
    ['metrics."legit name" >= 0.243', 'metric', 'legit name'],
    ['metrics."X-Y-Z" = 3', 'metric', 'X-Y-Z'],
    ['metrics."X//Y#$$@&Z" = 3', 'metric', 'X//Y#$$@&Z'],
    ['metrics."accuracy.2.0" > 5', 'metric', 'accuracy.2.0'],
    ['metrics.`spacey name` > 5', 'metric', 'spacey name'],
    ["tags.\"extra-key\" = 'v'", 'tag', 'extra-key'],
    ["tags.`my key` = 'v'", 'tag', 'my key'],
    ['metrics."a b" < 2', 'metric', 'a b'],
    ["tags.mlflow.runName = 'x'", 'tag', 'mlflow.runName'],
    ["tags.`mlflow.prompt.is_prompt` = 'true'", 'tag', 'mlflow.prompt.is_prompt'],
    ["params.\"p.a.r.a.m\" != 'a'", 'param', 'p.a.r.a.m'],
    ['metrics.日本 = 3', 'metric', '日本'],
    ["params.café = 'value'", 'param', 'café'],
    ['metrics."日本 語" = 3', 'metric', '日本 語'],
    ['metrics.XYZ = 3', 'metric', 'XYZ'],
    ['metrics.0 = 3', 'metric', '0'],
    ['metrics.1e5 = 3', 'metric', '1e5'],
    ['metrics.loss_2 = 3', 'metric', 'loss_2'],
    ['metrics."say ""hi""" = 3', 'metric', 'say "hi"'],
    ['metrics.`a``b` = 3', 'metric', 'a`b'],
    ["tags.a.\"b c\" = 'x'", 'tag', 'a.b c'],
  ])('%s', (filter, type, key) => {
    expect(one(filter)).toMatchObject({ type, key });
  });

  it('keeps long keys intact', () => {
    const key = 'a'.repeat(300);
    expect(one(`metrics.${key} = 1`).key).toBe(key);
  });

  it.each([
    ["params.'acc' = 'LR'", /expected a key after 'params\.'/],
    ["params. acc = 'LR'", /expected a key after 'params\.'/],
    ["params.acc. = 'LR'", /expected a key after 'params\.acc\.'/],
    ["tags.`` = 'x'", /the key is empty/],
    ['metrics."" = 1', /the key is empty/],
  ])('rejects the malformed key in %s', (filter, message) => expectInvalid(() => parseRunFilter(filter), message));
});

describe('parseRunFilter: attributes', () => {
  it.each([
    ["attribute.artifact_uri = '1/23/4'", 'artifact_uri', '1/23/4'],
    ["run_id = 'abc123'", 'run_id', 'abc123'],
    ["run_name = 'my run'", 'run_name', 'my run'],
    ["user_id LIKE 'al%'", 'user_id', 'al%'],
    ["status != 'FAILED'", 'status', 'FAILED'],
    ['attribute.start_time >= 1234', 'start_time', 1234],
    ['end_time < 1700000000000', 'end_time', 1700000000000],
  ])('%s', (filter, key, value) => {
    expect(one(filter)).toEqual({ type: 'attribute', key, comparator: expect.any(String), value });
  });

  it.each([
    ["run name = 'x'", 'run_name'],
    ["Run name = 'x'", 'run_name'],
    ["Run Name = 'x'", 'run_name'],
    ["\"run name\" = 'x'", 'run_name'],
    ["`Run name` = 'x'", 'run_name'],
    ["attributes.\"Run name\" = 'x'", 'run_name'],
    ["attributes.run name = 'x'", 'run_name'],
    ["run.`run name` = 'x'", 'run_name'],
  ])('alias %s → %s', (filter, key) => {
    expect(one(filter)).toEqual({ type: 'attribute', key, comparator: '=', value: 'x' });
  });

  it.each([
    ['created > 5', 'start_time'],
    ['Created <= 5', 'start_time'],
    ['attributes.created = 5', 'start_time'],
  ])('alias %s → %s', (filter, key) => {
    expect(one(filter)).toMatchObject({ type: 'attribute', key, value: 5 });
  });

  it('does not fold two words outside attributes', () => {
    expectInvalid(() => parseRunFilter("params.run name = 'x'"), /expected a comparison operator after 'params\.run', found 'name'/);
  });

  it.each([
    "name = 'foo'",
    "attribute.lifecycle_stage = 'active'",
    'attribute.experiment_id != 1',
    'acc >= 0.94',
    "attribute._status != 'RUNNING'",
    "RUN_ID = 'a'",
    "run.name = 'x'",
    "\"tags.x\" = 'a'",
  ])('rejects unknown attribute in %s', (filter) => {
    expectInvalid(() => parseRunFilter(filter), /Invalid attribute key '.*' specified\. Valid keys are run_id, run_name, status, user_id, artifact_uri, start_time, end_time \(aliases: created/);
  });

  it.each(['dataset.status = \'true\'', "dataset.profile = 'num_rows: 10'", "datasets.Name = 'x'"])('rejects unknown dataset key in %s', (filter) => {
    expectInvalid(() => parseRunFilter(filter), /Invalid dataset key '.*' specified\. Valid keys are name, digest, context/);
  });
});

describe('parseRunFilter: comparators', () => {
  it.each(['=', '!=', '>', '>=', '<', '<='])('metric %s', (op) => {
    expect(one(`metrics.m ${op} 1`).comparator).toBe(op);
  });

  it.each([
    ['=', '='],
    ['!=', '!='],
    ['LIKE', 'LIKE'],
    ['like', 'LIKE'],
    ['Like', 'LIKE'],
    ['ILIKE', 'ILIKE'],
    ['ilike', 'ILIKE'],
    ['iLike', 'ILIKE'],
  ])('param %s → %s', (op, canonical) => {
    expect(one(`params.p ${op} 'x'`).comparator).toBe(canonical);
    expect(one(`tags.t ${op} 'x'`).comparator).toBe(canonical);
    expect(one(`attributes.status ${op} 'x'`).comparator).toBe(canonical);
    expect(one(`dataset.context ${op} 'x'`).comparator).toBe(canonical);
  });

  it.each(['=', '!=', '>', '>=', '<', '<='])('numeric attribute %s', (op) => {
    expect(one(`start_time ${op} 10`)).toEqual({ type: 'attribute', key: 'start_time', comparator: op, value: 10 });
  });

  it.each([
    ["metrics.m LIKE '%x%'", /Invalid comparator 'LIKE' for metric 'm'\. Valid comparators are =, !=, >, >=, <, <=/],
    ["metrics.m ILIKE 'x'", /Invalid comparator 'ILIKE' for metric 'm'/],
    ["metrics.m IN ('a')", /Invalid comparator 'IN' for metric 'm'/],
    ["params.p > 'x'", /Invalid comparator '>' for parameter 'p'\. Valid comparators are =, !=, LIKE, ILIKE/],
    ["params.p <= 'x'", /Invalid comparator '<=' for parameter 'p'/],
    ["params.p IN ('x')", /Invalid comparator 'IN' for parameter 'p'/],
    ["params.p NOT IN ('x')", /Invalid comparator 'NOT IN' for parameter 'p'/],
    ["tags.t > 'x'", /Invalid comparator '>' for tag 't'/],
    ["tags.t IN ('x')", /Invalid comparator 'IN' for tag 't'/],
    ["attribute.status > 'x'", /Invalid comparator '>' for attribute 'status'\. Valid comparators are =, !=, LIKE, ILIKE$/],
    ["attribute.start_time LIKE '5'", /Invalid comparator 'LIKE' for attribute 'start_time'\. Valid comparators are =, !=, >, >=, <, <=/],
    ["end_time IN ('5')", /Invalid comparator 'IN' for attribute 'end_time'/],
    ["status IN ('READY', 'FAILED')", /Invalid comparator 'IN' for attribute 'status'\. Only the 'run_id' attribute supports IN with a list/],
    ["run_name NOT IN ('a')", /Only the 'run_id' attribute supports NOT IN/],
    ["dataset.name > 'x'", /Invalid comparator '>' for dataset field 'name'/],
  ])('rejects %s', (filter, message) => expectInvalid(() => parseRunFilter(filter), message));

  it.each([
    ['metrics.m == 1', /Invalid comparator '=='/],
    ['metrics.m <> 1', /Invalid comparator '<>'/],
    ["params.p RLIKE 'x'", /expected a comparison operator after 'params\.p', found 'RLIKE'/],
    ["params.p NOT LIKE 'x'", /Invalid comparator 'NOT LIKE'.*Only NOT IN is supported/],
    ['tags.t IS NULL', /IS NULL \/ IS NOT NULL comparisons are not supported/],
    ['tags.t IS NOT NULL', /IS NULL/],
    ['metrics.m ! 1', /unexpected character '!'/],
    ['metrics.m => 1', /expected a value after 'metrics\.m =', found '>'/],
  ])('rejects unknown comparator in %s', (filter, message) => expectInvalid(() => parseRunFilter(filter), message));
});

describe('parseRunFilter: values', () => {
  it.each([
    ['0.94', 0.94],
    ['100', 100],
    ['-5', -5],
    ['-1.5e-3', -1.5e-3],
    ['1e10', 1e10],
    ['1E10', 1e10],
    ['2.5E+3', 2500],
    ['.5', 0.5],
    ['.0', 0],
    ['100.', 100],
    ['-0.0', 0],
    ['0', 0],
    ['123456789012345', 123456789012345],
    ['1.23456789012345', 1.23456789012345],
  ])('metric number %s', (text, value) => {
    const parsed = one(`metrics.m = ${text}`);
    expect(parsed.value).toBe(value);
    expect(Object.is(parsed.value, -0)).toBe(false);
  });

  it.each([
    ["'LR'", 'LR'],
    ['"LR"', 'LR'],
    ['"L\'Hosp"', "L'Hosp"],
    ["'say \"hi\"'", 'say "hi"'],
    ["''", ''],
    ['""', ''],
    ["'with, comma'", 'with, comma'],
    ["'trailing space '", 'trailing space '],
    ["'  AND OR ( ) ; '", '  AND OR ( ) ; '],
    ["'it''s'", "it's"],
    ["'it\\'s'", "it's"],
    ['"a\\"b"', 'a"b'],
    ['"a""b"', 'a"b'],
    ["'%\\_%'", '%\\_%'],
    ["'C:\\\\dir'", 'C:\\\\dir'],
    ["'🚀'", '🚀'],
    ["'ω'", 'ω'],
    ["'123'", '123'],
  ])('string %s', (text, value) => {
    expect(one(`params.p = ${text}`).value).toBe(value);
    expect(one(`tags.t = ${text}`).value).toBe(value);
  });

  it('keeps long values intact', () => {
    const value = 'x'.repeat(5000);
    expect(one(`params.k = '${value}'`).value).toBe(value);
  });

  it.each([
    ["metrics.m = 'LR'", /Expected numeric value type for metric 'm'\. Found 'LR'/],
    ["metrics.m = '5'", /Expected numeric value type for metric 'm'\. Found '5'/],
    ['metrics.m = "5"', /Expected numeric value type for metric 'm'\. Found "5"/],
    ['metrics.m = nan', /Expected numeric value type for metric 'm'\. Found nan/],
    ['metrics.acc != metrics.acc', /Expected numeric value type for metric 'acc'\. Found metrics\.acc/],
    ['params.acc = 5', /Expected a quoted string value for parameter 'acc' \(e\.g\. 'my-value'\)\. Got value 5/],
    ['tags.acc = 5.5', /Expected a quoted string value for tag 'acc' \(e\.g\. 'my-value'\)\. Got value 5\.5/],
    ['params.acc = LR', /Parameter value is either not quoted or unidentified quote types used for string value LR\. Use either single or double quotes\./],
    ['tags.acc = LR', /not quoted .* string value LR/],
    ['params.acc = `LR`', /not quoted .* string value `LR`/],
    ['attribute.status = true', /not quoted .* string value true/],
    ['attribute.status = 1', /Expected a quoted string value for attribute 'status'\. Got value 1/],
    ["attribute.start_time = '5'", /Expected numeric value type for numeric attribute: start_time\. Found '5'/],
    ['created = yesterday', /Expected numeric value type for numeric attribute: start_time\. Found yesterday/],
    ['dataset.name = 5', /Expected a quoted string value for dataset field 'name'\. Got value 5/],
    ['metrics.m = 1e999', /Numeric value 1e999 is out of range/],
    ['metrics.m = 0x1F', /invalid number '0x1F'/],
    ['metrics.m = 1abc', /invalid number '1abc'/],
    ['metrics.m = 1.2.3', /unexpected '\.3' after a comparison/],
    ["params.p = ('a', 'b')", /A list of values for parameter 'p' requires IN or NOT IN, not '='/],
    ["run_id = ('a', 'b')", /A list of values for attribute 'run_id' requires IN or NOT IN, not '='/],
  ])('rejects %s', (filter, message) => expectInvalid(() => parseRunFilter(filter), message));
});

describe('parseRunFilter: IN lists', () => {
  it.each([
    ["run_id IN ('a')", 'IN', ['a']],
    ["run_id IN ('abc123', 'def456')", 'IN', ['abc123', 'def456']],
    ["run_id in ('a','b','c')", 'IN', ['a', 'b', 'c']],
    ["attribute.run_id NOT IN ('a', 'b')", 'NOT IN', ['a', 'b']],
    ["run_id not in ('a')", 'NOT IN', ['a']],
    ["run_id Not In ('a')", 'NOT IN', ['a']],
    ['run_id IN ("a", \'b\')', 'IN', ['a', 'b']],
    ["run_id IN ('a',)", 'IN', ['a']],
    ["run_id IN(  'a' ,'b'  )", 'IN', ['a', 'b']],
    ["run_id IN ('MixedCase', 'lower')", 'IN', ['MixedCase', 'lower']],
    ["run_id IN ('a, b', 'c)')", 'IN', ['a, b', 'c)']],
  ])('%s', (filter, comparator, value) => {
    expect(one(filter)).toEqual({ type: 'attribute', key: 'run_id', comparator, value });
  });

  it.each([
    ["dataset.name IN ('x', 'y')", 'name', 'IN', ['x', 'y']],
    ["datasets.digest NOT IN ('d1')", 'digest', 'NOT IN', ['d1']],
    ["dataset.context IN ('train', 'eval')", 'context', 'IN', ['train', 'eval']],
  ])('%s', (filter, key, comparator, value) => {
    expect(one(filter)).toEqual({ type: 'dataset', key, comparator, value });
  });

  it.each([
    ['run_id IN ()', /expected a non-empty list of string values, but got empty list/],
    ["run_id IN ('a', 5)", /While parsing a list in the query, expected a non-empty list of quoted string values, but got 5/],
    ['run_id IN (1, 2)', /but got 1/],
    ['run_id IN (a)', /but got a/],
    ["run_id IN ('a' 'b')", /expected ',' or '\)' in the list starting at position 10, found ''b''/],
    ["run_id IN ('a',, 'b')", /but got ,/],
    ["run_id IN ('a'", /expected ',' or '\)' in the list/],
    ['run_id IN (', /unterminated list/],
    ["run_id IN 'a'", /expected a parenthesized list of quoted strings after 'run_id IN'/],
    ['run_id NOT IN', /expected a value after 'run_id NOT IN'/],
    ["run_id NOT 'a'", /Invalid comparator 'NOT 'a''/],
  ])('rejects %s', (filter, message) => expectInvalid(() => parseRunFilter(filter), message));
});

describe('parseRunFilter: AND and whitespace', () => {
  const expected: Comparison[] = [
    { type: 'metric', key: 'a', comparator: '>', value: 1 },
    { type: 'param', key: 'b', comparator: '=', value: 'x' },
  ];

  it.each([
    "metrics.a > 1 AND params.b = 'x'",
    "metrics.a > 1 and params.b = 'x'",
    "metrics.a > 1 And params.b = 'x'",
    "metrics.a>1 AND params.b='x'",
    "  metrics.a  >  1   AND   params.b  =  'x'  ",
    "metrics.a > 1\nAND\tparams.b = 'x'",
  ])('%j', (filter) => {
    expect(parseRunFilter(filter)).toEqual(expected);
  });

  it('parses many clauses in order', () => {
    const parsed = parseRunFilter(
      "metrics.rmse < 1 and params.model_class = 'LR' AND tags.c LIKE 'y%' AND run_id IN ('r1') AND datasets.name = 'd' AND start_time >= 5",
    );
    expect(parsed.map((c) => `${c.type}.${c.key}`)).toEqual(['metric.rmse', 'param.model_class', 'tag.c', 'attribute.run_id', 'dataset.name', 'attribute.start_time']);
  });

  it('allows the same key twice', () => {
    expect(parseRunFilter('metrics.a > 1 AND metrics.a < 2')).toHaveLength(2);
  });

  it.each([
    ["metrics.A > 0.1 OR params.B = 'LR'", /OR is not supported; comparisons can only be joined with AND/],
    ["metrics.A > 0.1 or params.B = 'LR'", /OR is not supported/],
    ["OR metrics.A > 0.1", /OR is not supported/],
    ["metrics.A > 0.1 AND (params.B = 'LR')", /parentheses are only allowed around IN lists/],
    ['(metrics.A > 0.1)', /parentheses are only allowed around IN lists/],
    ["(metrics.A > 0.1 OR params.B = 'LR') AND tags.t = 'x'", /parentheses/],
    ['metrics.A > 0.1)', /parentheses/],
    ["metrics.A > 0.1 NAND params.B = 'LR'", /unexpected 'NAND' after a comparison; comparisons can only be joined with AND/],
    ['metrics.foo > 1 extra', /unexpected 'extra' after a comparison/],
    ["metrics.a > 1 params.b = 'x'", /unexpected 'params' after a comparison/],
    ['metrics.a > 1 AND', /expected a comparison after 'AND'/],
    ['AND metrics.a > 1', /unexpected 'AND' where a comparison should start/],
    ['metrics.a > 1 AND AND metrics.b > 1', /unexpected 'AND' where a comparison should start/],
    ['metrics.acc >= 0.94; metrics.rmse < 1', /Search filter contained multiple expression 'metrics\.acc >= 0\.94; metrics\.rmse < 1'\. Provide AND-ed expression list\./],
    ['metrics.acc >= 0.94;', /multiple expression/],
  ])('rejects %s', (filter, message) => expectInvalid(() => parseRunFilter(filter), message));
});

describe('parseRunFilter: malformed input', () => {
  it.each([
    ['metrics.foo >', /Invalid filter 'metrics\.foo >': expected a value after 'metrics\.foo >'/],
    ['metric.acc !=', /expected a value after 'metric\.acc !='/],
    ['metrics.foo', /expected a comparison operator after 'metrics\.foo'/],
    ['params.acc LR', /expected a comparison operator after 'params\.acc', found 'LR'/],
    ["params.acc LR !=", /found 'LR'/],
    ['foo bar', /expected a comparison operator after 'foo', found 'bar'/],
    ['metrics.a = = 1', /expected a value after 'metrics\.a =', found '='/],
    ["= 'x'", /expected an identifier such as metrics\.rmse, found '='/],
    ["'x' = 'y'", /expected an identifier such as metrics\.rmse, found ''x''/],
    ['1=1', /expected an identifier such as metrics\.rmse, found '1'/],
    ['1.0 > metrics.acc', /found '1\.0'/],
    ["params.acc = 'LR", /unterminated quoted string starting at position 13/],
    ["params.acc = LR'", /unterminated quoted string starting at position 15/],
    ['params.acc = "LR\'', /unterminated quoted string starting at position 13/],
    ["params.'acc = LR", /unterminated quoted string/],
    ['`metrics.A > 0.1', /unterminated backtick-quoted name starting at position 0/],
    ['param`.A > 0.1', /unterminated backtick/],
    ["tags.\"key = 'x'", /unterminated quoted string starting at position 5/],
    ['metrics.m > 1 # comment', /unexpected character '#' at position 14/],
    ["params.p = 'a' || 'b'", /unexpected character '\|'/],
    ['metrics.m > -', /unexpected character '-'/],
    ['metrics.m-1 > 0', /expected a comparison operator after 'metrics\.m', found '-1'/],
    ['metrics . m > 1', /expected a comparison operator after 'metrics', found '\.'/],
  ])('rejects %j', (filter, message) => expectInvalid(() => parseRunFilter(filter), message));
});

describe('parseRunOrderBy', () => {
  it.each([
    [undefined, []],
    [[], []],
  ])('%j → []', (items, expected) => {
    expect(parseRunOrderBy(items)).toEqual(expected);
  });

  it.each([
    ['metrics.rmse DESC', { type: 'metric', key: 'rmse', ascending: false }],
    ['metrics.rmse', { type: 'metric', key: 'rmse', ascending: true }],
    ['metrics.rmse ASC', { type: 'metric', key: 'rmse', ascending: true }],
    ['metrics.rmse asc', { type: 'metric', key: 'rmse', ascending: true }],
    ['metrics.rmse desc', { type: 'metric', key: 'rmse', ascending: false }],
    ['metrics.rmse Desc', { type: 'metric', key: 'rmse', ascending: false }],
    ['metric.acc', { type: 'metric', key: 'acc', ascending: true }],
    ['metrics.`Mean Square Error` DESC', { type: 'metric', key: 'Mean Square Error', ascending: false }],
    ['metrics."quoted key" DESC', { type: 'metric', key: 'quoted key', ascending: false }],
    ['params.lr', { type: 'param', key: 'lr', ascending: true }],
    ['parameters.lr DESC', { type: 'param', key: 'lr', ascending: false }],
    ['tags.`a b`', { type: 'tag', key: 'a b', ascending: true }],
    ['tags.mlflow.runName', { type: 'tag', key: 'mlflow.runName', ascending: true }],
    ['attributes.start_time', { type: 'attribute', key: 'start_time', ascending: true }],
    ['attribute.start_time DESC', { type: 'attribute', key: 'start_time', ascending: false }],
    ['start_time', { type: 'attribute', key: 'start_time', ascending: true }],
    ['end_time DESC', { type: 'attribute', key: 'end_time', ascending: false }],
    ['run_name', { type: 'attribute', key: 'run_name', ascending: true }],
    ['attribute.run_id ASC', { type: 'attribute', key: 'run_id', ascending: true }],
    ['status', { type: 'attribute', key: 'status', ascending: true }],
    ['user_id ASC', { type: 'attribute', key: 'user_id', ascending: true }],
    ['artifact_uri', { type: 'attribute', key: 'artifact_uri', ascending: true }],
    ['Created DESC', { type: 'attribute', key: 'start_time', ascending: false }],
    ['created', { type: 'attribute', key: 'start_time', ascending: true }],
    ['run.status', { type: 'attribute', key: 'status', ascending: true }],
    ['  metrics.rmse   DESC  ', { type: 'metric', key: 'rmse', ascending: false }],
    ['`run_name`', { type: 'attribute', key: 'run_name', ascending: true }],
  ])('%s', (item, expected) => {
    expect(parseRunOrderBy([item])).toEqual([expected]);
  });

  it('keeps the order of several items', () => {
    expect(parseRunOrderBy(['metrics.a DESC', 'params.b', 'start_time ASC'])).toEqual([
      { type: 'metric', key: 'a', ascending: false },
      { type: 'param', key: 'b', ascending: true },
      { type: 'attribute', key: 'start_time', ascending: true },
    ]);
  });

  it.each([
    ['', /Invalid order_by clause ''\. Could not be parsed\./],
    ['   ', /Could not be parsed/],
    ['name', /Invalid attribute key 'name' specified\. Valid keys are run_id, run_name, status, user_id, artifact_uri, start_time, end_time \(aliases: created, Created\)/],
    ['timestamp DESC', /Invalid attribute key 'timestamp'/],
    ['experiment_id', /Invalid attribute key 'experiment_id'/],
    ['lifecycle_stage', /Invalid attribute key 'lifecycle_stage'/],
    ['Run name', /Invalid ordering key in order_by clause 'Run name'\. Expected ASC or DESC, found 'name'/],
    ['m.acc', /Invalid entity type 'm'/],
    ['dataset.name', /Invalid order_by entity type 'dataset' in 'dataset\.name': valid entity types are metric, param, tag, attribute/],
    ['metrics.rmse DESCENDING', /Invalid ordering key in order_by clause 'metrics\.rmse DESCENDING'/],
    ['attribute.run_id ACS', /Invalid ordering key/],
    ['params.foo bar', /Invalid ordering key in order_by clause 'params\.foo bar'/],
    ['metrics.foo ASC DESC', /Invalid order_by clause 'metrics\.foo ASC DESC'\. Could not be parsed: unexpected 'DESC' after the sort direction/],
    ['metrics.A != 1', /Could not be parsed: unexpected '!=' after 'metrics\.A'/],
    ['`metrics.A', /Could not be parsed: unterminated backtick/],
    ['metrics.', /Could not be parsed: expected a key after 'metrics\.'/],
    ["'start_time'", /Could not be parsed: expected an identifier/],
    ['metrics.rmse, params.lr', /Could not be parsed: unexpected ','/],
  ])('rejects %j', (item, message) => expectInvalid(() => parseRunOrderBy([item]), message));

  it.each([
    [['metrics.a', 'metrics.a DESC']],
    [['start_time', 'Created DESC']],
    [['tags.`x`', 'tags.x']],
  ])('rejects duplicate fields %j', (items) => {
    expectInvalid(() => parseRunOrderBy(items), /`order_by` contains duplicate fields/);
  });

  it('allows the same key under different entities', () => {
    expect(parseRunOrderBy(['metrics.a', 'params.a', 'tags.a'])).toHaveLength(3);
  });
});

describe('parseExperimentFilter', () => {
  it.each([
    ["name = 'Default'", { type: 'attribute', key: 'name', comparator: '=', value: 'Default' }],
    ["name != 'x'", { type: 'attribute', key: 'name', comparator: '!=', value: 'x' }],
    ["name LIKE 'exp%'", { type: 'attribute', key: 'name', comparator: 'LIKE', value: 'exp%' }],
    ["attribute.name ilike '%EXP%'", { type: 'attribute', key: 'name', comparator: 'ILIKE', value: '%EXP%' }],
    ['creation_time > 100', { type: 'attribute', key: 'creation_time', comparator: '>', value: 100 }],
    ['last_update_time <= 999', { type: 'attribute', key: 'last_update_time', comparator: '<=', value: 999 }],
    ["tags.owner = 'me'", { type: 'tag', key: 'owner', comparator: '=', value: 'me' }],
    ["tag.`team name` LIKE 'ml%'", { type: 'tag', key: 'team name', comparator: 'LIKE', value: 'ml%' }],
  ])('%s', (filter, expected) => {
    expect(parseExperimentFilter(filter)).toEqual([expected]);
  });

  it('parses AND-ed clauses', () => {
    expect(parseExperimentFilter("name LIKE 'a%' AND tags.k = 'v' AND creation_time >= 1")).toHaveLength(3);
  });

  it('returns [] for empty input', () => {
    expect(parseExperimentFilter(undefined)).toEqual([]);
    expect(parseExperimentFilter('  ')).toEqual([]);
  });

  it.each([
    ["experiment_id = '1'", /Invalid attribute key 'experiment_id' specified\. Valid keys are name, creation_time, last_update_time/],
    ["lifecycle_stage = 'active'", /Invalid attribute key 'lifecycle_stage'/],
    ["attributes.name = 'x'", /Invalid entity type 'attributes' in 'attributes\.name'\. Valid entity types are attribute, tag, tags/],
    ['metrics.a > 1', /Invalid entity type 'metrics'/],
    ["params.a = 'x'", /Invalid entity type 'params'/],
    ["name > 'x'", /Invalid comparator '>' for attribute 'name'/],
    ["name IN ('a', 'b')", /Invalid comparator 'IN' for attribute 'name'\. No attribute supports IN here/],
    ["creation_time = '5'", /Expected numeric value type for numeric attribute: creation_time/],
    ["creation_time LIKE '5'", /Invalid comparator 'LIKE' for attribute 'creation_time'/],
    ['name = 5', /Expected a quoted string value for attribute 'name'/],
    ["tags.k > 'v'", /Invalid comparator '>' for tag 'k'/],
    ["name = 'a' OR name = 'b'", /OR is not supported/],
  ])('rejects %s', (filter, message) => expectInvalid(() => parseExperimentFilter(filter), message));
});

describe('parseExperimentOrderBy', () => {
  it.each([
    ['name', { type: 'attribute', key: 'name', ascending: true }],
    ['name DESC', { type: 'attribute', key: 'name', ascending: false }],
    ['experiment_id ASC', { type: 'attribute', key: 'experiment_id', ascending: true }],
    ['creation_time', { type: 'attribute', key: 'creation_time', ascending: true }],
    ['attribute.last_update_time desc', { type: 'attribute', key: 'last_update_time', ascending: false }],
  ])('%s', (item, expected) => {
    expect(parseExperimentOrderBy([item])).toEqual([expected]);
  });

  it('returns [] without items', () => {
    expect(parseExperimentOrderBy(undefined)).toEqual([]);
  });

  it.each([
    ['tags.owner', /Invalid order_by entity type 'tag' in 'tags\.owner': only attributes can be used/],
    ['metrics.a', /Invalid entity type 'metrics'/],
    ['start_time', /Invalid attribute key 'start_time' specified\. Valid keys are name, experiment_id, creation_time, last_update_time/],
    ['name sideways', /Invalid ordering key/],
  ])('rejects %s', (item, message) => expectInvalid(() => parseExperimentOrderBy([item]), message));
});

describe('parseRegisteredModelFilter', () => {
  it.each([
    ["name = 'm'", { type: 'attribute', key: 'name', comparator: '=', value: 'm' }],
    ["name != 'm'", { type: 'attribute', key: 'name', comparator: '!=', value: 'm' }],
    ["name LIKE '%m%'", { type: 'attribute', key: 'name', comparator: 'LIKE', value: '%m%' }],
    ['name ILIKE "%M%"', { type: 'attribute', key: 'name', comparator: 'ILIKE', value: '%M%' }],
    ["attribute.name = 'm'", { type: 'attribute', key: 'name', comparator: '=', value: 'm' }],
    ["tags.`mlflow.prompt.is_prompt` != 'true'", { type: 'tag', key: 'mlflow.prompt.is_prompt', comparator: '!=', value: 'true' }],
    ["tag.k = 'v'", { type: 'tag', key: 'k', comparator: '=', value: 'v' }],
  ])('%s', (filter, expected) => {
    expect(parseRegisteredModelFilter(filter)).toEqual([expected]);
  });

  it.each([
    ['creation_timestamp > 1', /Invalid attribute key 'creation_timestamp' specified\. Valid keys are name$/],
    ["run_id = 'x'", /Invalid attribute key 'run_id'/],
    ["params.a = 'x'", /Invalid entity type 'params'/],
    ["name IN ('a')", /Invalid comparator 'IN' for attribute 'name'/],
    ["name > 'a'", /Invalid comparator '>' for attribute 'name'/],
    ['name = 1', /Expected a quoted string value for attribute 'name'/],
    ['name = m', /not quoted/],
  ])('rejects %s', (filter, message) => expectInvalid(() => parseRegisteredModelFilter(filter), message));
});

describe('parseRegisteredModelOrderBy', () => {
  it.each([
    ['name', { type: 'attribute', key: 'name', ascending: true }],
    ['name DESC', { type: 'attribute', key: 'name', ascending: false }],
    ['creation_timestamp DESC', { type: 'attribute', key: 'creation_timestamp', ascending: false }],
    ['last_updated_timestamp', { type: 'attribute', key: 'last_updated_timestamp', ascending: true }],
    ['timestamp DESC', { type: 'attribute', key: 'last_updated_timestamp', ascending: false }],
    ['timestamp', { type: 'attribute', key: 'last_updated_timestamp', ascending: true }],
  ])('%s', (item, expected) => {
    expect(parseRegisteredModelOrderBy([item])).toEqual([expected]);
  });

  it.each([
    ['version_number', /Invalid attribute key 'version_number' specified\. Valid keys are name, creation_timestamp, last_updated_timestamp \(aliases: timestamp\)/],
    ['tags.k', /Invalid order_by entity type 'tag'/],
    ['timestamp somerandomstuff', /Invalid ordering key/],
    ['last_updated_timestamp DESC blah', /Could not be parsed: unexpected 'blah'/],
  ])('rejects %s', (item, message) => expectInvalid(() => parseRegisteredModelOrderBy([item]), message));

  it('rejects the same field twice, through its alias too', () => {
    expectInvalid(() => parseRegisteredModelOrderBy(['name', 'name DESC']), /duplicate fields/);
    expectInvalid(() => parseRegisteredModelOrderBy(['timestamp', 'last_updated_timestamp DESC']), /duplicate fields/);
  });
});

describe('parseModelVersionFilter', () => {
  it.each([
    ["name = 'm'", { type: 'attribute', key: 'name', comparator: '=', value: 'm' }],
    ["name ILIKE 'M%'", { type: 'attribute', key: 'name', comparator: 'ILIKE', value: 'M%' }],
    ['version_number = 3', { type: 'attribute', key: 'version_number', comparator: '=', value: 3 }],
    ['version_number > 1.5', { type: 'attribute', key: 'version_number', comparator: '>', value: 1.5 }],
    ["version_number = '3'", { type: 'attribute', key: 'version_number', comparator: '=', value: 3 }],
    ["run_id = 'r1'", { type: 'attribute', key: 'run_id', comparator: '=', value: 'r1' }],
    ["run_id LIKE 'r%'", { type: 'attribute', key: 'run_id', comparator: 'LIKE', value: 'r%' }],
    ["run_id IN ('r1', 'r2')", { type: 'attribute', key: 'run_id', comparator: 'IN', value: ['r1', 'r2'] }],
    ["source_path = 'models:/m-1'", { type: 'attribute', key: 'source_path', comparator: '=', value: 'models:/m-1' }],
    ["attribute.source_path LIKE 's3://%'", { type: 'attribute', key: 'source_path', comparator: 'LIKE', value: 's3://%' }],
    ["tags.stage = 'prod'", { type: 'tag', key: 'stage', comparator: '=', value: 'prod' }],
  ])('%s', (filter, expected) => {
    expect(parseModelVersionFilter(filter)).toEqual([expected]);
  });

  it('parses the client’s usual name-and-run filter', () => {
    expect(parseModelVersionFilter("name='my model' and run_id='abc'")).toEqual([
      { type: 'attribute', key: 'name', comparator: '=', value: 'my model' },
      { type: 'attribute', key: 'run_id', comparator: '=', value: 'abc' },
    ]);
  });

  it.each([
    ["version = '1'", /Invalid attribute key 'version' specified\. Valid keys are name, version_number, run_id, source_path/],
    ['creation_timestamp > 1', /Invalid attribute key 'creation_timestamp'/],
    ["run_id NOT IN ('r1')", /Invalid comparator 'NOT IN' for attribute 'run_id'\. No attribute supports NOT IN here/],
    ["name IN ('a')", /Invalid comparator 'IN' for attribute 'name'\. Only the 'run_id' attribute supports IN/],
    ["version_number = 'three'", /Expected numeric value type for numeric attribute: version_number\. Found 'three'/],
    ["version_number LIKE '1%'", /Invalid comparator 'LIKE' for attribute 'version_number'/],
    ['name = 1', /Expected a quoted string value for attribute 'name'/],
    ["metrics.a > 1", /Invalid entity type 'metrics'/],
  ])('rejects %s', (filter, message) => expectInvalid(() => parseModelVersionFilter(filter), message));
});

describe('parseModelVersionOrderBy', () => {
  it.each([
    ['name', { type: 'attribute', key: 'name', ascending: true }],
    ['version_number DESC', { type: 'attribute', key: 'version_number', ascending: false }],
    ['creation_timestamp', { type: 'attribute', key: 'creation_timestamp', ascending: true }],
    ['last_updated_timestamp DESC', { type: 'attribute', key: 'last_updated_timestamp', ascending: false }],
  ])('%s', (item, expected) => {
    expect(parseModelVersionOrderBy([item])).toEqual([expected]);
  });

  it('parses MLflow’s default ordering', () => {
    expect(parseModelVersionOrderBy(['last_updated_timestamp DESC', 'name ASC', 'version_number DESC'])).toHaveLength(3);
  });

  it.each([
    ['version', /Invalid attribute key 'version'/],
    ['run_id', /Invalid attribute key 'run_id'/],
    ['timestamp', /Invalid attribute key 'timestamp'/],
  ])('rejects %s', (item, message) => expectInvalid(() => parseModelVersionOrderBy([item]), message));

  it('rejects duplicates', () => {
    expectInvalid(() => parseModelVersionOrderBy(['version_number', 'version_number DESC']), /duplicate fields/);
  });
});

describe('parseLoggedModelFilter', () => {
  it.each([
    ["name = 'model'", { type: 'attribute', key: 'name', comparator: '=', value: 'model' }],
    ["model_id = 'm-123'", { type: 'attribute', key: 'model_id', comparator: '=', value: 'm-123' }],
    ["model_type LIKE 'ag%'", { type: 'attribute', key: 'model_type', comparator: 'LIKE', value: 'ag%' }],
    ["status = 'READY'", { type: 'attribute', key: 'status', comparator: '=', value: 'READY' }],
    ["source_run_id = 'r-1'", { type: 'attribute', key: 'source_run_id', comparator: '=', value: 'r-1' }],
    ["attributes.status IN ('READY', 'PENDING')", { type: 'attribute', key: 'status', comparator: 'IN', value: ['READY', 'PENDING'] }],
    ["model_id NOT IN ('m-1')", { type: 'attribute', key: 'model_id', comparator: 'NOT IN', value: ['m-1'] }],
    ['creation_timestamp > 100', { type: 'attribute', key: 'creation_timestamp', comparator: '>', value: 100 }],
    ['creation_time > 100', { type: 'attribute', key: 'creation_timestamp', comparator: '>', value: 100 }],
    ['last_updated_timestamp < 999', { type: 'attribute', key: 'last_updated_timestamp', comparator: '<', value: 999 }],
    ['last_updated_time < 999', { type: 'attribute', key: 'last_updated_timestamp', comparator: '<', value: 999 }],
    ['metrics.accuracy > 0.9', { type: 'metric', key: 'accuracy', comparator: '>', value: 0.9 }],
    ['metric.loss <= 0.1', { type: 'metric', key: 'loss', comparator: '<=', value: 0.1 }],
    ["params.lr = '0.01'", { type: 'param', key: 'lr', comparator: '=', value: '0.01' }],
    ["tags.`mlflow.source.name` LIKE '%.py'", { type: 'tag', key: 'mlflow.source.name', comparator: 'LIKE', value: '%.py' }],
  ])('%s', (filter, expected) => {
    expect(parseLoggedModelFilter(filter)).toEqual([expected]);
  });

  it('parses AND-ed clauses', () => {
    expect(parseLoggedModelFilter("metrics.accuracy > 0.9 AND params.lr = '0.01' AND name = 'x'")).toHaveLength(3);
  });

  it.each([
    ["dataset.name = 'x'", /Invalid entity type 'dataset'/],
    ["run_id = 'x'", /Invalid attribute key 'run_id' specified\. Valid keys are name, model_id, model_type, status, source_run_id, creation_timestamp, last_updated_timestamp \(aliases: creation_time, last_updated_time\)/],
    ["creation_timestamp = '5'", /Expected numeric value type for numeric attribute: creation_timestamp/],
    ["creation_time IN ('5')", /Invalid comparator 'IN' for attribute 'creation_timestamp'/],
    ["status > 'READY'", /Invalid comparator '>' for attribute 'status'/],
    ["metrics.accuracy = 'high'", /Expected numeric value type for metric 'accuracy'/],
    ['params.lr = 0.01', /Expected a quoted string value for parameter 'lr'/],
  ])('rejects %s', (filter, message) => expectInvalid(() => parseLoggedModelFilter(filter), message));
});
