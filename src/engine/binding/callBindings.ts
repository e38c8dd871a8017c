// What each call on a writepage path is taken to be: a kernel-API model (and its family), a
// function of the file, or unmodelled (its result is an unknown, branching on it a guess). Built
// from the IR and the model table by the same precedence the interpreter uses at run time
// (a model with preferOverSource, then the file's function, then a model); the interpreter still
// resolves names when it runs, this listing is what a user reads.
import type { TranslationUnit } from '../ir/ir';
import { callSites, type CallSite } from '../discovery';
import { sitesIn } from '../facts/reach';
import { lowerSource } from '../ir/unit';
import { constants, modelFamily, modelTable } from '../models';

import type { CallBinding, PathBindings } from '../api/types';

export type { CallBinding, PathBindings };
export type BindingKind = CallBinding['kind'];

/** Binds one callee name by the interpreter's precedence. */
export function bindName(unit: TranslationUnit, name: string): { kind: BindingKind; family?: string; doc?: string } {
  if (name === '') return { kind: 'indirect' };
  const m = modelTable().get(name);
  if (m && (m.preferOverSource || !unit.functions.has(name))) {
    const over = m.preferOverSource && unit.functions.has(name) ? `preferred over the definition in this file (${typeof m.preferOverSource === 'string' ? m.preferOverSource : 'its body reaches the block allocator'})` : undefined;
    const doc = [m.doc, over].filter(Boolean).join('; ');
    return { kind: 'model', family: modelFamily(name), ...(doc ? { doc } : {}) };
  }
  if (unit.functions.has(name)) return { kind: 'function' };
  if (constants.has(name)) return { kind: 'model', family: 'constant' };
  return { kind: 'unmodelled' };
}

function reachable(unit: TranslationUnit, root: string, sites: CallSite[]): string[] {
  const seen = new Set<string>();
  const stack = [root];
  while (stack.length) {
    const f = stack.pop() as string;
    if (seen.has(f) || !unit.functions.has(f)) continue;
    // A model preferred over the source cuts the path there (the allocator is not interpreted).
    if (f !== root && modelTable().get(f)?.preferOverSource) continue;
    seen.add(f);
    for (const s of sitesIn(sites, f)) stack.push(s.passed ?? s.callee);
  }
  return [...seen];
}

/** One call site bound (a call through a parameter or local of its function is indirect). */
function bindSite(unit: TranslationUnit, s: CallSite): CallBinding {
  const local = unit.functions.get(s.function)?.params.some((p) => p.name === s.callee);
  return { name: s.callee, line: s.line, column: s.column, function: s.function, ...(local ? { kind: 'indirect' as const } : bindName(unit, s.callee)) };
}

/** Every direct call of the file, bound (what the editor's hover on a call says). */
export function allCallBindings(unit: TranslationUnit, sites: CallSite[] = callSites(unit)): CallBinding[] {
  return sites.filter((s) => s.argIndex === -1 && s.callee !== '').map((s) => bindSite(unit, s));
}

/** The bindings of every call on each table's ->writepage path. */
export function writepageBindings(unit: TranslationUnit, sites: CallSite[] = callSites(unit)): PathBindings[] {
  const out: PathBindings[] = [];
  for (const t of unit.structs) {
    if (t.structType !== 'address_space_operations') continue;
    const f = t.fields.find((x) => x.field === 'writepage');
    const wp = f && f.value.kind === 'ident' ? f.value.name : f && f.value.kind === 'unary' && f.value.arg.kind === 'ident' ? f.value.arg.name : null;
    if (!wp || !unit.functions.has(wp)) continue;
    const fns = reachable(unit, wp, sites);
    const inPath = new Set(fns);
    const calls = sites
      .filter((s) => inPath.has(s.function) && s.argIndex === -1)
      // A call through a parameter or local (walk_page_buffers' fn) is indirect.
      .map((s) => bindSite(unit, s))
      .sort((a, b) => a.line - b.line || a.column - b.column);
    out.push({ table: t.name, writepage: wp, functions: fns.sort(), calls });
  }
  return out;
}

export interface BindingsResult {
  file: string;
  paths: PathBindings[];
  /** Parse problems (the listing is partial then). */
  diagnostics: { line: number; message: string }[];
}

/** Parses and lowers a C file and lists the bindings of its writepage paths (initEngine first). */
export function bindingsOfSource(text: string, file: string): BindingsResult {
  try {
    const unit = lowerSource(text);
    return { file, paths: writepageBindings(unit), diagnostics: unit.diagnostics.map((d) => ({ line: d.line, message: d.message })) };
  } catch (e) {
    return { file, paths: [], diagnostics: [{ line: 1, message: `could not parse the file: ${(e as Error).message}` }] };
  }
}
