// Orchestrates one analysis: parse -> lower -> discover -> run scenarios -> results.
import type { AnalyzeOptions, ScenarioResult } from './api/types';

/** Loads the tree-sitter runtime and the C grammar once. `wasmDir` holds both .wasm files. */
export async function initEngine(_wasmDir?: string): Promise<void> {
  throw new Error('not implemented yet');
}

/** Analyses one C file. Never throws on malformed input: problems become diagnostics. */
export function analyzeSource(_text: string, _file: string, _options: AnalyzeOptions = {}): ScenarioResult {
  throw new Error('not implemented yet');
}
