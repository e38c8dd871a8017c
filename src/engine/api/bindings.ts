// What a call in the file is bound to, from a finished result (the hover on a call): the binding
// `kpr models` prints (src/engine/binding/callBindings.ts) and the writepage paths it lies on.
import type { CallBinding, ScenarioResult } from './types';

export interface CallAt {
  binding: CallBinding;
  /** The tables whose ->writepage path holds this call (`table → writepage`). */
  paths: string[];
}

/** The call of `name` on `line` (1-based), nearest to `column` (1-based), if the result bound one. */
export function callBindingAt(result: ScenarioResult, name: string, line: number, column: number): CallAt | undefined {
  const here = (result.callBindings ?? []).filter((b) => b.name === name && b.line === line);
  if (!here.length) return undefined;
  const binding = here.reduce((a, b) => (Math.abs(b.column - column) < Math.abs(a.column - column) ? b : a));
  const paths = (result.bindings ?? [])
    .filter((p) => p.calls.some((c) => c.name === name && c.line === line && c.column === binding.column))
    .map((p) => `${p.table} → ${p.writepage}`);
  return { binding, paths };
}

/** What a binding means, in one sentence. */
export function bindingPhrase(b: CallBinding): string {
  switch (b.kind) {
    case 'model':
      return `a model of the kernel API (${b.family ?? 'model'})${b.doc ? `: ${b.doc}` : ''}`;
    case 'function':
      return 'a function of this file: interpreted, statement by statement';
    case 'indirect':
      return 'an indirect call through a pointer: the function the pointer holds on each path is interpreted';
    default:
      return 'unmodelled: neither defined in this file nor modelled; its result is an unknown value, and a branch on it is a guess (a finding resting on it lists it as an assumption and is at most a warning)';
  }
}
