// Path exploration by replay: a path is the list of choices taken at each fork. Running a
// path re-executes from the start, following its prefix, then takes option 0 at every new
// fork and queues the alternatives. Deterministic, so no interpreter state is ever cloned.

export class PathCut extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export class ChoiceLog {
  readonly taken: number[] = [];
  readonly labels: string[] = [];
  private cursor = 0;
  /** Alternatives discovered beyond the prefix: full choice lists still to explore. */
  readonly pending: number[][] = [];

  constructor(private readonly prefix: number[]) {}

  /** Returns the index of the option this path takes among `options`. */
  choose(options: string[], what: string): number {
    if (options.length <= 1) return 0;
    let pick: number;
    if (this.cursor < this.prefix.length) {
      pick = Math.min(this.prefix[this.cursor], options.length - 1);
    } else {
      pick = 0;
      for (let i = options.length - 1; i >= 1; i--) this.pending.push([...this.taken, i]);
    }
    this.cursor++;
    this.taken.push(pick);
    this.labels.push(`${what}: ${options[pick]}`);
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
  const stack: number[][] = [[]];
  while (stack.length > 0) {
    if (results.length >= limits.maxPaths) {
      truncated.push(`path budget: ${limits.maxPaths} paths explored, ${stack.length} unexplored alternative(s) cut`);
      break;
    }
    if (Date.now() > limits.deadline) {
      truncated.push(`time budget for this file ran out: ${stack.length} unexplored alternative(s) cut`);
      break;
    }
    const prefix = stack.pop() as number[];
    const log = new ChoiceLog(prefix);
    results.push(runPath(log));
    // Depth-first: the deepest fork's lowest alternative is pushed last, so it runs next.
    for (const alt of log.pending) stack.push(alt);
  }
  return { results, truncated };
}
