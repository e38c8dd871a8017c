// Lowers a whole C file into a TranslationUnit: function definitions, global struct
// initialisers (address_space_operations tables among them) and object-like macros.
import type { Node, Tree } from 'web-tree-sitter';
import { parseC } from '../parse/parser';
import type { FunctionDef, LoweringDiagnostic, MacroDef, Param, StructInstance, TranslationUnit } from './ir';
import { declaratorInfo, locOf, Lowerer, typeOf } from './lower';

function named(n: Node): Node[] {
  return n.namedChildren.filter((c): c is Node => c !== null && typeOf(c) !== 'comment');
}

/** A function's lowering, kept by an incremental analysis: reused while its text and position stay the same. */
export interface LoweredFunction {
  fn: FunctionDef;
  diagnostics: LoweringDiagnostic[];
}

/** Where lowered functions are looked up and left, keyed by their text and position (an incremental analysis). */
export interface FunctionReuse {
  get(key: string): LoweredFunction | undefined;
  set(key: string, lowered: LoweredFunction): void;
}

/** Parses and lowers `text`. The tree is freed before returning. */
export function lowerSource(text: string, deadline?: number): TranslationUnit {
  const tree = parseC(text, deadline);
  try {
    return lowerTree(tree, text);
  } finally {
    tree.delete();
  }
}

/**
 * Lowers a parsed tree of `text` (the caller keeps and frees the tree). With `reuse`, a function
 * whose text and position are unchanged takes its earlier lowering and diagnostics: lowering a
 * function reads nothing outside it, so the unit is the one a full lowering gives.
 */
export function lowerTree(tree: Tree, text: string, reuse?: FunctionReuse): TranslationUnit {
  const lw = new Lowerer();
  const unit: TranslationUnit = {
    functions: new Map(),
    structs: [],
    macros: new Map(),
    functionMacros: new Set(),
    declared: new Set(),
    diagnostics: lw.diagnostics,
    lineCount: text.split('\n').length,
  };
  const pendingMacros: { name: string; text: string; node: Node }[] = [];
  topLevel(named(tree.rootNode), lw, unit, pendingMacros, reuse);
  lowerMacros(pendingMacros, unit);
  reportSyntaxErrors(tree.rootNode, lw);
  return unit;
}

function topLevel(nodes: Node[], lw: Lowerer, unit: TranslationUnit, macros: { name: string; text: string; node: Node }[], reuse?: FunctionReuse): void {
  for (const n of nodes) {
    switch (typeOf(n)) {
      case 'function_definition':
        functionDef(n, lw, unit, reuse);
        break;
      case 'declaration':
        declaration(n, lw, unit);
        break;
      case 'preproc_def': {
        const name = n.childForFieldName('name');
        const value = n.childForFieldName('value');
        if (name) macros.push({ name: name.text, text: value ? value.text : '', node: n });
        break;
      }
      case 'preproc_function_def': {
        const name = n.childForFieldName('name');
        if (name) unit.functionMacros.add(name.text);
        break;
      }
      case 'preproc_ifdef':
      case 'preproc_if':
      case 'preproc_elif':
      case 'preproc_elifdef':
      case 'preproc_else': {
        // Configuration blocks at file level: every branch is read; the first definition of a name wins.
        const skip = new Set([n.childForFieldName('name')?.id, n.childForFieldName('condition')?.id]);
        const inner = named(n).filter((c) => !skip.has(c.id));
        topLevel(inner, lw, unit, macros, reuse);
        break;
      }
      case 'linkage_specification': {
        const body = n.childForFieldName('body');
        if (body) topLevel(named(body), lw, unit, macros, reuse);
        break;
      }
      case 'declaration_list':
        topLevel(named(n), lw, unit, macros, reuse);
        break;
      case 'ERROR':
        // Tree-sitter wraps what it cannot read; functions inside it may still be recoverable.
        lw.report(n, 'syntax', `syntax error at file level (unknown macro or unbalanced braces?): \`${clip(n.text)}\``);
        topLevel(named(n).filter((c) => typeOf(c) === 'function_definition' || typeOf(c) === 'declaration' || typeOf(c) === 'preproc_def'), lw, unit, macros, reuse);
        break;
      default:
        break;
    }
  }
}

/** Every ERROR or MISSING node the lowering did not already report, located. */
function reportSyntaxErrors(root: Node, lw: Lowerer): void {
  const seen = new Set(lw.diagnostics.map((d) => `${d.line}:${d.column}`));
  const stack: Node[] = [root];
  let count = 0;
  while (stack.length && count < 50) {
    const n = stack.pop() as Node;
    if (!n.hasError && !n.isMissing) continue;
    if (typeOf(n) === 'ERROR' || n.isMissing) {
      const key = `${n.startPosition.row + 1}:${n.startPosition.column + 1}`;
      if (!seen.has(key)) {
        seen.add(key);
        count++;
        lw.report(n, 'syntax', n.isMissing ? `syntax error: missing \`${typeOf(n)}\`` : `syntax error (unknown macro or unbalanced braces?): \`${clip(n.text)}\``);
      }
      if (typeOf(n) === 'ERROR') continue;
    }
    for (let i = n.childCount - 1; i >= 0; i--) {
      const c = n.child(i);
      if (c) stack.push(c);
    }
  }
}

function clip(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 60 ? `${one.slice(0, 57)}...` : one;
}

function findFunctionDeclarator(d: Node | null): Node | null {
  let cur = d;
  for (let i = 0; cur && i < 20; i++) {
    if (typeOf(cur) === 'function_declarator') {
      // `int (*get(void))(int)` style: the innermost function_declarator names the function.
      const inner = cur.childForFieldName('declarator');
      if (inner && typeOf(inner) !== 'identifier') {
        const deeper = findFunctionDeclarator(inner);
        if (deeper) return deeper;
      }
      return cur;
    }
    cur = cur.childForFieldName('declarator') ?? named(cur).find((c) => typeOf(c).endsWith('declarator')) ?? null;
  }
  return null;
}

function params(fd: Node): Param[] {
  const list = fd.childForFieldName('parameters');
  if (!list) return [];
  const out: Param[] = [];
  for (const p of named(list)) {
    if (typeOf(p) !== 'parameter_declaration') continue;
    const type = p.childForFieldName('type')?.text ?? '';
    const info = declaratorInfo(p.childForFieldName('declarator'));
    if (!info.name) {
      if (type !== 'void') out.push({ name: `__unnamed${out.length}`, type, pointer: info.pointer, functionPointer: info.functionPointer });
      continue;
    }
    out.push({ name: info.name, type, pointer: info.pointer || info.array, functionPointer: info.functionPointer });
  }
  return out;
}

function functionDef(n: Node, lw: Lowerer, unit: TranslationUnit, reuse?: FunctionReuse): void {
  if (!reuse) {
    lowerFunction(n, lw, unit);
    return;
  }
  // The key holds what the lowering reads: the node's text and where it starts (locations).
  const key = `${n.startPosition.row}:${n.startPosition.column}:${typeOf(n)}:${n.text}`;
  let lowered = reuse.get(key);
  if (lowered && unit.functions.has(lowered.fn.name)) lowered = undefined; // a duplicate: report it afresh
  if (!lowered) {
    // Lowered alone, its diagnostics then joined to the file's as a whole-file lowering adds them.
    const own = new Lowerer();
    const before = new Map(unit.functions);
    lowerFunction(n, own, unit);
    const fn = [...unit.functions.values()].find((f) => !before.has(f.name));
    for (const d of own.diagnostics) lw.add(d);
    if (fn) reuse.set(key, { fn, diagnostics: own.diagnostics });
    return;
  }
  unit.functions.set(lowered.fn.name, lowered.fn);
  for (const d of lowered.diagnostics) lw.add(d);
  reuse.set(key, lowered);
}

function lowerFunction(n: Node, lw: Lowerer, unit: TranslationUnit): void {
  const fd = findFunctionDeclarator(n.childForFieldName('declarator'));
  const body = n.childForFieldName('body');
  if (!fd || !body) {
    lw.report(n, 'unknown-construct', 'function definition without a readable declarator');
    return;
  }
  const info = declaratorInfo(fd.childForFieldName('declarator'));
  if (!info.name) {
    lw.report(n, 'unknown-construct', 'function definition without a name');
    return;
  }
  if (unit.functions.has(info.name)) {
    lw.report(n, 'duplicate', `\`${info.name}\` is defined more than once (another #if branch?); the first definition is analysed`);
    return;
  }
  lw.labels = new Set();
  const loweredBody = lw.stmt(body);
  const isStatic = named(n).some((c) => typeOf(c) === 'storage_class_specifier' && c.text === 'static');
  const fn: FunctionDef = {
    name: info.name,
    params: params(fd),
    returnType: n.childForFieldName('type')?.text ?? 'int',
    isStatic,
    body: loweredBody,
    loc: locOf(n),
    nameLoc: locOf(fd.childForFieldName('declarator') ?? fd),
    labels: lw.labels,
  };
  unit.functions.set(fn.name, fn);
}

function declaration(n: Node, lw: Lowerer, unit: TranslationUnit): void {
  const typeNode = n.childForFieldName('type');
  for (const d of n.childrenForFieldName('declarator')) {
    if (!d) continue;
    if (typeOf(d) === 'function_declarator' || (typeOf(d) === 'pointer_declarator' && findFunctionDeclarator(d))) {
      const info = declaratorInfo(d);
      if (info.name) unit.declared.add(info.name);
      continue;
    }
    if (typeOf(d) !== 'init_declarator') continue;
    const value = d.childForFieldName('value');
    const info = declaratorInfo(d.childForFieldName('declarator'));
    if (!value || typeOf(value) !== 'initializer_list' || !info.name) continue;
    const structType = typeNode && typeOf(typeNode) === 'struct_specifier' ? typeNode.childForFieldName('name')?.text ?? '' : typeNode?.text ?? '';
    const items = lw.initItems(value);
    const inst: StructInstance = {
      name: info.name,
      structType,
      fields: items.filter((i) => i.field).map((i) => ({ field: i.field as string, value: i.value, loc: i.value.loc })),
      loc: locOf(n),
      nameLoc: locOf(d.childForFieldName('declarator') ?? d),
    };
    unit.structs.push(inst);
  }
}

/** Object-like macro values are parsed in one extra pass, as initialisers of synthetic variables. */
function lowerMacros(pending: { name: string; text: string; node: Node }[], unit: TranslationUnit): void {
  // A value continued over lines (`\` at the end of a line) is one line of the macro.
  const usable = pending.map((m) => ({ ...m, text: m.text.replace(/\\\r?\n/g, ' ') })).filter((m) => m.text.trim() !== '' && !/[#;{}]/.test(m.text) && m.text.length < 400);
  for (const m of pending) {
    unit.macros.set(m.name, { name: m.name, value: undefined, text: m.text.trim(), loc: locOf(m.node) });
  }
  if (usable.length === 0) return;
  const src = usable.map((m, i) => `long __kpr_macro_${i} = (${m.text.trim()});`).join('\n');
  const tree = parseC(src);
  try {
    const lw = new Lowerer();
    const decls = named(tree.rootNode);
    for (const d of decls) {
      if (typeOf(d) !== 'declaration' || d.hasError) continue;
      const vars = lw.declaration(d);
      const v = vars[0];
      const m = v && /^__kpr_macro_(\d+)$/.exec(v.name);
      if (!m || !v.init) continue;
      const macro = usable[Number(m[1])];
      const def: MacroDef = { name: macro.name, value: withLoc(v.init, locOf(macro.node)), text: macro.text.trim(), loc: locOf(macro.node) };
      unit.macros.set(macro.name, def);
    }
  } finally {
    tree.delete();
  }
}

/** Macro bodies were parsed out of place: give every node the #define's location. */
function withLoc<T>(value: T, loc: ReturnType<typeof locOf>): T {
  if (Array.isArray(value)) return value.map((v) => withLoc(v, loc)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = k === 'loc' ? loc : withLoc(v, loc);
    return out as T;
  }
  return value;
}

export type { FunctionDef } from './ir';
