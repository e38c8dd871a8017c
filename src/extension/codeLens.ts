// CodeLens above each ->writepage function and each get_block callback: "Run N scenarios —
// K findings", running exactly those scenarios.
import * as vscode from 'vscode';
import type { ScenarioResult } from '../engine';
import { C_SELECTOR } from './analysisService';
import { RUN_SCENARIOS_COMMAND, type RunScenariosArgs } from './commands';
import { readConfig } from './config';
import type { ExtensionCtx } from './context';
import { runsInvolving, groupsOfRuns } from './verdicts';

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export interface LensSpec {
  line: number;
  title: string;
  tooltip: string;
  args: RunScenariosArgs;
}

/** One lens per distinct writepage function (listing its tables) and one per callback. */
export function lensSpecs(uri: string, result: ScenarioResult): LensSpec[] {
  const specs: LensSpec[] = [];
  const byWritepage = new Map<string, { line: number; aops: string[] }>();
  for (const e of result.entries) {
    const w = byWritepage.get(e.writepage) ?? { line: e.line, aops: [] };
    w.aops.push(e.aops);
    byWritepage.set(e.writepage, w);
  }
  for (const [writepage, w] of byWritepage) {
    const runs = result.runs.filter((r) => r.entry === writepage && w.aops.includes(r.aops));
    const groups = groupsOfRuns(result, runs);
    specs.push({
      line: w.line,
      title: `Run ${plural(runs.length, 'scenario')} — ${plural(groups.length, 'finding')}`,
      tooltip: `->writepage of ${w.aops.join(', ')}: ${runs.length} scenario runs (aops × caller × page), ${groups.length} distinct findings (call and rule)`,
      args: { uri, aops: w.aops, scenarios: runs.map((r) => ({ aops: r.aops, caller: r.caller, page: r.page })), title: `scenarios of ${writepage}` },
    });
  }
  for (const cb of result.callbacks) {
    const involved = runsInvolving(result, cb.name);
    const runs = involved.map((i) => i.run);
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
      args: { uri, scenarios: runs.map((r) => ({ aops: r.aops, caller: r.caller, page: r.page })), title: `scenarios reaching ${cb.name}` },
    });
  }
  return specs;
}

export function activateCodeLens(ctx: ExtensionCtx): void {
  const changed = new vscode.EventEmitter<void>();
  ctx.push(changed);
  ctx.push(ctx.service.onDidAnalyze(() => changed.fire()));
  ctx.push(ctx.service.onDidForget(() => changed.fire()));
  ctx.onConfigRerender(() => changed.fire());
  ctx.push(
    vscode.languages.registerCodeLensProvider(C_SELECTOR, {
      onDidChangeCodeLenses: changed.event,
      provideCodeLenses(doc) {
        if (!readConfig(doc).codeLens) return [];
        // Lenses follow the last result; positions of a result older than the text may be off
        // until the debounced run lands (the lens re-renders then).
        const result = ctx.service.latest(doc.uri);
        if (!result) return [];
        return lensSpecs(doc.uri.toString(), result)
          .filter((s) => s.line >= 1 && s.line <= doc.lineCount)
          .map((s) => {
            const range = doc.lineAt(s.line - 1).range;
            const noop = s.args.scenarios?.length === 0;
            return new vscode.CodeLens(range, {
              title: s.title,
              tooltip: s.tooltip,
              command: noop ? '' : RUN_SCENARIOS_COMMAND,
              arguments: noop ? undefined : [s.args],
            });
          });
      },
    }),
  );
}
