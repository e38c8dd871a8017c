// The engine's intermediate representation of C: a small typed tree with positions copied
// out of tree-sitter. Anything the lowering cannot read becomes an explicit 'unknown' node.

export interface Loc {
  line: number; // 1-based
  column: number; // 1-based
  endLine: number;
  endColumn: number; // exclusive
  /** Set on the code of another file of a kernel tree (tree-relative path); absent: the analysed file. */
  file?: string;
}

export type Expr =
  | { kind: 'num'; value: bigint; loc: Loc }
  | { kind: 'str'; value: string; loc: Loc }
  /** `bound`: set (not enumerable) by the interpreter's binder, interp/binder.ts. */
  | { kind: 'ident'; name: string; loc: Loc; bound?: { readonly unit: object; readonly local: boolean; readonly global: unknown } }
  | { kind: 'unary'; op: '!' | '~' | '-' | '+' | '*' | '&'; arg: Expr; loc: Loc }
  | { kind: 'update'; op: '++' | '--'; prefix: boolean; arg: Expr; loc: Loc }
  | { kind: 'binary'; op: string; left: Expr; right: Expr; loc: Loc }
  | { kind: 'assign'; op: string; target: Expr; value: Expr; loc: Loc }
  | { kind: 'call'; callee: Expr; args: Expr[]; loc: Loc }
  | { kind: 'member'; object: Expr; field: string; arrow: boolean; loc: Loc }
  | { kind: 'index'; object: Expr; index: Expr; loc: Loc }
  | { kind: 'cond'; test: Expr; then: Expr; else: Expr; loc: Loc }
  | { kind: 'comma'; exprs: Expr[]; loc: Loc }
  | { kind: 'cast'; type: string; arg: Expr; loc: Loc }
  | { kind: 'sizeof'; text: string; loc: Loc }
  | { kind: 'init'; items: { field?: string; value: Expr }[]; loc: Loc }
  | { kind: 'unknown'; reason: string; text: string; loc: Loc };

export interface VarDecl {
  name: string;
  type: string;
  pointer: boolean;
  array: boolean;
  init?: Expr;
  loc: Loc;
}

export interface SwitchCase {
  /** undefined for `default:` */
  value?: Expr;
  body: Stmt[];
  loc: Loc;
}

export type Stmt =
  | { kind: 'block'; body: Stmt[]; loc: Loc }
  | { kind: 'decl'; vars: VarDecl[]; loc: Loc }
  | { kind: 'expr'; expr: Expr; loc: Loc }
  | { kind: 'if'; test: Expr; then: Stmt; else?: Stmt; loc: Loc }
  | { kind: 'while'; test: Expr; body: Stmt; loc: Loc }
  | { kind: 'do'; body: Stmt; test: Expr; loc: Loc }
  | { kind: 'for'; init?: Stmt; test?: Expr; update?: Expr; body: Stmt; loc: Loc }
  | { kind: 'switch'; test: Expr; cases: SwitchCase[]; loc: Loc }
  | { kind: 'break'; loc: Loc }
  | { kind: 'continue'; loc: Loc }
  | { kind: 'return'; value?: Expr; loc: Loc }
  | { kind: 'goto'; label: string; loc: Loc }
  | { kind: 'label'; label: string; body?: Stmt; loc: Loc }
  /** `#if`/`#ifdef` inside a function: the configuration decides which branch is compiled. */
  | { kind: 'config'; condition: string; then: Stmt[]; else: Stmt[]; loc: Loc }
  | { kind: 'empty'; loc: Loc }
  | { kind: 'unknown'; reason: string; text: string; loc: Loc };

export interface Param {
  name: string;
  type: string;
  pointer: boolean;
  /** Declared as a function pointer (`int (*fn)(...)`) or a typedef'd function type pointer. */
  functionPointer: boolean;
}

export interface FunctionDef {
  name: string;
  params: Param[];
  returnType: string;
  isStatic: boolean;
  body: Stmt;
  loc: Loc;
  nameLoc: Loc;
  /** Labels defined anywhere in the body (goto targets). */
  labels: Set<string>;
  /** A function of a kernel tree's other file (tree-relative path); absent: the analysed file's. */
  file?: string;
}

/** A global `struct T name = { .field = value, ... }`. */
export interface StructInstance {
  name: string;
  structType: string;
  fields: { field: string; value: Expr; loc: Loc }[];
  loc: Loc;
  nameLoc: Loc;
}

/** An object-like `#define NAME value` whose value parsed as an expression. */
export interface MacroDef {
  name: string;
  value: Expr | undefined;
  text: string;
  loc: Loc;
}

export interface LoweringDiagnostic {
  line: number;
  column: number;
  kind: string;
  message: string;
}

export interface TranslationUnit {
  functions: Map<string, FunctionDef>;
  /**
   * Functions the file calls but does not define, from elsewhere in a program (the kernel tree's
   * primitives, src/engine/tree/program.ts); `hasModel`: the engine models the name; `fromFile`:
   * the tree file of the calling function (its own static functions come first).
   */
  external?: (name: string, hasModel: boolean, fromFile?: string) => FunctionDef | undefined;
  structs: StructInstance[];
  macros: Map<string, MacroDef>;
  /** Function-like macros the file defines (names only: they are reported if called). */
  functionMacros: Set<string>;
  /** Names declared (prototypes, externs) but not defined here. */
  declared: Set<string>;
  diagnostics: LoweringDiagnostic[];
  lineCount: number;
}
