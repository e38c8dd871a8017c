// The one simulation harness: runs a function of the file over every path (by replay), each on
// a fresh world, and hands each finished path to the caller. Scenario runs, discovery of table
// selection, the write_begin/writepages facts and the get_block callback survey all go through it.
import type { FunctionDef, TranslationUnit } from '../ir/ir';
import { constants, modelTable } from '../models';
import { type ChoiceLog, explore } from './explorer';
import { Interp } from './interpreter';
import { PathEnd } from './modelApi';
import type { Value } from './values';
import type { World } from './world';

export interface SimLimits {
  maxPaths: number;
  deadline: number;
  stepsPerPath: number;
  callDepth: number;
}

/** How one path ended: returned (with its value), a kernel BUG, a budget, or stopped on purpose. */
export interface SimEnd {
  ended: 'returned' | 'bug' | 'truncated' | 'stopped';
  why: string;
  returnValue: Value | null;
}

export interface SimPath {
  world: World;
  interp: Interp;
  end: SimEnd;
  log: ChoiceLog;
}

export interface SimSetup {
  /** A fresh world for each path. */
  world(): World;
  /** The arguments of `fn` in that world. */
  args(world: World, interp: Interp): Value[];
  /** Runs before `fn` on the same path (e.g. the table's ->set_page_dirty for an mmap-dirtied page). */
  before?(world: World, interp: Interp): void;
}

/** Runs `fn` over every path until none is left or a limit is hit; `onPath` sees each path as it ends. */
export function simulate(unit: TranslationUnit, fn: FunctionDef, setup: SimSetup, limits: SimLimits, onPath: (p: SimPath) => void): { truncated: string[]; paths: number } {
  let paths = 0;
  const { truncated } = explore(
    (log) => {
      paths++;
      const world = setup.world();
      const interp = new Interp(unit, modelTable(), world, log, { stepsPerPath: limits.stepsPerPath, callDepth: limits.callDepth }, constants);
      const end: SimEnd = { ended: 'returned', why: '', returnValue: null };
      try {
        setup.before?.(world, interp);
        end.returnValue = interp.run(fn, setup.args(world, interp));
      } catch (e) {
        if (!(e instanceof PathEnd)) throw e;
        end.ended = e.outcome;
        end.why = e.why;
      }
      onPath({ world, interp, end, log });
      return null;
    },
    { maxPaths: limits.maxPaths, deadline: limits.deadline },
  );
  return { truncated, paths };
}
