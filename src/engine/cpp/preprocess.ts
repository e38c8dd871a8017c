// A C preprocessor good enough for kernel headers (C99 6.10 with the GNU extensions the kernel
// uses): #define/#undef, #include "…"/<…>/#include_next resolved through a host, #if/#ifdef/
// #ifndef/#elif/#else/#endif on a configuration, #error/#warning, #pragma once.
//
// Output keeps lines: each file whose text is asked for (`emit`) comes back as its own unit whose
// line N holds what source line N became (directives become empty lines, an expansion sits on the
// line of its invocation, unexpanded tokens keep their columns). So a location in the expanded
// text is a location in the file, and the engine's parse of the unit needs no line map.

import * as path from 'node:path';
import { evaluateCondition } from './condition';
import { lex, type LexProblem, type PpToken } from './lexer';
import { expand, MacroTable, parseDefine, type ExpandProblem, type MacroDef } from './macros';

export interface SourceHost {
  /** The text of a file, or undefined when there is none. Paths are POSIX, as given by `resolve`. */
  read(file: string): string | undefined;
}

export interface PreprocessOptions {
  /** Directories searched for `<…>` includes, in order (and for `"…"` after the file's own directory). */
  includeDirs: string[];
  /** Macros defined before the first line (the configuration): name → replacement text. */
  defines?: Record<string, string>;
  /** Whether a file's expanded text is wanted as a unit (default: only the entry file). */
  emit?: (file: string) => boolean;
  /** Macros left unexpanded in the output text (see MacroTable.keep). */
  keep?: (name: string) => boolean;
  /** Nesting of includes past which an #include is refused (default 64). */
  maxIncludeDepth?: number;
}

export interface PpDiagnostic {
  file: string;
  line: number;
  col: number;
  severity: 'error' | 'warning';
  message: string;
}

export interface PpUnit {
  file: string;
  /** The expanded text, line for line with the file. */
  text: string;
  /** Lines where a macro was expanded: line → names expanded there (for provenance and hovers). */
  expansions: Map<number, string[]>;
}

export interface PreprocessResult {
  units: PpUnit[];
  macros: MacroTable;
  /** Every file read, in the order first included, with who included it. */
  files: { file: string; from?: { file: string; line: number } }[];
  diagnostics: PpDiagnostic[];
}

interface Cond {
  /** This branch's lines are processed. */
  active: boolean;
  /** A branch of this #if group has been taken already. */
  taken: boolean;
  /** The group's enclosing region is active. */
  outer: boolean;
  sawElse: boolean;
  line: number;
}

export function preprocess(entry: string, host: SourceHost, opts: PreprocessOptions): PreprocessResult {
  const table = new MacroTable();
  if (opts.keep) table.keep = opts.keep;
  const diagnostics: PpDiagnostic[] = [];
  const units: PpUnit[] = [];
  const files: PreprocessResult['files'] = [];
  const seen = new Set<string>();
  const once = new Set<string>();
  const emitted = new Set<string>();
  const maxDepth = opts.maxIncludeDepth ?? 64;
  const emit = opts.emit ?? ((f: string) => f === entry);

  for (const [name, text] of Object.entries(opts.defines ?? {})) {
    const toks = lex(`${name} ${text}`, '<configuration>').filter((t) => t.kind !== 'nl');
    const def = parseDefine(toks, []);
    if (def) table.define({ ...def, builtin: true });
  }

  const report = (severity: PpDiagnostic['severity'], p: { file: string; line: number; col: number; message: string }): void => {
    diagnostics.push({ severity, file: p.file, line: p.line, col: p.col, message: p.message });
  };

  // Each file is read and lexed once; a header wrapped whole in `#ifndef G … #endif` is not read
  // again while G is defined (the multiple-include optimisation GCC makes).
  const texts = new Map<string, string | undefined>();
  const read = (file: string): string | undefined => {
    if (!texts.has(file)) texts.set(file, host.read(file));
    return texts.get(file);
  };
  const lexed = new Map<string, PpToken[]>();
  const guards = new Map<string, string>();

  const run = (file: string, depth: number, from?: { file: string; line: number }, foundIn?: number): void => {
    const text = read(file);
    if (text === undefined) return;
    const guard = guards.get(file);
    if (guard !== undefined && table.get(guard)) return;
    if (!seen.has(file)) {
      seen.add(file);
      files.push({ file, from });
    }
    let tokens = lexed.get(file);
    if (!tokens) {
      const lexProblems: LexProblem[] = [];
      tokens = lex(text, file, lexProblems);
      for (const p of lexProblems) report('warning', p);
      lexed.set(file, tokens);
      const g = includeGuard(tokens);
      if (g) guards.set(file, g);
    }
    const out = emit(file) && !emitted.has(file) ? new UnitWriter(file) : undefined;
    if (out) emitted.add(file);
    const expProblems: ExpandProblem[] = [];
    const flushProblems = () => {
      for (const p of expProblems.splice(0)) report('warning', p);
    };
    const conds: Cond[] = [];
    const active = () => conds.length === 0 || conds[conds.length - 1].active;
    let pending: PpToken[] = [];
    let depthParens = 0;
    const flush = () => {
      if (!pending.length) return;
      table.produced = 0;
      const toks = expand(pending, table, expProblems, out ? (def, at) => out.expanded(at.line, def.name) : undefined, true);
      out?.write(toks);
      pending = [];
      depthParens = 0;
      flushProblems();
    };

    let k = 0;
    while (k < tokens.length) {
      let e = k;
      while (tokens[e].kind !== 'nl') e++;
      const lineToks = tokens.slice(k, e);
      k = e + 1;
      if (lineToks.length === 0) continue;
      const first = lineToks[0];
      if (first.text === '#' && first.kind === 'punct' && first.bol) {
        flush();
        directive(lineToks.slice(1), first);
        continue;
      }
      if (!active()) continue;
      for (const t of lineToks) {
        if (t.kind === 'punct' && t.text === '(') depthParens++;
        else if (t.kind === 'punct' && t.text === ')') depthParens--;
        pending.push(t);
      }
      // A call's arguments may span lines: expand once the parentheses balance and the line does
      // not end with the name of a function-like macro (its `(` may open the next line).
      const last = pending[pending.length - 1];
      if (depthParens <= 0 && !(last?.kind === 'id' && table.get(last.text)?.params)) flush();
    }
    flush();
    for (const c of conds) report('error', { file, line: c.line, col: 1, message: 'unterminated #if / #ifdef / #ifndef (no #endif before the end of the file)' });
    if (out) units.push(out.finish(tokens.length ? tokens[tokens.length - 1].line : 1));

    function directive(rest: PpToken[], hash: PpToken): void {
      const name = rest[0];
      if (!name) return; // the null directive
      const args = rest.slice(1);
      const at = { file, line: hash.line, col: hash.col };
      switch (name.text) {
        case 'if':
        case 'ifdef':
        case 'ifndef': {
          const outer = active();
          let v = false;
          if (outer) {
            if (name.text === 'if') {
              const r = evaluateCondition(args, table, expProblems);
              flushProblems();
              if (r.error) report('error', { ...at, message: `#if: ${r.error}` });
              v = r.value;
            } else {
              const id = args[0];
              if (!id || id.kind !== 'id') report('error', { ...at, message: `#${name.text} needs a macro name` });
              v = !!id && (table.get(id.text) !== undefined) === (name.text === 'ifdef');
            }
          }
          conds.push({ active: outer && v, taken: v, outer, sawElse: false, line: hash.line });
          return;
        }
        case 'elif': {
          const c = conds[conds.length - 1];
          if (!c) return report('error', { ...at, message: '#elif without #if' });
          if (c.sawElse) report('error', { ...at, message: '#elif after #else' });
          if (!c.outer || c.taken) {
            c.active = false;
            return;
          }
          const r = evaluateCondition(args, table, expProblems);
          flushProblems();
          if (r.error) report('error', { ...at, message: `#elif: ${r.error}` });
          c.active = r.value;
          c.taken = r.value;
          return;
        }
        case 'else': {
          const c = conds[conds.length - 1];
          if (!c) return report('error', { ...at, message: '#else without #if' });
          if (c.sawElse) report('error', { ...at, message: 'a second #else' });
          c.sawElse = true;
          c.active = c.outer && !c.taken;
          c.taken = true;
          return;
        }
        case 'endif':
          if (!conds.pop()) report('error', { ...at, message: '#endif without #if' });
          return;
      }
      if (!active()) return;
      switch (name.text) {
        case 'define': {
          const def = parseDefine(args, expProblems);
          flushProblems();
          if (def) {
            const old = table.define(def);
            if (old && !old.builtin && !sameDefinition(old, def)) {
              report('warning', { ...at, message: `${def.name} redefined (first defined at ${path.posix.basename(old.file)}:${old.line})` });
            }
          }
          return;
        }
        case 'undef':
          if (args[0]?.kind === 'id') table.undef(args[0].text);
          return;
        case 'include':
        case 'include_next': {
          const target = includeTarget(args);
          if (!target) return report('error', { ...at, message: `#${name.text} expects "FILE" or <FILE>` });
          if (depth + 1 > maxDepth) return report('error', { ...at, message: `#include nested more than ${maxDepth} deep: ${target.name} not read` });
          const found = resolveInclude(target.name, target.angled, name.text === 'include_next' ? foundIn : undefined);
          if (!found) return report('warning', { ...at, message: `#include ${target.angled ? `<${target.name}>` : `"${target.name}"`}: not found in the tree (its macros and declarations are unknown)` });
          if (once.has(found.file)) return;
          run(found.file, depth + 1, { file, line: hash.line }, found.dir);
          return;
        }
        case 'pragma':
          if (args[0]?.text === 'once') once.add(file);
          return;
        case 'error':
          return report('error', { ...at, message: `#error ${args.map((t) => t.text).join(' ')}` });
        case 'warning':
          return report('warning', { ...at, message: `#warning ${args.map((t) => t.text).join(' ')}` });
        case 'line':
        case 'ident':
        case 'sccs':
          return;
        default:
          if (name.kind === 'num') return; // a line marker: # 12 "file"
          report('warning', { ...at, message: `unknown directive #${name.text} (ignored)` });
      }
    }

    function includeTarget(args: PpToken[]): { name: string; angled: boolean } | undefined {
      let toks = args;
      if (toks[0] && toks[0].kind !== 'str' && toks[0].text !== '<') {
        toks = expand(args, table, expProblems);
        flushProblems();
      }
      if (toks[0]?.kind === 'str' && toks[0].text.startsWith('"')) return { name: toks[0].text.slice(1, -1), angled: false };
      if (toks[0]?.text === '<') {
        const close = toks.findIndex((t) => t.text === '>');
        if (close < 0) return undefined;
        return { name: toks.slice(1, close).map((t) => t.text).join(''), angled: true };
      }
      return undefined;
    }

    function resolveInclude(name: string, angled: boolean, after?: number): { file: string; dir?: number } | undefined {
      if (!angled && after === undefined) {
        const local = path.posix.normalize(path.posix.join(path.posix.dirname(file), name));
        if (read(local) !== undefined) return { file: local };
      }
      for (let d = after === undefined ? 0 : after + 1; d < opts.includeDirs.length; d++) {
        const f = path.posix.normalize(path.posix.join(opts.includeDirs[d], name));
        if (read(f) !== undefined) return { file: f, dir: d };
      }
      return undefined;
    }
  };

  run(entry, 0);
  return { units, macros: table, files, diagnostics };
}

/** `G` when the file is `#ifndef G` … `#endif` with only white space and comments outside. */
function includeGuard(tokens: PpToken[]): string | undefined {
  const sig = tokens.filter((t) => t.kind !== 'nl');
  if (sig[0]?.text !== '#' || sig[1]?.text !== 'ifndef' || sig[2]?.kind !== 'id') return undefined;
  let depth = 0;
  for (let k = 0; k < sig.length; k++) {
    const t = sig[k];
    if (t.text !== '#' || !t.bol) continue;
    const d = sig[k + 1]?.text;
    if (d === 'if' || d === 'ifdef' || d === 'ifndef') depth++;
    else if (d === 'endif' && --depth === 0) {
      // Nothing but the #endif line may follow.
      const rest = sig.slice(k + 2).filter((x) => x.line !== t.line);
      return rest.length === 0 ? sig[2].text : undefined;
    } else if ((d === 'else' || d === 'elif') && depth === 1) return undefined;
  }
  return undefined;
}

function sameDefinition(a: MacroDef, b: MacroDef): boolean {
  if ((a.params ?? []).join(',') !== (b.params ?? []).join(',')) return false;
  if (a.body.length !== b.body.length) return false;
  return a.body.every((t, i) => t.text === b.body[i].text);
}

/** Writes expanded tokens back onto their source lines. */
class UnitWriter {
  private readonly lines = new Map<number, string>();
  private readonly expansions = new Map<number, string[]>();

  constructor(readonly file: string) {}

  expanded(line: number, name: string): void {
    const l = this.expansions.get(line);
    if (l) {
      if (!l.includes(name)) l.push(name);
    } else this.expansions.set(line, [name]);
  }

  write(tokens: PpToken[]): void {
    let prev: PpToken | undefined;
    for (const t of tokens) {
      if (t.kind === 'nl') continue;
      let s = this.lines.get(t.line) ?? '';
      const fresh = !this.lines.has(t.line);
      // Keep the source column while nothing on the line was expanded; after that, a space.
      if (!t.expanded && t.file === this.file && t.col > s.length + (fresh ? 0 : 1)) s = s.padEnd(t.col - 1, ' ');
      else if (!fresh && (t.space || (prev && needsSpace(prev, t)))) s += ' ';
      s += t.text;
      this.lines.set(t.line, s);
      prev = t;
    }
  }

  finish(lastLine: number): PpUnit {
    const max = Math.max(lastLine, ...this.lines.keys());
    const out: string[] = [];
    for (let l = 1; l <= max; l++) out.push(this.lines.get(l) ?? '');
    return { file: this.file, text: `${out.join('\n')}\n`, expansions: this.expansions };
  }
}

function needsSpace(a: PpToken, b: PpToken): boolean {
  const word = (t: PpToken) => t.kind === 'id' || t.kind === 'num';
  if (word(a) && word(b)) return true;
  if (a.kind === 'punct' && b.kind === 'punct') return /^[-+<>=&|!*/%^#.:]$/.test(b.text[0]) && /[-+<>=&|!*/%^#.:]$/.test(a.text);
  return false;
}
