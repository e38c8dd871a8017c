// Preprocessing tokens of C (C99 6.4, with the GNU extensions kernel headers use), located by
// file, line and column. Comments become white space, backslash-newline splices lines (the
// token keeps the line where it starts), and every end of a logical line is a `nl` token so the
// directive parser can work line by line.

export type PpKind = 'id' | 'num' | 'str' | 'chr' | 'punct' | 'other' | 'nl';

export interface PpToken {
  kind: PpKind;
  text: string;
  file: string;
  /** 1-based line and column where the token starts in `file`. */
  line: number;
  col: number;
  /** White space (or a comment) comes before it on its line. */
  space: boolean;
  /** First token of its line (directives start with such a `#`). */
  bol: boolean;
  /** Macros that must not expand this token again (the standard's hide set). */
  hide?: ReadonlySet<string>;
  /** The token came out of a macro expansion: the invocation's location is in line/col. */
  expanded?: boolean;
}

/** Punctuators, longest first so that the lexer takes the longest match. */
const PUNCTUATORS = [
  '%:%:', '...', '<<=', '>>=',
  '->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '*=', '/=', '%=', '+=', '-=', '&=', '^=', '|=', '##',
  '<:', ':>', '<%', '%>', '%:',
  '[', ']', '(', ')', '{', '}', '.', '&', '*', '+', '-', '~', '!', '/', '%', '<', '>', '^', '|', '?', ':', ';', '=', ',', '#',
];
const PUNCT_SET = new Set(PUNCTUATORS);
const IDENT_START = /[A-Za-z_$]/;
const IDENT_REST = /[A-Za-z0-9_$]*/y;
const DIGRAPH: Record<string, string> = { '<:': '[', ':>': ']', '<%': '{', '%>': '}', '%:': '#', '%:%:': '##' };

export interface LexProblem {
  file: string;
  line: number;
  col: number;
  message: string;
}

/**
 * Splits `text` into preprocessing tokens. Never throws: an unterminated comment, string or
 * character constant is reported in `problems` and lexed to the end of its line (or file).
 */
export function lex(text: string, file: string, problems: LexProblem[] = []): PpToken[] {
  const out: PpToken[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let space = false;
  let bol = true;
  const n = text.length;

  /** Skips backslash-newlines at `i` (they join physical lines). */
  const splice = (): void => {
    for (;;) {
      if (text[i] === '\\' && text[i + 1] === '\n') {
        i += 2;
      } else if (text[i] === '\\' && text[i + 1] === '\r' && text[i + 2] === '\n') {
        i += 3;
      } else return;
      line++;
      lineStart = i;
    }
  };
  const peek = (k = 0): string => {
    // Characters ahead, through splices (rare inside tokens; handled for identifiers and punctuators).
    let j = i;
    let seen = 0;
    for (;;) {
      if (text[j] === '\\' && text[j + 1] === '\n') j += 2;
      else if (text[j] === '\\' && text[j + 1] === '\r' && text[j + 2] === '\n') j += 3;
      else if (seen === k) return text[j] ?? '';
      else {
        j++;
        seen++;
      }
    }
  };
  const take = (): string => {
    splice();
    const c = text[i++] ?? '';
    splice();
    return c;
  };
  const push = (kind: PpKind, t: string, l: number, c: number): void => {
    out.push({ kind, text: t, file, line: l, col: c, space, bol });
    space = false;
    bol = false;
  };

  while (i < n) {
    splice();
    if (i >= n) break;
    const c = text[i];
    if (c === '\n') {
      push('nl', '\n', line, i - lineStart + 1);
      i++;
      line++;
      lineStart = i;
      bol = true;
      space = false;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      space = true;
      continue;
    }
    const l = line;
    const col = i - lineStart + 1;
    if (c === '/' && peek(1) === '*') {
      take();
      take();
      let closed = false;
      while (i < n) {
        if (text[i] === '*' && peek(1) === '/') {
          take();
          take();
          closed = true;
          break;
        }
        if (text[i] === '\n') {
          line++;
          lineStart = i + 1;
        }
        i++;
      }
      if (!closed) problems.push({ file, line: l, col, message: 'unterminated /* comment' });
      space = true;
      continue;
    }
    if (c === '/' && peek(1) === '/') {
      while (i < n && text[i] !== '\n') {
        if (text[i] === '\\' && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'))) splice();
        else i++;
      }
      space = true;
      continue;
    }
    if (IDENT_START.test(c)) {
      // Fast path: the identifier has no backslash-newline inside it.
      IDENT_REST.lastIndex = i;
      IDENT_REST.exec(text);
      const end = IDENT_REST.lastIndex;
      if (text[end] !== '\\' && text[end] !== '"' && text[end] !== "'") {
        push('id', text.slice(i, end), l, col);
        i = end;
        continue;
      }
      let t = '';
      while (i < n && /[A-Za-z0-9_$]/.test(text[i] ?? '')) t += take();
      // A string or character prefix (L"…", u8"…") belongs to the literal.
      if ((t === 'L' || t === 'u' || t === 'U' || t === 'u8') && (text[i] === '"' || text[i] === "'")) {
        const q = text[i];
        push(q === '"' ? 'str' : 'chr', t + quoted(q), l, col);
      } else push('id', t, l, col);
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(peek(1)))) {
      // pp-number: digits, letters, '.', and e+/E-/p+/P- exponents.
      let t = take();
      for (;;) {
        const d = text[i] ?? '';
        if ((d === '+' || d === '-') && /[eEpP]/.test(t[t.length - 1])) t += take();
        else if (/[A-Za-z0-9_.]/.test(d) && d !== '') t += take();
        else break;
      }
      push('num', t, l, col);
      continue;
    }
    if (c === '"' || c === "'") {
      push(c === '"' ? 'str' : 'chr', quoted(c), l, col);
      continue;
    }
    let p = '';
    const ahead = text.slice(i, i + 4);
    if (!ahead.includes('\\')) {
      for (let len = Math.min(4, ahead.length); len > 0 && !p; len--) if (PUNCT_SET.has(ahead.slice(0, len))) p = ahead.slice(0, len);
      if (p) {
        i += p.length;
        push('punct', DIGRAPH[p] ?? p, l, col);
        continue;
      }
    }
    for (const cand of PUNCTUATORS) {
      let ok = true;
      for (let k = 0; k < cand.length; k++) if (peek(k) !== cand[k]) ok = false;
      if (ok) {
        p = cand;
        break;
      }
    }
    if (p) {
      for (let k = 0; k < p.length; k++) take();
      push('punct', DIGRAPH[p] ?? p, l, col);
      continue;
    }
    push('other', take(), l, col);
  }
  if (out.length === 0 || out[out.length - 1].kind !== 'nl') push('nl', '\n', line, i - lineStart + 1);
  return out;

  function quoted(q: string): string {
    const l = line;
    const col = i - lineStart + 1;
    let t = take();
    while (i < n) {
      const d = text[i];
      if (d === '\n') break;
      if (d === '\\') {
        t += take();
        if (i < n && text[i] !== '\n') t += take();
        continue;
      }
      t += take();
      if (d === q) return t;
    }
    problems.push({ file, line: l, col, message: `unterminated ${q === '"' ? 'string' : 'character constant'}` });
    return t;
  }
}

/** The tokens' text as C source on one line (a space where the source had one, or where two tokens would merge). */
export function spell(tokens: readonly PpToken[]): string {
  let s = '';
  let prev: PpToken | undefined;
  for (const t of tokens) {
    if (t.kind === 'nl') continue;
    if (prev && (t.space || wouldMerge(prev, t))) s += ' ';
    s += t.text;
    prev = t;
  }
  return s;
}

function wouldMerge(a: PpToken, b: PpToken): boolean {
  const word = (k: PpKind) => k === 'id' || k === 'num';
  if (word(a.kind) && word(b.kind)) return true;
  if (a.kind === 'punct' && b.kind === 'punct') return PUNCTUATORS.includes(a.text + b.text[0]) || (a.text === '.' && b.text === '.');
  if (a.kind === 'num' && b.kind === 'punct' && (b.text === '.' || b.text === '+' || b.text === '-')) return true;
  return false;
}
