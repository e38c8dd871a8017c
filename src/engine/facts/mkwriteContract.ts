// Which ->page_mkwrite contract the file's function is written for, learnt from its signature
// (and, as a second witness, the VM_FAULT_* results it names), never from a version constant:
//  - (struct vm_area_struct *, struct page *): mm/memory.c 2.6.24–2.6.29. The page is unlocked on
//    entry and must be on return; a result < 0 fails the fault (VM_FAULT_SIGBUS), >= 0 lets it write.
//  - (struct vm_area_struct *, struct vm_fault *): 2.6.30–2.6.36 ("mm: page_mkwrite change prototype
//    to match fault", then "mm: close page_mkwrite races"). The result is a VM_FAULT_* mask; the page
//    may be returned locked with VM_FAULT_LOCKED, else unlocked; a negative errno is read as a mask.
import type { Fact } from '../api/types';
import type { FunctionDef } from '../ir/ir';
import { forEachExpr } from '../discovery';

export type MkwriteContract = 'errno' | 'vm-fault';

/** The first line of `fn` naming one of the VM_FAULT_* results, with the name. */
function vmFaultUse(fn: FunctionDef): { name: string; line: number } | null {
  let hit: { name: string; line: number } | null = null;
  forEachExpr(fn.body, (e) => {
    if (!hit && e.kind === 'ident' && /^VM_FAULT_/.test(e.name)) hit = { name: e.name, line: e.loc.line };
  });
  return hit;
}

export function mkwriteContractOf(fn: FunctionDef): Fact<MkwriteContract> {
  const second = fn.params[1];
  const vmf = !!second && /\bvm_fault\b/.test(second.type);
  const use = vmFaultUse(fn);
  const witness = use ? `; it names ${use.name} at line ${use.line}` : '';
  if (vmf) {
    return {
      value: 'vm-fault',
      line: fn.nameLoc.line,
      why: `${fn.name}(struct vm_area_struct *, struct vm_fault *): the fault of 2.6.30–2.6.36 reads its result as a VM_FAULT_* mask (VM_FAULT_LOCKED: the page comes back locked; otherwise unlocked, and the VM locks it and retries when page->mapping is NULL)${witness}`,
    };
  }
  return {
    value: 'errno',
    line: fn.nameLoc.line,
    why: `${fn.name}(struct vm_area_struct *, struct page *): the fault of 2.6.24–2.6.29 calls it with the page unlocked, needs it unlocked on return and reads a result < 0 as failure (VM_FAULT_SIGBUS)${witness}`,
  };
}
