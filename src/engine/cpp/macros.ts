// Macro expansion as C99 6.10.3 specifies it, with hide sets (Prosser's algorithm): object-like
// and function-like macros, `#` stringizing, `##` pasting, variadic macros (`__VA_ARGS__`, GNU
// named `args...`, and GNU `, ## __VA_ARGS__` dropping the comma when the arguments are empty).
// Kernel headers need all of them: BUFFER_FNS and PAGEFLAG paste names, pr_debug is variadic.

import { lex, type PpToken } from './lexer';

export interface MacroDef {
  name: string;
  /** Parameter names of a function-like macro (the variadic one last); undefined: object-like. */
  params?: string[];
  variadic?: boolean;
  body: PpToken[];
  file: string;
  line: number;
  /** Defined on the command line or by the configuration, not in a file. */
  builtin?: boolean;
  /**
   * Its body uses `typeof` (container_of, list_entry, min/max): tree-sitter's C grammar cannot
   * read `typeof(expr)` as a type, so in text the macro stays a call (see MacroTable.keep).
   */
  opaque?: boolean;
}

export interface ExpandProblem {
  file: string;
  line: number;
  col: number;
  message: string;
}

/** Tokens one line (or one multi-line invocation) may expand to: keeps an exploding header from hanging. */
export const EXPANSION_TOKEN_LIMIT = 200_000;

export class MacroTable {
  readonly defs = new Map<string, MacroDef>();
  /**
   * Macros left unexpanded in the text (they stay calls): in the kernel-tree mode, those the engine
   * models (`page_buffers`, `BUG_ON`), so that they bind to their model as in a file without a tree.
   * Directives (#if) still expand them.
   */
  keep: (name: string) => boolean = () => false;
  /** Tokens produced by the expansion under way (bounded by EXPANSION_TOKEN_LIMIT; reset per line). */
  produced = 0;

  define(def: MacroDef): MacroDef | undefined {
    const old = this.defs.get(def.name);
    this.defs.set(def.name, def);
    return old;
  }

  undef(name: string): void {
    this.defs.delete(name);
  }

  get(name: string): MacroDef | undefined {
    return this.defs.get(name);
  }
}

const TYPEOF = new Set(['typeof', '__typeof__', '__typeof']);
function usesTypeof(body: PpToken[]): boolean {
  return body.some((t) => t.kind === 'id' && TYPEOF.has(t.text));
}

/** Parses the tokens of a `#define` line after the directive name. */
export function parseDefine(tokens: PpToken[], problems: ExpandProblem[]): MacroDef | undefined {
  const nameTok = tokens[0];
  if (!nameTok || nameTok.kind !== 'id') {
    const at = tokens[0];
    if (at) problems.push({ file: at.file, line: at.line, col: at.col, message: '#define needs a macro name' });
    return undefined;
  }
  const rest = tokens.slice(1);
  if (rest[0]?.text === '(' && !rest[0].space) {
    const params: string[] = [];
    let variadic = false;
    let k = 1;
    for (; k < rest.length && rest[k].text !== ')'; k++) {
      const t = rest[k];
      if (t.text === ',') continue;
      if (t.text === '...') {
        params.push('__VA_ARGS__');
        variadic = true;
      } else if (t.kind === 'id' && rest[k + 1]?.text === '...') {
        params.push(t.text);
        variadic = true;
        k++;
      } else if (t.kind === 'id') params.push(t.text);
      else {
        problems.push({ file: t.file, line: t.line, col: t.col, message: `unexpected \`${t.text}\` in the parameters of macro ${nameTok.text}` });
        return undefined;
      }
    }
    if (rest[k]?.text !== ')') {
      problems.push({ file: nameTok.file, line: nameTok.line, col: nameTok.col, message: `missing ) in the parameters of macro ${nameTok.text}` });
      return undefined;
    }
    const body = rest.slice(k + 1);
    return { name: nameTok.text, params, variadic, body, file: nameTok.file, line: nameTok.line, ...(usesTypeof(body) ? { opaque: true } : {}) };
  }
  return { name: nameTok.text, body: rest, file: nameTok.file, line: nameTok.line, ...(usesTypeof(rest) ? { opaque: true } : {}) };
}

/**
 * Expands every macro in `input` (one logical line, or the tokens of several lines of text: an
 * invocation's arguments may span lines; `nl` tokens inside arguments are white space).
 * `onExpand` is told of each macro expanded, with the invocation token.
 */
export function expand(
  input: PpToken[],
  table: MacroTable,
  problems: ExpandProblem[],
  onExpand?: (def: MacroDef, at: PpToken) => void,
  inText = false,
): PpToken[] {
  const out: PpToken[] = [];
  // A work list read from its end: pushing the expansion back is cheap.
  const work = input.slice().reverse();
  while (work.length) {
    const t = work.pop()!;
    if (t.kind !== 'id') {
      out.push(t);
      continue;
    }
    const def = table.get(t.text);
    if (!def && (t.text === '__LINE__' || t.text === '__FILE__')) {
      // The predefined macros of the invocation's location (an expansion carries it).
      out.push({ ...t, kind: t.text === '__LINE__' ? 'num' : 'str', text: t.text === '__LINE__' ? String(t.line) : JSON.stringify(t.file), expanded: true });
      continue;
    }
    if (!def || t.hide?.has(t.text) || (inText && (def.opaque || table.keep(t.text)))) {
      out.push(t);
      continue;
    }
    if (table.produced > EXPANSION_TOKEN_LIMIT) {
      problems.push({ file: t.file, line: t.line, col: t.col, message: `macro expansion stopped: more than ${EXPANSION_TOKEN_LIMIT} tokens produced (recursive or exploding macros?)` });
      out.push(t, ...work.reverse());
      return out;
    }
    if (!def.params) {
      onExpand?.(def, t);
      const hs = withName(t.hide, def.name);
      pushBack(work, subst(def, [], hs, t, table, problems, inText));
      continue;
    }
    // A function-like macro name not followed by `(` is an ordinary identifier.
    let j = work.length - 1;
    while (j >= 0 && work[j].kind === 'nl') j--;
    if (j < 0 || work[j].text !== '(') {
      out.push(t);
      continue;
    }
    work.length = j;
    const args = collectArgs(work, def, t, problems);
    if (!args) {
      out.push(t);
      continue;
    }
    onExpand?.(def, t);
    const hs = withName(intersect(t.hide, args.close.hide), def.name);
    pushBack(work, subst(def, args.args, hs, t, table, problems, inText));
  }
  return out;
}

function pushBack(work: PpToken[], tokens: PpToken[]): void {
  for (let k = tokens.length - 1; k >= 0; k--) work.push(tokens[k]);
}

function withName(hide: ReadonlySet<string> | undefined, name: string): Set<string> {
  const s = new Set(hide ?? []);
  s.add(name);
  return s;
}

function intersect(a: ReadonlySet<string> | undefined, b: ReadonlySet<string> | undefined): Set<string> {
  const s = new Set<string>();
  if (!a || !b) return s;
  for (const x of a) if (b.has(x)) s.add(x);
  return s;
}

/** Takes the arguments of an invocation off the work list (its `(` already taken). */
function collectArgs(work: PpToken[], def: MacroDef, at: PpToken, problems: ExpandProblem[]): { args: PpToken[][]; close: PpToken } | undefined {
  const args: PpToken[][] = [[]];
  let depth = 0;
  const nparams = def.params!.length;
  while (work.length) {
    const t = work.pop()!;
    if (t.text === '(' && t.kind === 'punct') depth++;
    else if (t.text === ')' && t.kind === 'punct') {
      if (depth === 0) {
        // `F()` with one parameter has one empty argument; with none, no argument.
        if (nparams === 0 && args.length === 1 && args[0].length === 0) args.pop();
        if (args.length < nparams && !(def.variadic && args.length === nparams - 1)) {
          problems.push({ file: at.file, line: at.line, col: at.col, message: `macro ${def.name} takes ${nparams} argument(s), ${args.length} given` });
        } else if (args.length > nparams && !def.variadic) {
          problems.push({ file: at.file, line: at.line, col: at.col, message: `macro ${def.name} takes ${nparams} argument(s), ${args.length} given` });
        }
        return { args, close: t };
      }
      depth--;
    } else if (t.text === ',' && t.kind === 'punct' && depth === 0 && !(def.variadic && args.length >= nparams)) {
      args.push([]);
      continue;
    }
    if (t.kind === 'nl') {
      // A newline inside the arguments is white space.
      const next = work[work.length - 1];
      if (next) work[work.length - 1] = { ...next, space: true };
      continue;
    }
    args[args.length - 1].push(t);
  }
  problems.push({ file: at.file, line: at.line, col: at.col, message: `unterminated invocation of macro ${def.name}` });
  return undefined;
}

/** The macro's body with its parameters replaced, `#` and `##` applied, `hs` added to every token's hide set. */
function subst(def: MacroDef, args: PpToken[][], hs: Set<string>, at: PpToken, table: MacroTable, problems: ExpandProblem[], inText: boolean): PpToken[] {
  const params = def.params ?? [];
  const argOf = (name: string): PpToken[] | undefined => {
    const k = params.indexOf(name);
    if (k < 0) return undefined;
    return args[k] ?? [];
  };
  const expandedArgs = new Map<number, PpToken[]>();
  const expandedArg = (name: string): PpToken[] => {
    const k = params.indexOf(name);
    let e = expandedArgs.get(k);
    if (!e) {
      e = expand(args[k] ?? [], table, problems, undefined, inText);
      expandedArgs.set(k, e);
    }
    return e;
  };
  const body = def.body;
  const out: PpToken[] = [];
  for (let k = 0; k < body.length; k++) {
    const b = body[k];
    if (b.text === '#' && def.params && body[k + 1] && argOf(body[k + 1].text)) {
      out.push({ ...b, kind: 'str', text: stringize(argOf(body[k + 1].text)!) });
      k++;
      continue;
    }
    if (b.text === '##' && b.kind === 'punct' && out.length && body[k + 1]) {
      const rhsTok = body[k + 1];
      const rhs = argOf(rhsTok.text) ?? [rhsTok];
      k++;
      // GNU: `, ## __VA_ARGS__` with no variadic arguments drops the comma.
      if (rhs.length === 0) {
        if (out[out.length - 1].text === ',' && def.variadic && rhsTok.text === params[params.length - 1]) out.pop();
        continue;
      }
      // GNU: `, ## __VA_ARGS__` with arguments keeps the comma and pastes nothing.
      if (out[out.length - 1].text === ',' && def.variadic && rhsTok.text === params[params.length - 1]) {
        out.push(...expandedArg(rhsTok.text));
        continue;
      }
      const lhs = out.pop()!;
      out.push(...paste(lhs, rhs[0], at, problems), ...rhs.slice(1));
      continue;
    }
    const a = def.params ? argOf(b.text) : undefined;
    if (a) {
      // An operand of ## is the argument as written; otherwise it is fully expanded first.
      const raw = body[k + 1]?.text === '##';
      const toks = raw ? a : expandedArg(b.text);
      if (toks.length === 0 && raw) {
        // An empty left operand of ##: the right one stands alone (a placemarker).
        out.push({ ...b, kind: 'other', text: '' });
        continue;
      }
      toks.forEach((t, idx) => out.push(idx === 0 ? { ...t, space: b.space } : t));
      continue;
    }
    out.push(b);
  }
  table.produced += out.length;
  // Located at the invocation, so that what a macro produced maps back to the line that used it.
  return out
    .filter((t) => !(t.kind === 'other' && t.text === ''))
    .map((t, idx) => ({ ...t, file: at.file, line: at.line, col: at.col, space: idx === 0 ? at.space : t.space, bol: false, expanded: true, hide: union(t.hide, hs) }));
}

function union(a: ReadonlySet<string> | undefined, b: Set<string>): Set<string> {
  if (!a || a.size === 0) return b;
  const s = new Set(a);
  for (const x of b) s.add(x);
  return s;
}

function stringize(tokens: PpToken[]): string {
  let s = '';
  tokens.forEach((t, i) => {
    if (i > 0 && t.space) s += ' ';
    s += t.kind === 'str' || t.kind === 'chr' ? t.text.replace(/\\/g, '\\\\').replace(/"/g, '\\"') : t.text;
  });
  return `"${s}"`;
}

function paste(a: PpToken, b: PpToken, at: PpToken, problems: ExpandProblem[]): PpToken[] {
  if (a.kind === 'other' && a.text === '') return [b];
  const text = a.text + b.text;
  const toks = lex(text, a.file).filter((t) => t.kind !== 'nl');
  if (toks.length === 1) return [{ ...a, kind: toks[0].kind, text, hide: undefined }];
  problems.push({ file: at.file, line: at.line, col: at.col, message: `pasting "${a.text}" and "${b.text}" does not give a valid token` });
  return [a, { ...b, space: false }];
}
