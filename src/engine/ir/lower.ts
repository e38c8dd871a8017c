// Lowers tree-sitter-c statements and expressions into the IR. Never throws on odd input:
// ERROR/MISSING nodes and constructs it cannot read become 'unknown' nodes plus a diagnostic.
import type { Node } from 'web-tree-sitter';
import type { Expr, Loc, LoweringDiagnostic, Stmt, SwitchCase, VarDecl } from './ir';

export function locOf(n: Node): Loc {
  return {
    line: n.startPosition.row + 1,
    column: n.startPosition.column + 1,
    endLine: n.endPosition.row + 1,
    endColumn: n.endPosition.column + 1,
  };
}

function clip(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 60 ? `${one.slice(0, 57)}...` : one;
}

/**
 * A node's type, read from the parser once per node object: \`Node.type\` asks the wasm parser on
 * every read, and lowering reads it two or three times a node (a filter, then a switch).
 */
export function typeOf(n: Node): string {
  const c = n as Node & { kprType?: string };
  return (c.kprType ??= n.type);
}

function named(n: Node): Node[] {
  return n.namedChildren.filter((c): c is Node => c !== null && typeOf(c) !== 'comment');
}

/** Lowering context: collects diagnostics and the labels of the current function. */
export class Lowerer {
  readonly diagnostics: LoweringDiagnostic[] = [];
  labels = new Set<string>();
  /** Depth guard: deeply nested input must not blow the JS stack. */
  private depth = 0;
  private static readonly MAX_DEPTH = 400;

  report(n: Node, kind: string, message: string): void {
    this.add({ line: n.startPosition.row + 1, column: n.startPosition.column + 1, kind, message });
  }

  /** Adds a diagnostic (at most 500 a file). */
  add(d: LoweringDiagnostic): void {
    if (this.diagnostics.length >= 500) return;
    this.diagnostics.push(d);
  }

  private unknownExpr(n: Node, reason: string): Expr {
    this.report(n, 'unknown-construct', `${reason}: \`${clip(n.text)}\``);
    return { kind: 'unknown', reason, text: clip(n.text), loc: locOf(n) };
  }

  private unknownStmt(n: Node, reason: string): Stmt {
    this.report(n, typeOf(n) === 'ERROR' || n.isMissing ? 'syntax' : 'unknown-construct', `${reason}: \`${clip(n.text)}\``);
    return { kind: 'unknown', reason, text: clip(n.text), loc: locOf(n) };
  }

  // ---------------------------------------------------------------- statements

  stmt(n: Node): Stmt {
    if (++this.depth > Lowerer.MAX_DEPTH) {
      this.depth--;
      return this.unknownStmt(n, 'nesting too deep to analyse');
    }
    try {
      return this.stmtInner(n);
    } finally {
      this.depth--;
    }
  }

  private stmtInner(n: Node): Stmt {
    const loc = locOf(n);
    switch (typeOf(n)) {
      case 'compound_statement':
        return { kind: 'block', body: this.stmts(named(n)), loc };
      case 'declaration':
        return { kind: 'decl', vars: this.declaration(n), loc };
      case 'expression_statement': {
        const e = named(n)[0];
        if (n.hasError && (!e || e.hasError)) return this.unknownStmt(n, 'unparseable statement');
        return e ? { kind: 'expr', expr: this.expr(e), loc } : { kind: 'empty', loc };
      }
      case 'if_statement': {
        const cond = n.childForFieldName('condition');
        const cons = n.childForFieldName('consequence');
        let alt = n.childForFieldName('alternative');
        if (!cond || !cons) return this.unknownStmt(n, 'incomplete if statement');
        if (alt && typeOf(alt) === 'else_clause') alt = named(alt)[0] ?? null;
        return { kind: 'if', test: this.expr(cond), then: this.stmt(cons), else: alt ? this.stmt(alt) : undefined, loc };
      }
      case 'while_statement': {
        const cond = n.childForFieldName('condition');
        const body = n.childForFieldName('body');
        if (!cond || !body) return this.unknownStmt(n, 'incomplete while loop');
        return { kind: 'while', test: this.expr(cond), body: this.stmt(body), loc };
      }
      case 'do_statement': {
        const cond = n.childForFieldName('condition');
        const body = n.childForFieldName('body');
        if (!cond || !body) return this.unknownStmt(n, 'incomplete do loop');
        return { kind: 'do', test: this.expr(cond), body: this.stmt(body), loc };
      }
      case 'for_statement': {
        const init = n.childForFieldName('initializer');
        const cond = n.childForFieldName('condition');
        const update = n.childForFieldName('update');
        const body = n.childForFieldName('body');
        if (!body) return this.unknownStmt(n, 'incomplete for loop');
        let initStmt: Stmt | undefined;
        if (init) initStmt = typeOf(init) === 'declaration' ? { kind: 'decl', vars: this.declaration(init), loc: locOf(init) } : { kind: 'expr', expr: this.expr(init), loc: locOf(init) };
        return {
          kind: 'for',
          init: initStmt,
          test: cond ? this.expr(cond) : undefined,
          update: update ? this.expr(update) : undefined,
          body: this.stmt(body),
          loc,
        };
      }
      case 'switch_statement': {
        const cond = n.childForFieldName('condition');
        const body = n.childForFieldName('body');
        if (!cond || !body) return this.unknownStmt(n, 'incomplete switch');
        return { kind: 'switch', test: this.expr(cond), cases: this.cases(body), loc };
      }
      case 'break_statement':
        return { kind: 'break', loc };
      case 'continue_statement':
        return { kind: 'continue', loc };
      case 'return_statement': {
        const e = named(n)[0];
        return { kind: 'return', value: e ? this.expr(e) : undefined, loc };
      }
      case 'goto_statement': {
        const label = n.childForFieldName('label');
        if (!label) return this.unknownStmt(n, 'goto without label');
        return { kind: 'goto', label: label.text, loc };
      }
      case 'labeled_statement': {
        const label = n.childForFieldName('label');
        const inner = named(n).filter((c) => typeOf(c) !== 'statement_identifier')[0];
        if (!label) return this.unknownStmt(n, 'label without name');
        this.labels.add(label.text);
        return { kind: 'label', label: label.text, body: inner ? this.stmt(inner) : undefined, loc };
      }
      case 'attributed_statement': {
        const inner = named(n).filter((c) => typeOf(c) !== 'attribute_declaration')[0];
        return inner ? this.stmt(inner) : { kind: 'empty', loc };
      }
      case 'preproc_ifdef':
      case 'preproc_if':
      case 'preproc_elif':
      case 'preproc_elifdef':
        return this.configStmt(n);
      case 'preproc_call':
      case 'preproc_def':
      case 'preproc_function_def':
      case 'preproc_include':
      case 'type_definition':
      case 'struct_specifier':
      case 'enum_specifier':
      case 'union_specifier':
        return { kind: 'empty', loc };
      case ';':
        return { kind: 'empty', loc };
      case 'case_statement':
        return this.unknownStmt(n, 'case label outside a switch');
      case 'ERROR':
        return this.unknownStmt(n, 'syntax error (unreadable code, perhaps an unknown macro)');
      default:
        return this.unknownStmt(n, `unsupported statement \`${typeOf(n)}\``);
    }
  }

  stmts(nodes: Node[]): Stmt[] {
    const out: Stmt[] = [];
    for (const c of nodes) {
      if (typeOf(c) === 'comment') continue;
      out.push(this.stmt(c));
    }
    return out;
  }

  private configStmt(n: Node): Stmt {
    const loc = locOf(n);
    const nameNode = n.childForFieldName('name') ?? n.childForFieldName('condition');
    const directive = n.children[0]?.text ?? '#if';
    const condition = `${directive} ${nameNode ? nameNode.text : ''}`.trim();
    const alt = n.childForFieldName('alternative');
    const body = named(n).filter((c) => c !== nameNode && c !== alt && c.id !== alt?.id && c.id !== nameNode?.id);
    let elseBody: Stmt[] = [];
    if (alt) {
      elseBody = typeOf(alt) === 'preproc_else' ? this.stmts(named(alt)) : [this.configStmt(alt)];
    }
    return { kind: 'config', condition, then: this.stmts(body), else: elseBody, loc };
  }

  private cases(body: Node): SwitchCase[] {
    const cases: SwitchCase[] = [];
    for (const c of named(body)) {
      if (typeOf(c) === 'case_statement') {
        const value = c.childForFieldName('value');
        const stmts = named(c).filter((s) => s.id !== value?.id);
        cases.push({ value: value ? this.expr(value) : undefined, body: this.stmts(stmts), loc: locOf(c) });
      } else if (cases.length > 0) {
        cases[cases.length - 1].body.push(this.stmt(c));
      } else {
        // statements before the first case label are unreachable in C; keep going
        this.report(c, 'unknown-construct', 'statement before the first case label is never executed');
      }
    }
    return cases;
  }

  /** The variables a declaration introduces, with their initialisers. */
  declaration(n: Node): VarDecl[] {
    const typeNode = n.childForFieldName('type');
    const type = typeNode ? typeNode.text : '';
    const vars: VarDecl[] = [];
    for (const d of n.childrenForFieldName('declarator')) {
      if (!d) continue;
      let decl: Node | null = d;
      let init: Expr | undefined;
      if (typeOf(d) === 'init_declarator') {
        decl = d.childForFieldName('declarator');
        const v = d.childForFieldName('value');
        if (v) init = this.expr(v);
      }
      const info = declaratorInfo(decl);
      if (!info.name) continue;
      vars.push({ name: info.name, type, pointer: info.pointer, array: info.array, init, loc: locOf(d) });
    }
    return vars;
  }

  // ---------------------------------------------------------------- expressions

  expr(n: Node): Expr {
    if (++this.depth > Lowerer.MAX_DEPTH) {
      this.depth--;
      return this.unknownExpr(n, 'expression nested too deep to analyse');
    }
    try {
      return this.exprInner(n);
    } finally {
      this.depth--;
    }
  }

  private exprInner(n: Node): Expr {
    const type = typeOf(n);
    if (type === 'identifier') {
      // An identifier is one line of ASCII: it ends its length after its start (one parser call fewer than locOf).
      const name = n.text;
      const at = n.startPosition;
      return { kind: 'ident', name, loc: { line: at.row + 1, column: at.column + 1, endLine: at.row + 1, endColumn: at.column + 1 + name.length } };
    }
    const loc = locOf(n);
    switch (type) {
      case 'null':
        return { kind: 'ident', name: 'NULL', loc };
      case 'true':
        return { kind: 'num', value: 1n, loc };
      case 'false':
        return { kind: 'num', value: 0n, loc };
      case 'number_literal':
        return this.number(n);
      case 'char_literal':
        return { kind: 'num', value: charValue(n.text), loc };
      case 'string_literal':
      case 'concatenated_string':
        return { kind: 'str', value: n.text, loc };
      case 'parenthesized_expression': {
        const inner = named(n)[0];
        if (!inner) return this.unknownExpr(n, 'empty parentheses');
        if (typeOf(inner) === 'compound_statement') return this.unknownExpr(n, 'GNU statement expression');
        return this.expr(inner);
      }
      case 'binary_expression': {
        const l = n.childForFieldName('left');
        const r = n.childForFieldName('right');
        const op = n.childForFieldName('operator');
        if (!l || !r || !op) return this.unknownExpr(n, 'incomplete binary expression');
        return { kind: 'binary', op: op.text, left: this.expr(l), right: this.expr(r), loc };
      }
      case 'unary_expression':
      case 'pointer_expression': {
        const op = n.childForFieldName('operator')?.text ?? n.children[0]?.text ?? '';
        const arg = n.childForFieldName('argument');
        if (!arg || !['!', '~', '-', '+', '*', '&'].includes(op)) return this.unknownExpr(n, 'unsupported unary operator');
        return { kind: 'unary', op: op as '!', arg: this.expr(arg), loc };
      }
      case 'update_expression': {
        const arg = n.childForFieldName('argument');
        const op = n.childForFieldName('operator');
        if (!arg || !op) return this.unknownExpr(n, 'incomplete ++/--');
        const prefix = n.children[0]?.id === op.id;
        return { kind: 'update', op: op.text === '++' ? '++' : '--', prefix, arg: this.expr(arg), loc };
      }
      case 'assignment_expression': {
        const l = n.childForFieldName('left');
        const r = n.childForFieldName('right');
        const op = n.childForFieldName('operator');
        if (!l || !r || !op) return this.unknownExpr(n, 'incomplete assignment');
        return { kind: 'assign', op: op.text, target: this.expr(l), value: this.expr(r), loc };
      }
      case 'call_expression': {
        const fn = n.childForFieldName('function');
        const args = n.childForFieldName('arguments');
        if (!fn || !args) return this.unknownExpr(n, 'incomplete call');
        return { kind: 'call', callee: this.expr(fn), args: named(args).map((a) => this.expr(a)), loc };
      }
      case 'field_expression': {
        const obj = n.childForFieldName('argument');
        const field = n.childForFieldName('field');
        const op = n.childForFieldName('operator');
        if (!obj || !field) return this.unknownExpr(n, 'incomplete field access');
        return { kind: 'member', object: this.expr(obj), field: field.text, arrow: (op?.text ?? '->') === '->', loc };
      }
      case 'subscript_expression': {
        const obj = n.childForFieldName('argument');
        const idx = n.childForFieldName('index') ?? named(n)[1];
        if (!obj || !idx) return this.unknownExpr(n, 'incomplete subscript');
        return { kind: 'index', object: this.expr(obj), index: this.expr(idx), loc };
      }
      case 'conditional_expression': {
        const c = n.childForFieldName('condition');
        const a = n.childForFieldName('consequence');
        const b = n.childForFieldName('alternative');
        if (!c || !b) return this.unknownExpr(n, 'incomplete conditional');
        const test = this.expr(c);
        return { kind: 'cond', test, then: a ? this.expr(a) : test, else: this.expr(b), loc };
      }
      case 'comma_expression': {
        const l = n.childForFieldName('left');
        const r = n.childForFieldName('right');
        if (!l || !r) return this.unknownExpr(n, 'incomplete comma expression');
        const right = this.expr(r);
        const exprs = right.kind === 'comma' ? [this.expr(l), ...right.exprs] : [this.expr(l), right];
        return { kind: 'comma', exprs, loc };
      }
      case 'cast_expression': {
        const t = n.childForFieldName('type');
        const v = n.childForFieldName('value');
        if (!v) return this.unknownExpr(n, 'incomplete cast');
        return { kind: 'cast', type: t ? t.text : '', arg: this.expr(v), loc };
      }
      case 'sizeof_expression':
      case 'alignof_expression':
      case 'offsetof_expression':
        return { kind: 'sizeof', text: clip(n.text), loc };
      case 'initializer_list':
        return { kind: 'init', items: this.initItems(n), loc };
      case 'compound_literal_expression': {
        const v = n.childForFieldName('value');
        return v ? this.expr(v) : this.unknownExpr(n, 'compound literal');
      }
      case 'extension_expression': {
        const inner = named(n)[0];
        return inner ? this.expr(inner) : this.unknownExpr(n, '__extension__');
      }
      case 'ERROR':
        return this.unknownExpr(n, 'syntax error');
      default:
        return this.unknownExpr(n, `unsupported expression \`${typeOf(n)}\``);
    }
  }

  initItems(n: Node): { field?: string; value: Expr }[] {
    const items: { field?: string; value: Expr }[] = [];
    for (const c of named(n)) {
      if (typeOf(c) === 'initializer_pair') {
        const designator = c.childForFieldName('designator') ?? named(c)[0];
        const value = c.childForFieldName('value') ?? named(c)[named(c).length - 1];
        const field = (designator && typeOf(designator)) === 'field_designator' ? named(designator)[0]?.text ?? designator.text.replace(/^\./, '') : undefined;
        if (value) items.push({ field, value: this.expr(value) });
      } else {
        items.push({ value: this.expr(c) });
      }
    }
    return items;
  }

  private number(n: Node): Expr {
    let text = n.text.replace(/[uUlL]+$/, '');
    // tree-sitter-c sometimes folds a leading minus into the literal ("-1").
    const negative = /^[-+]/.test(text) && text[0] === '-';
    text = text.replace(/^[-+]\s*/, '');
    try {
      let value: bigint;
      if (/^0[0-7]+$/.test(text)) value = BigInt(`0o${text.slice(1)}`);
      else if (/^(0[xX][0-9a-fA-F]+|0[bB][01]+|\d+)$/.test(text)) value = BigInt(text);
      else return this.unknownExpr(n, 'non-integer literal');
      return { kind: 'num', value: negative ? -value : value, loc: locOf(n) };
    } catch {
      return this.unknownExpr(n, 'unreadable number');
    }
  }
}

function charValue(text: string): bigint {
  const body = text.replace(/^[LuU8]*'/, '').replace(/'$/, '');
  if (body.startsWith('\\')) {
    const esc: Record<string, number> = { n: 10, t: 9, r: 13, '0': 0, '\\': 92, "'": 39, '"': 34, a: 7, b: 8, f: 12, v: 11 };
    const c = body[1] ?? '0';
    if (c === 'x') return BigInt(parseInt(body.slice(2), 16) || 0);
    if (/[0-7]/.test(c)) return BigInt(parseInt(body.slice(1), 8) || 0);
    return BigInt(esc[c] ?? c.charCodeAt(0));
  }
  return BigInt(body.charCodeAt(0) || 0);
}

/** Name, pointer-ness and array-ness of a (possibly nested) declarator. */
export function declaratorInfo(d: Node | null): { name: string | null; pointer: boolean; array: boolean; functionPointer: boolean } {
  let pointer = false;
  let array = false;
  let functionPointer = false;
  let cur: Node | null = d;
  for (let i = 0; cur && i < 50; i++) {
    switch (typeOf(cur)) {
      case 'identifier':
      case 'field_identifier':
      case 'type_identifier':
        return { name: cur.text, pointer, array, functionPointer };
      case 'pointer_declarator':
        pointer = true;
        cur = cur.childForFieldName('declarator');
        break;
      case 'array_declarator':
        array = true;
        cur = cur.childForFieldName('declarator');
        break;
      case 'function_declarator':
        functionPointer = true;
        cur = cur.childForFieldName('declarator');
        break;
      case 'parenthesized_declarator':
      case 'attributed_declarator':
        cur = named(cur).find((c) => typeOf(c) !== 'attribute_specifier' && typeOf(c) !== 'ms_declspec_modifier') ?? null;
        break;
      case 'init_declarator':
        cur = cur.childForFieldName('declarator');
        break;
      default:
        return { name: null, pointer, array, functionPointer };
    }
  }
  return { name: null, pointer, array, functionPointer };
}
