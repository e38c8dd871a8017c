// Whether a dirty page of this file can reach ->writepage with a buffer mapped and unwritten (a
// fallocated block written before its extent is converted): the file maps a buffer it found
// unwritten and leaves it so, `if (buffer_unwritten(bh)) { ... set_buffer_mapped(bh) / map_bh(bh, ...) }`
// without clear_buffer_unwritten(bh), as a delayed write into an unwritten extent does since
// 2.6.31 (ext4_da_get_block_prep). Before that, the buffer stayed unmapped until writeback mapped
// it and cleared the flag in one step (2.6.27's mpage_put_bnr_to_bhs).
// Learnt from the buffer_head API the file calls, never from a function's name.
import type { Fact } from '../api/types';
import { exprText } from '../interp/exprText';
import type { Expr, Stmt, TranslationUnit } from '../ir/ir';
import { forEachExpr } from '../discovery';

const MAPS = new Set(['set_buffer_mapped', 'map_bh']);

function calleeName(e: Expr): string | null {
  return e.kind === 'call' && e.callee.kind === 'ident' ? e.callee.name : null;
}

/** The argument texts of `buffer_unwritten(X)` calls in an expression. */
function unwrittenTests(e: Expr): string[] {
  const out: string[] = [];
  const wrap: Stmt = { kind: 'expr', expr: e, loc: e.loc };
  forEachExpr(wrap, (x) => {
    if (calleeName(x) === 'buffer_unwritten' && x.kind === 'call' && x.args[0]) out.push(exprText(x.args[0]));
  });
  return out;
}

/** The first call in `s` that maps one of `bhs`: its line. */
function mapsOne(s: Stmt, bhs: string[]): number | null {
  let line: number | null = null;
  forEachExpr(s, (x) => {
    const n = calleeName(x);
    if (line === null && n && MAPS.has(n) && x.kind === 'call' && x.args[0] && bhs.includes(exprText(x.args[0]))) line = x.loc.line;
  });
  return line;
}

/** Whether `s` calls clear_buffer_unwritten on one of `bhs`. */
function clearsUnwritten(s: Stmt, bhs: string[]): boolean {
  let found = false;
  forEachExpr(s, (x) => {
    if (calleeName(x) === 'clear_buffer_unwritten' && x.kind === 'call' && x.args[0] && bhs.includes(exprText(x.args[0]))) found = true;
  });
  return found;
}

/** The `if` statements of a tree. */
function ifs(s: Stmt | undefined, out: Extract<Stmt, { kind: 'if' }>[]): void {
  if (!s) return;
  switch (s.kind) {
    case 'block':
      s.body.forEach((b) => ifs(b, out));
      return;
    case 'if':
      out.push(s);
      ifs(s.then, out);
      ifs(s.else, out);
      return;
    case 'while':
    case 'do':
    case 'for':
      ifs(s.body, out);
      return;
    case 'switch':
      s.cases.forEach((c) => c.body.forEach((b) => ifs(b, out)));
      return;
    case 'label':
      ifs(s.body, out);
      return;
    case 'config':
      s.then.forEach((b) => ifs(b, out));
      s.else.forEach((b) => ifs(b, out));
      return;
    default:
  }
}

export function mappedUnwrittenOf(unit: TranslationUnit): Fact<boolean> {
  for (const fn of unit.functions.values()) {
    const found: Extract<Stmt, { kind: 'if' }>[] = [];
    ifs(fn.body, found);
    for (const s of found) {
      const bhs = unwrittenTests(s.test);
      // A branch that clears the flag converts the buffer (2.6.27's mpage_put_bnr_to_bhs): not this.
      const line = bhs.length && !clearsUnwritten(s.then, bhs) ? mapsOne(s.then, bhs) : null;
      if (line !== null) return { value: true, line, why: `${fn.name} maps a buffer it found unwritten (line ${line}): a write into a fallocated block leaves its buffer mapped, unwritten and dirty until writeback converts the extent` };
    }
  }
  return { value: false, line: null, why: 'no function of the file maps a buffer it found unwritten (buffer_unwritten, then set_buffer_mapped or map_bh): a fallocated block reaches writeback converted, or unmapped' };
}
