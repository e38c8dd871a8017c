// The one simulation harness: runs a function of the file over every path (by replay), each on
// a fresh world, and hands each finished path to the caller. Scenario runs, discovery of table
// selection, the write_begin/writepages facts and the get_block callback survey all go through it.
import type { FunctionDef, TranslationUnit } from '../ir/ir';
import { constants, modelTable } from '../models';
import { ChoiceLog, explore, type ExploreOrder } from './explorer';
import { Interp, type InterpLimits } from './interpreter';
import { PathEnd } from './modelApi';
import type { Value } from './values';
import type { World } from './world';

export interface SimLimits {
  maxPaths: number;
  deadline: number;
  stepsPerPath: number;
  callDepth: number;
  /** Collects the names of the functions any path enters. */
  entered?: Set<string>;
  /** The order the paths run in (explorer.ts); depth first when not set. */
  order?: ExploreOrder;
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
  /**
   * The same path run again with its trace recorded (its world, when it was recorded already):
   * replay follows the path's choices, so it takes the same steps and makes the same events.
   */
  recorded(): World;
}

export interface SimSetup {
  /** A fresh world for each path. */
  world(): World;
  /** The arguments of `fn` in that world. */
  args(world: World, interp: Interp): Value[];
  /** Runs before `fn` on the same path (e.g. the table's ->set_page_dirty for an mmap-dirtied page). */
  before?(world: World, interp: Interp): void;
  /** Whether the `index`-th path (0-based) records its trace as it runs; not set: no path does (fact-finding runs read none). */
  record?(index: number): boolean;
}

/**
 * Statements executed by every simulation of this process since the last reset, and how many of
 * them re-executed a path's prefix (replay, invariant 6: the choices an earlier path already ran)
 * or a whole path again to record its trace. A measure for `npm run bench`; nothing reads it to decide.
 */
export interface SimulationStats {
  steps: number;
  replayed: number;
  paths: number;
}

const stats: SimulationStats = { steps: 0, replayed: 0, paths: 0 };

export function simulationStats(): SimulationStats {
  return { ...stats };
}

export function resetSimulationStats(): void {
  stats.steps = stats.replayed = stats.paths = 0;
}

/** Runs one path of `fn`, following `log`'s choices: its world, interpreter and how it ended. */
function runPath(unit: TranslationUnit, fn: FunctionDef, setup: SimSetup, limits: InterpLimits, log: ChoiceLog, record: boolean): { world: World; interp: Interp; end: SimEnd } {
  const world = setup.world();
  world.recording = record;
  const interp = new Interp(unit, modelTable(), world, log, limits, constants);
  log.clock = () => interp.stepCount;
  const end: SimEnd = { ended: 'returned', why: '', returnValue: null };
  try {
    setup.before?.(world, interp);
    end.returnValue = interp.run(fn, setup.args(world, interp));
  } catch (e) {
    if (!(e instanceof PathEnd)) throw e;
    end.ended = e.outcome;
    end.why = e.why;
  }
  return { world, interp, end };
}

/**
 * Runs the one path of `fn` that takes `choices` at its forks, its trace recorded: the path a run
 * of `simulate` with the same setup explored with those choices (replay is deterministic).
 */
export function simulateOne(unit: TranslationUnit, fn: FunctionDef, setup: SimSetup, limits: Pick<SimLimits, 'stepsPerPath' | 'callDepth'>, choices: number[]): { world: World; end: SimEnd } {
  const { world, end } = runPath(unit, fn, setup, limits, new ChoiceLog(choices), true);
  return { world, end };
}

/** Runs `fn` over every path until none is left or a limit is hit; `onPath` sees each path as it ends. */
export function simulate(unit: TranslationUnit, fn: FunctionDef, setup: SimSetup, limits: SimLimits, onPath: (p: SimPath) => void): { truncated: string[]; paths: number; cutByPaths: boolean } {
  let paths = 0;
  const runOne = (log: ChoiceLog, record: boolean, again = false): { world: World; interp: Interp; end: SimEnd } => {
    const { world, interp, end } = runPath(unit, fn, setup, { stepsPerPath: limits.stepsPerPath, callDepth: limits.callDepth, entered: limits.entered }, log, record);
    stats.steps += interp.stepCount;
    stats.replayed += again ? interp.stepCount : log.prefixSteps;
    if (!again) stats.paths++;
    return { world, interp, end };
  };
  const { truncated, cutByPaths } = explore(
    (log) => {
      const index = paths++;
      const first = runOne(log, setup.record?.(index) ?? false);
      const recorded = (): World => {
        if (first.world.recording) return first.world;
        const again = runOne(new ChoiceLog(log.taken), true, true).world;
        // Replay is deterministic: a different path here is an engine bug, not a property of the input.
        if (again.events.length !== first.world.events.length || again.stepIndex !== first.world.stepIndex) throw new Error(`replay of path ${index + 1} of ${fn.name} took other steps`);
        return again;
      };
      onPath({ ...first, log, recorded });
      return null;
    },
    { maxPaths: limits.maxPaths, deadline: limits.deadline, order: limits.order },
  );
  return { truncated, paths, cutByPaths };
}
