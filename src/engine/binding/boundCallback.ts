// A get_block callback as its calls bind it: a callback bound to a model preferred over its
// definition (reiserfs_get_block: its body reaches the tree balancing and the block allocator)
// never runs its body; a survey of it runs the model, through a function that calls it.
import type { Expr, FunctionDef } from '../ir/ir';
import { modelTable } from '../models';

export function asBound(fn: FunctionDef): FunctionDef {
  if (!modelTable().get(fn.name)?.preferOverSource) return fn;
  const loc = fn.nameLoc;
  const args: Expr[] = fn.params.map((p) => ({ kind: 'ident', name: p.name, loc }));
  const call: Expr = { kind: 'call', callee: { kind: 'ident', name: fn.name, loc }, args, loc };
  return { ...fn, labels: new Set(), body: { kind: 'return', value: call, loc } };
}
