// Path exploration by replay: a path is the list of choices taken at each fork. Running a
// path re-executes from the start, following its prefix, then takes option 0 at every new
// fork and queues the alternatives. Deterministic, so no interpreter state is ever cloned.

/** A queued alternative: the first `length` choices of `base`, then `alt`. O(1) memory each. */
interface Pending {
  base: number[];
  length: number;
  alt: number;
}

/** Forks one path may take before it stops queuing alternatives (a loop over unknown values). */
export const FORKS_PER_PATH = 96;

export class ChoiceLog {
  readonly taken: number[] = [];
  readonly labels: string[] = [];
  private cursor = 0;
  /** Alternatives discovered beyond the prefix, still to explore. */
  readonly pending: Pending[] = [];
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
  choose(options: string[], what: string, whenCapped = 0): number {
    if (options.length <= 1) return 0;
    let pick: number;
    if (this.cursor < this.prefix.length) {
      pick = Math.min(this.prefix[this.cursor], options.length - 1);
    } else {
      pick = 0;
      if (this.taken.length < FORKS_PER_PATH) {
        for (let i = options.length - 1; i >= 1; i--) this.pending.push({ base: this.taken, length: this.taken.length, alt: i });
      } else {
        this.forkCapped = true;
        pick = Math.min(whenCapped, options.length - 1);
      }
    }
    this.cursor++;
    if (this.cursor === this.prefix.length && this.clock) this.prefixSteps = this.clock();
    this.taken.push(pick);
    if (this.labels.length < FORKS_PER_PATH) this.labels.push(`${what}: ${options[pick]}`);
    return pick;
  }
}

export interface ExploreLimits {
  maxPaths: number;
  deadline: number;
}

export interface Explored<R> {
  results: R[];
  truncated: string[];
}

/** Runs `runPath` once per path until no alternative is left or a limit is hit. */
export function explore<R>(runPath: (log: ChoiceLog) => R, limits: ExploreLimits): Explored<R> {
  const results: R[] = [];
  const truncated: string[] = [];
  const stack: Pending[] = [];
  let capped = 0;
  let next: number[] | null = [];
  while (next) {
    const log = new ChoiceLog(next);
    results.push(runPath(log));
    if (log.forkCapped) capped++;
    // Depth-first: the deepest fork's lowest alternative is pushed last, so it runs next.
    for (const alt of log.pending) stack.push(alt);
    next = null;
    if (stack.length === 0) break;
    if (results.length >= limits.maxPaths) {
      truncated.push(`path budget: ${limits.maxPaths} paths explored, ${stack.length} unexplored alternative(s) cut`);
      break;
    }
    if (Date.now() > limits.deadline) {
      truncated.push(`time budget ran out: ${stack.length} unexplored alternative(s) cut`);
      break;
    }
    const p = stack.pop() as Pending;
    next = [...p.base.slice(0, p.length), p.alt];
  }
  if (capped > 0) truncated.push(`${capped} path(s) forked more than ${FORKS_PER_PATH} times (a loop over unknown values?): their later forks follow the first option only, and a loop whose condition is unknown exits`);
  return { results, truncated };
}
