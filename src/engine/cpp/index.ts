// The C preprocessor of the kernel-tree mode: see preprocess.ts.
export { preprocess, type PreprocessOptions, type PreprocessResult, type PpDiagnostic, type PpUnit, type SourceHost } from './preprocess';
export { MacroTable, type MacroDef } from './macros';
export { lex, spell, type PpToken } from './lexer';
