// Budget cuts as located Information diagnostics in plain words ("analysis incomplete: stopped
// exploring a loop in F after 20,000 steps"), on the function concerned, never at line 1 when a
// function is known; the same cut in several scenarios is one diagnostic naming them all.
import type { InputDiagnostic } from './api/types';

export interface NoteLoc {
  line: number;
  column: number;
}

interface Pending {
  loc: NoteLoc;
  text: string;
  scenarios: string[];
}

function n(x: number | string): string {
  const v = typeof x === 'number' ? x : Number(x);
  return Number.isFinite(v) ? v.toLocaleString('en-US') : String(x);
}

function plural(x: number | string, one: string, many = `${one}s`): string {
  return `${n(x)} ${Number(x) === 1 ? one : many}`;
}

export class BudgetNotes {
  private readonly notes = new Map<string, Pending>();

  /** `locate(name)`: where a function of the file is defined (its name), if it is one. */
  constructor(private readonly locate: (fn: string) => NoteLoc | undefined) {}

  private add(loc: NoteLoc, text: string, scenario?: string): void {
    const key = `${loc.line}:${loc.column}\u0000${text}`;
    let p = this.notes.get(key);
    if (!p) {
      p = { loc, text, scenarios: [] };
      this.notes.set(key, p);
    }
    if (scenario && !p.scenarios.includes(scenario)) p.scenarios.push(scenario);
  }

  /** A scenario run cut by a budget: its `truncation` reasons, worded and located. */
  run(scenario: string, entry: string, entryLoc: NoteLoc, truncation: string[]): void {
    const at = (fn: string | undefined) => (fn && this.locate(fn)) || entryLoc;
    for (const raw of truncation) {
      const reason = raw.replace(/^path \d+: (cut: )?/, '');
      let m: RegExpExecArray | null;
      if ((m = /^step budget \((\d+)\) exhausted in (\S+)/.exec(reason))) {
        this.add(at(m[2]), `stopped exploring a loop in ${m[2]} after ${n(m[1])} steps`, scenario);
      } else if ((m = /^call depth budget \((\d+)\) reached calling (\S+)/.exec(reason))) {
        this.add(at(m[2]), `stopped following calls into ${m[2]} at depth ${n(m[1])} (recursion?)`, scenario);
      } else if ((m = /^path budget: (\d+) paths explored, (\d+) unexplored/.exec(reason))) {
        this.add(entryLoc, `stopped after ${plural(m[1], 'path')} of ${entry}; other branches were not explored`, scenario);
      } else if (/^time budget ran out/.test(reason)) {
        this.add(entryLoc, `the file's wall-clock guard ran out in ${entry} (raise kpr.budgets.timePerFileMs or --time-ms); other branches were not explored`, scenario);
      } else if ((m = /^(\d+) path\(s\) forked more than (\d+) times/.exec(reason))) {
        this.add(entryLoc, `a loop in ${entry} or its callees branched more than ${n(m[2])} times on unknown values; later branches were followed one way only (a loop on an unknown condition, out of it)`, scenario);
      } else if ((m = /^trace longer than (\d+) steps/.exec(reason))) {
        this.add(entryLoc, `a path of ${entry} is longer than ${n(m[1])} steps; its trace shows the first ${n(m[1])}`, scenario);
      } else {
        this.add(entryLoc, `${entry}: ${reason}`, scenario);
      }
    }
  }

  /** Scenario runs never started because the file's time ran out. */
  notStarted(count: number, planned: number, timeMs: number, entry: string, entryLoc: NoteLoc): void {
    this.add(entryLoc, `the file's wall-clock guard (${n(timeMs)} ms) ran out: ${n(count)} of ${plural(planned, 'scenario')} not run, from ${entry} on`);
  }

  /** get_block callbacks whose own exploration was cut: what they pass as create may be partial. */
  callback(name: string, loc: NoteLoc): void {
    this.add(loc, `stopped exploring ${name} early; the create values it passes may be incomplete`);
  }

  diagnostics(): InputDiagnostic[] {
    return [...this.notes.values()].map((p) => {
      const where = p.scenarios.length === 0 ? '' : p.scenarios.length === 1 ? ` (scenario ${p.scenarios[0]})` : ` (${p.scenarios.length} scenarios: ${p.scenarios.slice(0, 3).join(', ')}${p.scenarios.length > 3 ? ', …' : ''})`;
      const d: InputDiagnostic = { severity: 'info', line: p.loc.line, column: p.loc.column, kind: 'budget', message: `analysis incomplete: ${p.text}${where}` };
      if (p.scenarios.length) d.scenarios = p.scenarios;
      return d;
    });
  }
}
