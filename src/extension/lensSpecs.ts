// What the CodeLens shows, as plain data (no vscode import, so unit tests read it): one lens above
// each entry function the scenarios run (->writepage, ->write_begin/->prepare_write, ->page_mkwrite,
// ->writepages, ->invalidatepage, ->releasepage, ->set_page_dirty, a helper given a handle) and one
// above each get_block callback: "Run N scenarios — K findings", running exactly those scenarios.
import type { RunResult, ScenarioResult } from '../engine';
import { CALLERS, type EntryKind } from '../engine/scenarios/callers';
import type { RunScenariosArgs } from './commands';
import { groupsOfRuns, runsInvolving, runVerdict } from './verdicts';

export interface LensSpec {
  line: number;
  title: string;
  tooltip: string;
  args: RunScenariosArgs;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** How the kernel reaches an entry of this kind, for the tooltip. */
export const ENTRY_WORDS: Record<EntryKind, string> = {
  writepage: '->writepage',
  writepages: '->writepages',
  write_begin: '->write_begin (write(2): then ->write_end)',
  'handle-helper': 'a helper run under its caller\'s journal handle',
  page_mkwrite: '->page_mkwrite (a write fault)',
  invalidatepage: '->invalidatepage (truncate)',
  releasepage: '->releasepage (reclaim)',
  set_page_dirty: '->set_page_dirty (an mmap write dirtying the page)',
};

const entryKindOf = (r: RunResult): EntryKind | undefined => CALLERS.find((c) => c.id === r.caller)?.entry;

/**
 * What an entry function other than a ->writepage is to the scenarios (hover, Explain): how the
 * kernel enters it, and each run with its verdict. Null when no scenario runs it.
 */
export function entrySummary(result: ScenarioResult, name: string): { heading: string; runs: RunResult[]; lines: string[] } | null {
  const runs = result.runs.filter((r) => r.entry === name);
  if (runs.length === 0) return null;
  const kinds = [...new Set(runs.map(entryKindOf).filter((k): k is EntryKind => !!k))];
  const line = result.functions.find((f) => f.name === name)?.line;
  const heading = `${kinds.map((k) => ENTRY_WORDS[k]).join(', ') || 'entry'} ${name}${line ? ` (defined at line ${line})` : ''}: ${plural(runs.length, 'scenario run')}`;
  return { heading, runs, lines: runs.map((r) => `${r.aops}/${r.caller}/${r.page}: ${runVerdict(r)}`) };
}

const refs = (runs: RunResult[]) => runs.map((r) => ({ aops: r.aops, caller: r.caller, page: r.page }));

/** One lens per entry function (listing its tables and how it is entered) and one per callback. */
export function lensSpecs(uri: string, result: ScenarioResult): LensSpec[] {
  const specs: LensSpec[] = [];
  const lineOf = new Map<string, number>();
  for (const f of result.functions) lineOf.set(f.name, f.line);
  // A ->writepage's lens sits where its table's entry says (its definition), as before.
  for (const e of result.entries) lineOf.set(e.writepage, e.line);
  const byEntry = new Map<string, RunResult[]>();
  for (const r of result.runs) {
    const list = byEntry.get(r.entry) ?? [];
    list.push(r);
    byEntry.set(r.entry, list);
  }
  for (const [entry, runs] of byEntry) {
    const line = lineOf.get(entry);
    if (line === undefined) continue;
    const aops = [...new Set(runs.map((r) => r.aops))];
    const kinds = [...new Set(runs.map(entryKindOf).filter((k): k is EntryKind => !!k))];
    const groups = groupsOfRuns(result, runs);
    specs.push({
      line,
      title: `Run ${plural(runs.length, 'scenario')} — ${plural(groups.length, 'finding')}`,
      tooltip: `${kinds.map((k) => ENTRY_WORDS[k]).join(', ') || 'entry'} of ${aops.join(', ')}: ${runs.length} scenario runs (table × caller × page), ${groups.length} distinct findings (call and rule)`,
      args: { uri, aops, scenarios: refs(runs), title: `scenarios of ${entry}` },
    });
  }
  for (const cb of result.callbacks) {
    // A callback that is also an entry (a helper run under a handle) keeps its entry's lens.
    if (byEntry.has(cb.name)) continue;
    const runs = runsInvolving(result, cb.name).map((i) => i.run);
    const groups = groupsOfRuns(result, runs, cb.name);
    if (runs.length === 0) {
      specs.push({
        line: cb.line,
        title: 'get_block callback: no writepage scenario reaches it',
        tooltip: `No explored path of the configured scenarios enters ${cb.name}`,
        args: { uri, scenarios: [], title: `scenarios reaching ${cb.name}` },
      });
      continue;
    }
    specs.push({
      line: cb.line,
      title: `Run ${plural(runs.length, 'scenario')} — ${plural(groups.length, 'finding')}`,
      tooltip: `get_block callback ${cb.name}: the scenario runs that reach it, and the distinct findings whose call chain contains it`,
      args: { uri, scenarios: refs(runs), title: `scenarios reaching ${cb.name}` },
    });
  }
  return specs.sort((a, b) => a.line - b.line);
}
