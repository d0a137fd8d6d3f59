/**
 * Lexer for MLflow's search filter and order-by grammar. It knows nothing about entities or
 * comparators; `filter.ts` gives meaning to the tokens.
 *
 * Quoting: `'single'` and `"double"` strings (a doubled quote or a backslash before the quote
 * stands for the quote itself; other backslashes are kept verbatim, so LIKE patterns are untouched)
 * and `` `backticks` `` (a doubled backtick stands for one). A `.` directly after a name or quoted
 * name is a separator, so `metrics.0` and `tags."a b"` split into parts.
 */
import type { CapstanError } from '@capstan/api';

/** What a token is. `quoted` is a double-quoted string (a key or a value, by position). */
export type TokenKind =
  | 'word'
  | 'number'
  | 'string'
  | 'quoted'
  | 'backtick'
  | 'op'
  | 'dot'
  | 'comma'
  | 'lparen'
  | 'rparen'
  | 'semicolon';

/** One lexeme with its place in the source. */
export interface Token {
  kind: TokenKind;
  /** The source text, quotes included. */
  text: string;
  /** The content: unquoted and unescaped for quoted kinds, the source text otherwise. */
  value: string;
  /** Offset of the first character in the source. */
  start: number;
  /** Offset just past the last character. */
  end: number;
  /** True when whitespace (or the start of the input) precedes the token. */
  spaced: boolean;
}

const WHITESPACE = /\s/u;
const NAME_START = /[\p{L}\p{M}_$]/u;
const NAME_PART = /[\p{L}\p{M}\p{N}_$]/u;
const DIGIT = /[0-9]/;
const NUMBER = /-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/y;
const OPERATORS = ['!=', '<=', '>=', '<>', '==', '=', '<', '>'] as const;
const PUNCTUATION: Readonly<Record<string, TokenKind>> = { '.': 'dot', ',': 'comma', '(': 'lparen', ')': 'rparen', ';': 'semicolon' };
const SEPARABLE: ReadonlySet<TokenKind> = new Set(['word', 'quoted', 'backtick']);

/**
 * Splits `source` into tokens.
 * @param fail builds the error for a lexical problem from a description of it.
 * @throws the error built by `fail` for an unterminated quote, a malformed number or a character
 *   the grammar does not use.
 */
export function tokenize(source: string, fail: (detail: string) => CapstanError): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let spaced = true;

  const push = (kind: TokenKind, start: number, end: number, value = source.slice(start, end)): void => {
    tokens.push({ kind, text: source.slice(start, end), value, start, end, spaced });
    spaced = false;
    i = end;
  };
  const nameEnd = (from: number): number => {
    let j = from;
    while (j < source.length && NAME_PART.test(source.charAt(j))) j++;
    return j;
  };

  while (i < source.length) {
    const ch = source.charAt(i);
    const prev = tokens.at(-1);
    const afterSeparator = prev?.kind === 'dot' && !spaced;

    if (WHITESPACE.test(ch)) {
      spaced = true;
      i++;
    } else if (afterSeparator && NAME_PART.test(ch)) {
      push('word', i, nameEnd(i));
    } else if (NAME_START.test(ch)) {
      push('word', i, nameEnd(i));
    } else if (ch === "'" || ch === '"' || ch === '`') {
      const { end, value } = scanQuoted(source, i, fail);
      push(ch === "'" ? 'string' : ch === '"' ? 'quoted' : 'backtick', i, end, value);
    } else if (ch === '.' && (!DIGIT.test(source.charAt(i + 1)) || (!spaced && prev !== undefined && SEPARABLE.has(prev.kind)))) {
      push('dot', i, i + 1);
    } else if (DIGIT.test(ch) || ch === '.' || (ch === '-' && /[0-9.]/.test(source.charAt(i + 1)))) {
      NUMBER.lastIndex = i;
      const match = NUMBER.exec(source);
      if (!match) throw fail(`unexpected character '${ch}' at position ${i}`);
      const end = i + match[0].length;
      if (end < source.length && NAME_PART.test(source.charAt(end))) {
        throw fail(`invalid number '${source.slice(i, nameEnd(end))}' at position ${i}`);
      }
      push('number', i, end);
    } else {
      const op = OPERATORS.find((o) => source.startsWith(o, i));
      const punctuation = PUNCTUATION[ch];
      if (op) push('op', i, i + op.length);
      else if (punctuation) push(punctuation, i, i + 1);
      else throw fail(`unexpected character '${ch}' at position ${i}`);
    }
  }
  return tokens;
}

/** Reads the quoted lexeme starting at `start`; returns where it ends and its unescaped content. */
function scanQuoted(source: string, start: number, fail: (detail: string) => CapstanError): { end: number; value: string } {
  const quote = source.charAt(start);
  let value = '';
  let i = start + 1;
  while (i < source.length) {
    const ch = source.charAt(i);
    const next = source.charAt(i + 1);
    if (ch === quote && next === quote) {
      value += quote;
      i += 2;
    } else if (ch === quote) {
      return { end: i + 1, value };
    } else if (ch === '\\' && quote !== '`' && (next === quote || next === '\\')) {
      value += next === quote ? quote : '\\\\';
      i += 2;
    } else {
      value += ch;
      i++;
    }
  }
  throw fail(`unterminated ${quote === '`' ? 'backtick-quoted name' : 'quoted string'} starting at position ${start}`);
}
