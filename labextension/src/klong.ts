/**
 * Klong for CodeMirror 6: a stream tokenizer that reads Klong as klongtorch's lexer does.
 *
 * Each token kind has its own tag, and the tags descend from the standard ones that name
 * the same thing in Pygments (klongtorch/highlight.py), so JupyterLab's theme colours a
 * Klong comment as the HTML export does (Comment), an operator as an operator (Operator),
 * an adverb as an attribute (Name.Attribute), .p as a builtin (Name.Builtin, as Python's
 * print), x y z as Python's self (Name.Builtin.Pseudo).  Every token also gets the class
 * cm-klong-<kind>, for user style sheets and for the browser test.
 */
import {
  LanguageSupport,
  StreamLanguage,
  StreamParser,
  StringStream,
  syntaxHighlighting
} from '@codemirror/language';
import { Tag, tags as t, tagHighlighter } from '@lezer/highlight';

// Each kind's tag is its parent tag under a modifier of its own: the theme, finding no rule
// for the modified tag, styles it as the parent, and the kinds stay apart (two kinds can
// share a parent: strings and symbols). Tag.define cannot derive from a modified tag.
const PARENTS: { [kind: string]: Tag } = {
  comment: t.lineComment,
  'block-comment': t.blockComment,
  string: t.string,
  character: t.character,
  symbol: t.string,
  number: t.number,
  operator: t.operator,
  adverb: t.attributeName,
  system: t.standard(t.variableName),
  argument: t.special(t.variableName),
  'function-definition': t.function(t.definition(t.variableName)),
  'variable-definition': t.definition(t.variableName),
  name: t.variableName,
  paren: t.paren,
  bracket: t.squareBracket,
  brace: t.brace,
  punctuation: t.punctuation,
  command: t.keyword
};

/** The token kinds and their tags. */
export const KLONG_TAGS: { [kind: string]: Tag } = Object.fromEntries(
  Object.entries(PARENTS).map(([kind, parent]) => [
    kind,
    Tag.defineModifier(`klong-${kind}`)(parent)
  ])
);

// The lexer's sets (klongtorch/lexer.py), longest first where one is a prefix of another.
const ADVERBS = [":'", ':\\', ':/', ':~', ':*', '\\~', '\\*', "'", '/', '\\'];
const SHIFTED_OPS = [':=', ':-', ':#', ':_', '::', ':%', ':$', ':^', ':+', ':@', ':>'];
const OPERATOR_CHARS = '!#$%&*+,-<=>?@^_|~∇∂˙';  // ˙ (U+02D9): KlongPy's track monad
const NAME = /^[a-zA-Z][a-zA-Z0-9.]*/;
const NUMBER = /^:?\d+(?:\.\d*(?:e[+-]?\d+)?|e[+-]?\d+)?/;

export interface KlongState {
  /** inside a :"comment" or a "string" that goes on past the line's end */
  open: 'comment' | 'string' | null;
  /** the delimiter line that ends a .comment("...") block, while in one */
  blockEnd: string | null;
  /** the delimiter of a .comment( whose ) is still to come */
  blockPending: string | null;
  /** depth of [list literals]: in them a - before a digit is the number's sign */
  lists: number;
  /** still in the leading lines of ]-commands (a cell such as ]h Plus) */
  commands: boolean;
  /** the rest of this line is a command's argument */
  commandArgument: boolean;
}

/** Read on to the closing quote ("" is a quote inside); false: the line ended first. */
function quoted(stream: StringStream): boolean {
  while (!stream.eol()) {
    if (stream.next() === '"') {
      if (stream.peek() === '"') {
        stream.next();
      } else {
        return true;
      }
    }
  }
  return false;
}

function matchAny(stream: StringStream, words: string[]): boolean {
  return words.some(w => stream.match(w));
}

function token(stream: StringStream, state: KlongState): string | null {
  if (state.blockEnd !== null) {
    // .comment("end"): the lines up to one starting with end are skipped, that one too
    if (stream.sol() && stream.string.startsWith(state.blockEnd) && stream.pos === 0) {
      state.blockEnd = null;
    }
    stream.skipToEnd();
    return 'block-comment';
  }
  if (state.open !== null) {
    const kind = state.open;
    if (quoted(stream)) {
      state.open = null;
    }
    return kind;
  }
  if (stream.sol() && state.commands) {
    if (/^\s*$/.test(stream.string)) {
      stream.skipToEnd();
      return null;
    }
    if (/^\s*\]/.test(stream.string)) {
      stream.eatSpace();
      stream.match(/^\][a-z!]?/);
      state.commandArgument = true;
      return 'command';
    }
    state.commands = false;
  }
  if (state.commandArgument) {
    stream.skipToEnd();
    state.commandArgument = false;
    return null;
  }
  if (stream.eatSpace()) {
    return null;
  }
  if (stream.match(':"')) {
    state.open = quoted(stream) ? null : 'comment';
    return 'comment';
  }
  const block = stream.match(/^\.comment(?=\("([^"\n]+)"\))/) as RegExpMatchArray | null;
  if (block) {
    // after its ("end"), the rest of the line and the lines up to end are skipped
    state.blockPending = block[1];
    return 'system';
  }
  if (stream.eat('"')) {
    state.open = quoted(stream) ? null : 'string';
    return 'string';
  }
  if (stream.match(/^0c/)) {
    stream.next();
    return 'character';
  }
  if (stream.match(/^(?:0x[0-9a-fA-F]+|0b[01]+|0o[0-7]+)/)) {
    return 'number';
  }
  // kg reads a - as a sign only in a list literal, right before a digit: [1 -2 3]
  if (state.lists > 0 && stream.match(/^-(?=\d)/)) {
    stream.match(NUMBER);
    return 'number';
  }
  if (stream.match(NUMBER)) {
    return 'number';
  }
  if (state.lists > 0 && stream.match(/^\.?[a-zA-Z][a-zA-Z0-9.]*/)) {
    return 'symbol'; // a list literal quotes its names: [a .p] is [:a :.p]
  }
  if (stream.match(/^\.?[a-zA-Z][a-zA-Z0-9.]*(?=\s*::\s*\{)/)) {
    return 'function-definition';
  }
  if (stream.match(/^\.?[a-zA-Z][a-zA-Z0-9.]*(?=\s*::)/)) {
    return 'variable-definition';
  }
  if (stream.match(/^:\.?[a-zA-Z][a-zA-Z0-9.]*/)) {
    return 'symbol';
  }
  if (stream.match(/^\.[a-zA-Z][a-zA-Z0-9.]*/)) {
    return 'system';
  }
  const name = stream.match(NAME) as RegExpMatchArray | null;
  if (name) {
    return /^[xyz]$/.test(name[0]) ? 'argument' : 'name';
  }
  if (stream.match(/^:[[{(|]/)) {
    return 'punctuation';
  }
  if (matchAny(stream, ADVERBS)) {
    return 'adverb';
  }
  if (matchAny(stream, SHIFTED_OPS)) {
    return 'operator';
  }
  const c = stream.next() as string;
  if (OPERATOR_CHARS.includes(c)) {
    return 'operator';
  }
  if (c === '[') {
    state.lists++;
    return 'bracket';
  }
  if (c === ']') {
    state.lists = Math.max(0, state.lists - 1);
    return 'bracket';
  }
  if (c === ')' && state.blockPending !== null) {
    state.blockEnd = state.blockPending;
    state.blockPending = null;
  }
  const brackets: { [c: string]: string } = {
    '(': 'paren', ')': 'paren', '{': 'brace', '}': 'brace', ';': 'punctuation'
  };
  return brackets[c] ?? null;
}

export const klongParser: StreamParser<KlongState> = {
  name: 'klong',
  startState: () => ({
    open: null,
    blockEnd: null,
    blockPending: null,
    lists: 0,
    commands: true,
    commandArgument: false
  }),
  copyState: s => ({ ...s }),
  token,
  blankLine: state => {
    state.commandArgument = false;
  },
  tokenTable: KLONG_TAGS,
  languageData: {
    commentTokens: { block: { open: ':"', close: '"' } },
    closeBrackets: { brackets: ['(', '[', '{', '"'] }
  }
};

export const klongLanguage = StreamLanguage.define(klongParser);

/** cm-klong-<kind> on each token, beside the theme's own classes. */
export const klongClasses = syntaxHighlighting(
  tagHighlighter(
    Object.keys(KLONG_TAGS).map(kind => ({
      tag: KLONG_TAGS[kind],
      class: `cm-klong-${kind}`
    }))
  )
);

export function klong(): LanguageSupport {
  return new LanguageSupport(klongLanguage, [klongClasses]);
}
