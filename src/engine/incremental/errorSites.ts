// When an incrementally re-parsed tree with syntax errors may stand for a fresh parse. Tree-sitter
// reuses no ERROR, MISSING or error-recovery (fragile) node, but its error recovery weighs several
// readings, so an incremental tree is kept only when the errors are provably elsewhere: the edit
// touches no top-level item (a child of the translation unit) that holds an error, before or
// after, and every such item is the same one, shifted by the edit: same range, same structure,
// same ERROR/MISSING nodes at the same places. The lowering reads nothing outside a function,
// so an edit elsewhere then lowers to what a fresh parse lowers to.
import type { Node, Tree } from 'web-tree-sitter';

/** A top-level item that holds an error: its range (UTF-16 indices), structure and error nodes. */
interface ErrorItem {
  start: number;
  end: number;
  sexp: string;
  /** `ERROR@start-end` / `MISSING type@start-end` of each error node inside, in tree order. */
  errors: string[];
}

/** The top-level items of a tree that hold an error (none when the tree has none). */
export function errorItems(tree: Tree): ErrorItem[] {
  const root = tree.rootNode;
  if (!root.hasError) return [];
  const out: ErrorItem[] = [];
  for (let i = 0; i < root.childCount; i++) {
    const c = root.child(i);
    if (!c || !(c.hasError || c.isMissing)) continue;
    out.push({ start: c.startIndex, end: c.endIndex, sexp: c.toString(), errors: errorNodes(c, c.startIndex) });
  }
  return out;
}

/** Error nodes inside `n`, located relative to `base` (the item's start), so a shifted item compares equal. */
function errorNodes(n: Node, base: number): string[] {
  const out: string[] = [];
  const stack: Node[] = [n];
  while (stack.length) {
    const x = stack.pop() as Node;
    if (x.isMissing) out.push(`MISSING ${x.type}@${x.startIndex - base}`);
    else if (x.type === 'ERROR') out.push(`ERROR@${x.startIndex - base}-${x.endIndex - base}`);
    if (!x.hasError) continue;
    for (let i = x.childCount - 1; i >= 0; i--) {
      const c = x.child(i);
      if (c) stack.push(c);
    }
  }
  return out;
}

/** Whether the span [from, to] (ends included: an insertion beside an item may extend it) meets an item. */
export function touches(items: ErrorItem[], from: number, to: number): boolean {
  return items.some((it) => it.start <= to && from <= it.end);
}

/**
 * Whether the new tree's error items are the old tree's, shifted by the edit that replaced
 * [start, oldEnd) with [start, newEnd), and none of them meets the edited span.
 */
export function sameErrorsElsewhere(before: ErrorItem[], after: ErrorItem[], edit: { startIndex: number; oldEndIndex: number; newEndIndex: number }): boolean {
  if (before.length !== after.length) return false;
  if (touches(before, edit.startIndex, edit.oldEndIndex) || touches(after, edit.startIndex, edit.newEndIndex)) return false;
  const delta = edit.newEndIndex - edit.oldEndIndex;
  return before.every((b, i) => {
    const a = after[i];
    const shift = b.start >= edit.oldEndIndex ? delta : 0;
    return a.start === b.start + shift && a.end === b.end + shift && a.sexp === b.sexp && a.errors.length === b.errors.length && a.errors.every((e, j) => e === b.errors[j]);
  });
}
