// Path exploration by replay: a path is the list of choices taken at each fork. Running a
// path re-executes from the start, following its prefix, then takes option 0 at every new
// fork and queues the alternatives. Deterministic, so no interpreter state is ever cloned.
// Depth first by default (the paths in lexicographic order of their choices); 'fewest-deviations'
// runs the paths that leave option 0 least often first: under a path budget it keeps every
// single-failure path (an allocation that fails, a journal that aborts) before the combinations
// of a deep loop's unknowns that a depth-first walk would spend the budget on.

/** A queued alternative: the first `length` choices of `base`, then `alt`. O(1) memory each. */
interface Pending {
  base: number[];
  length: number;
  alt: number;
  /**
   * What the path costs in the fewest-deviations order: 1 for each choice other than option 0, plus
   * how often the path passed that fork's site before (the k-th iteration's exit of a loop over an
   * unknown bound costs k), so one failure at each site comes before a loop's every exit.
   */
  deviations: number;
}

/** Forks one path may take before it stops queuing alternatives (a loop over unknown values). */
export const FORKS_PER_PATH = 96;

export class ChoiceLog {
  readonly taken: number[] = [];
  readonly labels: string[] = [];
  private cursor = 0;
  /** Alternatives discovered beyond the prefix, still to explore. */
  readonly pending: Pending[] = [];
  /** The cost (Pending.deviations) of the choices taken so far, and the forks passed at each site. */
  private deviations = 0;
  private readonly passed = new Map<string, number>();
  /** Set when this path hit FORKS_PER_PATH and stopped queuing alternatives. */
  forkCapped = false;

  constructor(private readonly prefix: number[]) {}

  /** What the path counts its steps by (simulate.ts sets it): read when the path leaves its prefix. */
  clock: (() => number) | undefined = undefined;
  /** Steps the path took while following its prefix (a replay of what earlier paths ran); 0 when it has none. */
  prefixSteps = 0;

  /**
   * Returns the index of the option this path takes among `options`. `whenCapped`: the option a
   * path past FORKS_PER_PATH takes (no alternative queued): 0, the first, unless the caller says
   * which option ends what it is deciding (a loop's condition: the exit).
   */
  choose(options: string[], what: string, whenCapped = 0, site?: string): number {
    if (options.length <= 1) return 0;
    const before = site === undefined ? 0 : (this.passed.get(site) ?? 0);
    if (site !== undefined) this.passed.set(site, before + 1);
    let pick: number;
    if (this.cursor < this.prefix.length) {
      pick = Math.min(this.prefix[this.cursor], options.length - 1);
    } else {
      pick = 0;
      if (this.taken.length < FORKS_PER_PATH) {
        for (let i = options.length - 1; i >= 1; i--) this.pending.push({ base: this.taken, length: this.taken.length, alt: i, deviations: this.deviations + 1 + before });
      } else {
        this.forkCapped = true;
        pick = Math.min(whenCapped, options.length - 1);
      }
    }
    this.cursor++;
    if (this.cursor === this.prefix.length && this.clock) this.prefixSteps = this.clock();
    this.taken.push(pick);
    if (pick !== 0) this.deviations += 1 + before;
    if (this.labels.length < FORKS_PER_PATH) this.labels.push(`${what}: ${options[pick]}`);
    return pick;
  }
}

/** In which order the alternatives run (see the header). */
export type ExploreOrder = 'depth-first' | 'fewest-deviations';

export interface ExploreLimits {
  maxPaths: number;
  deadline: number;
  order?: ExploreOrder;
}

export interface Explored<R> {
  results: R[];
  truncated: string[];
  /** Set when the path budget stopped the exploration with alternatives left. */
  cutByPaths: boolean;
}

/** The alternatives still to run, taken in the exploration's order. */
interface Agenda {
  add(p: Pending): void;
  take(): Pending | undefined;
  readonly size: number;
}

/** Depth first: the deepest fork's lowest alternative is pushed last, so it runs next. */
function stackAgenda(): Agenda {
  const stack: Pending[] = [];
  return {
    add: (p) => stack.push(p),
    take: () => stack.pop(),
    get size() {
      return stack.length;
    },
  };
}

/** The alternatives with the fewest deviations first, in the order they were found. */
function deviationAgenda(): Agenda {
  const buckets: Pending[][] = [];
  const heads: number[] = [];
  let size = 0;
  let lowest = 0;
  return {
    add: (p) => {
      (buckets[p.deviations] ??= []).push(p);
      heads[p.deviations] ??= 0;
      if (p.deviations < lowest) lowest = p.deviations;
      size++;
    },
    take: () => {
      for (; lowest < buckets.length; lowest++) {
        const b = buckets[lowest];
        if (b && heads[lowest] < b.length) {
          size--;
          return b[heads[lowest]++];
        }
      }
      return undefined;
    },
    get size() {
      return size;
    },
  };
}

/** Runs `runPath` once per path until no alternative is left or a limit is hit. */
export function explore<R>(runPath: (log: ChoiceLog) => R, limits: ExploreLimits): Explored<R> {
  const results: R[] = [];
  const truncated: string[] = [];
  const order = limits.order ?? 'depth-first';
  const stack = order === 'depth-first' ? stackAgenda() : deviationAgenda();
  let cutByPaths = false;
  let capped = 0;
  let next: number[] | null = [];
  while (next) {
    const log = new ChoiceLog(next);
    results.push(runPath(log));
    if (log.forkCapped) capped++;
    for (const alt of log.pending) stack.add(alt);
    next = null;
    if (stack.size === 0) break;
    if (results.length >= limits.maxPaths) {
      cutByPaths = true;
      truncated.push(`path budget: ${limits.maxPaths} paths explored${order === 'fewest-deviations' ? ' (those that leave the first option least often first)' : ''}, ${stack.size} unexplored alternative(s) cut`);
      break;
    }
    if (Date.now() > limits.deadline) {
      truncated.push(`time budget ran out: ${stack.size} unexplored alternative(s) cut`);
      break;
    }
    const p = stack.take() as Pending;
    next = [...p.base.slice(0, p.length), p.alt];
  }
  if (capped > 0) truncated.push(`${capped} path(s) forked more than ${FORKS_PER_PATH} times (a loop over unknown values?): their later forks follow the first option only, and a loop whose condition is unknown exits`);
  return { results, truncated, cutByPaths };
}
