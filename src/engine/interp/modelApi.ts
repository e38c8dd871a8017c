// What a kernel model sees of the interpreter (ModelCtx), how models are declared (ModelSpec),
// and the exception that ends a path (a kernel BUG or a budget). Models change the simulated
// state and emit typed events; they never decide what is a finding (src/engine/checks does).
import type { Expr, Loc } from '../ir/ir';
import type { KernelEvent } from './events';
import type { KObj, Value } from './values';
import type { World } from './world';

/** Ends the current path: the kernel crashed, a budget was hit, or the simulation got what it wanted. */
export class PathEnd extends Error {
  constructor(
    readonly outcome: 'bug' | 'truncated' | 'stopped',
    readonly why: string,
  ) {
    super(why);
  }
}

export interface Site {
  loc: Loc;
  function: string;
  stack: string[];
}

export interface ModelCtx {
  readonly world: World;
  /** The model being run (the name the C source called). */
  readonly name: string;
  site(): Site;
  /** A plain trace step inside the model. */
  event(text: string): void;
  /** A typed kernel event (rules read these), with its trace text; `e` is a fresh object the path keeps as its event (its site and step added). */
  emit(e: KernelEvent, text: string): void;
  /** The kernel BUGs here (`check` names the kernel's check): emits a `bug` event and ends the path. */
  bug(message: string, check?: string): never;
  choose(options: string[], what: string): number;
  truthy(v: Value): boolean;
  intOf(v: Value): bigint | null;
  objOf(v: Value): KObj | null;
  /** Calls a function value (a get_block callback, a walk_page_buffers fn...). */
  callValue(fn: Value, args: Value[], via: string): Value;
  eval(e: Expr): Value;
  unknown(why: string): Value;
}

export type ModelFn = (ctx: ModelCtx, args: Value[], raw: Expr[]) => Value;

export interface ModelSpec {
  fn: ModelFn;
  /** The model receives unevaluated arguments (macros such as test_opt(sb, NOBH)). */
  raw?: boolean;
  /** Use the model even when the file defines a function of that name (allocation primitives); a text says why. */
  preferOverSource?: boolean | string;
  /** Index of a get_block_t argument, for callback discovery. */
  getBlockArg?: number;
  /** One line on what the model does (hover and docs). */
  doc?: string;
  /**
   * The model changes nothing but what it decides (its own choice, its event): a path that does
   * not need its answer may leave it unasked (`a && b` with `b` false: interpreter.ts).
   */
  pure?: boolean;
  /**
   * The model's answer when this path already fixes it, with no choice and no event (a data mode
   * the table or an earlier choice decided); undefined when asking would decide something.
   */
  decided?: (ctx: ModelCtx, args: Value[]) => Value | undefined;
}

export type ModelTable = ReadonlyMap<string, ModelSpec>;
