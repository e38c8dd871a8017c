// Hovers on get_block callbacks (definition or any use) and on ->writepage functions or an
// aops table's `.writepage` member: what the engine learnt about them, the verdict per
// scenario, and a command link to run those scenarios.
import { CALLER_IDS, PAGE_STATE_IDS } from '../engine/api/ids';
import * as vscode from 'vscode';
import type { CallbackInfo, EntryInfo, RunResult, ScenarioResult } from '../engine';
import { bindingPhrase, callBindingAt, type CallAt } from '../engine/api/bindings';
import { countFindings, countsPhrase, severityPhrase } from '../engine/api/counts';
import { filesystemPhrase } from '../engine/api/filesystem';
import { C_SELECTOR } from './analysisService';
import { RUN_SCENARIOS_COMMAND, type RunScenariosArgs } from './commands';
import type { ExtensionCtx } from './context';
import { scenarioLabel } from './findings';
import { code, commandLink, escapeMd } from './markdown';
import { callbackNamed, createText, entriesOf, entryLabel, runsInvolving, runsOfWritepage, runVerdict } from './verdicts';
import { entrySummary } from './lensSpecs';

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/;
/** How many scenario lines a hover lists before "and N more". */
const MAX_RUN_LINES = 12;

export type HoverTarget =
  | { kind: 'callback'; callback: CallbackInfo }
  | { kind: 'writepage'; writepage: string; entries: EntryInfo[] }
  /** Another entry function the scenarios run (->write_begin, ->page_mkwrite, ->writepages, a helper...). */
  | { kind: 'entry'; entry: string };

/** The aops table whose initialiser contains `line` (0-based), by scanning up for its declaration. */
export function enclosingAopsTable(doc: vscode.TextDocument, line: number): string | undefined {
  for (let l = line; l >= 0 && l > line - 60; l--) {
    const text = doc.lineAt(l).text;
    const m = /address_space_operations\s+([A-Za-z_]\w*)\s*=/.exec(text);
    if (m) return m[1];
    if (l < line && /^\s*}\s*;/.test(text)) return undefined;
  }
  return undefined;
}

/** What the identifier at `pos` is to the engine, if anything. */
export function hoverTarget(doc: vscode.TextDocument, pos: vscode.Position, result: ScenarioResult): { target: HoverTarget; range: vscode.Range } | undefined {
  const range = doc.getWordRangeAtPosition(pos, IDENT);
  if (!range) return undefined;
  const word = doc.getText(range);
  const cb = callbackNamed(result, word);
  if (cb) return { target: { kind: 'callback', callback: cb }, range };
  // `.writepage = fn,` in a table: hovering `writepage` means that table's entry.
  const lineText = doc.lineAt(pos.line).text;
  const member = /\.\s*writepage\s*=\s*&?\s*([A-Za-z_]\w*)/.exec(lineText);
  if (member && (word === 'writepage' || word === member[1])) {
    const table = enclosingAopsTable(doc, pos.line);
    const entries = entriesOf(result, member[1]).filter((e) => !table || e.aops === table);
    if (entries.length) return { target: { kind: 'writepage', writepage: member[1], entries }, range };
  }
  const entries = entriesOf(result, word);
  if (entries.length) return { target: { kind: 'writepage', writepage: word, entries }, range };
  if (result.runs.some((r) => r.entry === word)) return { target: { kind: 'entry', entry: word }, range };
  return undefined;
}

/** A call at `pos` (the identifier before a `(`) and what the engine bound it to. */
export function callHoverTarget(doc: vscode.TextDocument, pos: vscode.Position, result: ScenarioResult): { call: CallAt; range: vscode.Range } | undefined {
  const range = doc.getWordRangeAtPosition(pos, IDENT);
  if (!range) return undefined;
  if (!/^\s*\(/.test(doc.lineAt(range.end.line).text.slice(range.end.character))) return undefined;
  const call = callBindingAt(result, doc.getText(range), range.start.line + 1, range.start.character + 1);
  return call ? { call, range } : undefined;
}

export function callMarkdown(result: ScenarioResult, hit: CallAt): vscode.MarkdownString {
  const b = hit.binding;
  const md = new vscode.MarkdownString('', false);
  md.appendMarkdown(`**call** ${code(b.name)} (line ${b.line}, in ${code(b.function)}) is bound to ${escapeMd(bindingPhrase(b))}.\n\n`);
  md.appendMarkdown(hit.paths.length ? `On the ->writepage path of ${hit.paths.map(code).join(', ')}.` : 'On no ->writepage path of this file.');
  if (result.filesystem) md.appendMarkdown(`\n\nThe file ${escapeMd(filesystemPhrase(result.filesystem))}. Same binding as \`kpr models\`.`);
  return md;
}

function runLink(label: string, args: RunScenariosArgs): string {
  return commandLink(label, RUN_SCENARIOS_COMMAND, [args]);
}

export function callbackMarkdown(uri: vscode.Uri, result: ScenarioResult, cb: CallbackInfo): vscode.MarkdownString {
  const md = new vscode.MarkdownString('', false);
  md.isTrusted = { enabledCommands: [RUN_SCENARIOS_COMMAND] };
  md.appendMarkdown(`**get_block callback** ${code(cb.name)} (defined at line ${cb.line})\n\n`);
  const create = createText(cb, code);
  md.appendMarkdown(`- ${create[0].toUpperCase()}${create.slice(1)}.\n`);
  md.appendMarkdown(
    cb.startsHandle ? `- **Can start a journal handle**: it does on at least one explored path.\n` : `- Starts no journal handle on any explored path.\n`,
  );
  if (cb.reachedFrom.length) {
    md.appendMarkdown(`- Reached from ->writepage:\n`);
    for (const r of cb.reachedFrom) md.appendMarkdown(`  - ${code(r.aops)} → ${code(r.writepage)} through ${code(r.via)}\n`);
  } else {
    md.appendMarkdown(`- No explored ->writepage path reaches it under the configured scenarios.\n`);
  }
  if (cb.passedTo.length) {
    const shown = cb.passedTo.slice(0, 6).map((p) => `${code(p.callee)} (line ${p.line}, in ${code(p.function)})`);
    md.appendMarkdown(`- Passed to ${shown.join(', ')}${cb.passedTo.length > 6 ? ` and ${cb.passedTo.length - 6} more` : ''}.\n`);
  }
  const involved = runsInvolving(result, cb.name);
  if (involved.length) {
    md.appendMarkdown(`\n**Verdict per scenario** (aops/caller/page; runs with a finding whose call chain contains it, or whose recorded paths enter it):\n\n`);
    for (const inv of involved.slice(0, MAX_RUN_LINES)) {
      const verdict = runVerdict(inv.run, inv.findings, 'no finding involves it');
      md.appendMarkdown(`- ${code(scenarioLabel(inv.run))}: ${escapeMd(verdict)}\n`);
    }
    if (involved.length > MAX_RUN_LINES) md.appendMarkdown(`- and ${involved.length - MAX_RUN_LINES} more\n`);
    const aops = [...new Set(involved.map((i) => i.run.aops))];
    md.appendMarkdown(
      `\n${runLink(`Run the ${involved.length} scenario(s) that reach it`, {
        uri: uri.toString(),
        scenarios: involved.map((i) => ({ aops: i.run.aops, caller: i.run.caller, page: i.run.page })),
        title: `scenarios reaching ${cb.name}`,
        aops,
      })}`,
    );
  }
  return md;
}

const CALLER_ORDER = CALLER_IDS;
const PAGE_ORDER = PAGE_STATE_IDS;
const OUTCOME_SHORT: Record<string, string> = { bug: 'BUG', 'data-lost': 'LOST', 'returned-locked': 'LOCKED', error: 'err', truncated: 'cut', redirtied: 'redirty', written: 'ok', 'dropped-beyond-eof': 'eof-drop' };
const OUTCOME_RANK = ['bug', 'data-lost', 'returned-locked', 'error', 'truncated', 'redirtied', 'written', 'dropped-beyond-eof'];

/** One cell of the hover's matrix: the run's outcomes, worst first, marked by its worst finding. */
function matrixCell(run: RunResult): string {
  const outs = Object.keys(run.outcomes).sort((a, b) => OUTCOME_RANK.indexOf(a) - OUTCOME_RANK.indexOf(b)).map((o) => OUTCOME_SHORT[o] ?? o);
  const mark = run.findings.some((f) => f.severity === 'error') ? '✖ ' : run.findings.length ? '⚠ ' : '';
  return `${mark}${outs.join('+')}${run.truncated ? '\\*' : ''}`;
}

/** The facts the rules take from this file for the table, each with the line it was learnt from. */
function factsMarkdown(e: EntryInfo): string {
  const f = e.facts;
  if (!f) return '';
  const at = (line: number | null): string => (line ? ` (line ${line})` : '');
  const lock =
    f.lockOrder.value === 'page-then-journal' && f.orderedData.value !== 'inode'
      ? ': a journal start under the page lock is consistent with this order'
      : f.lockOrder.value === 'journal-then-page'
        ? ': a journal start under the page lock can deadlock'
        : '';
  return [
    `  - lock order ${code(f.lockOrder.value)}${at(f.lockOrder.line)}${lock} — ${escapeMd(f.lockOrder.why)}`,
    `  - ordered data ${code(f.orderedData.value)}${at(f.orderedData.line)} — ${escapeMd(f.orderedData.why)}`,
    `  - writeback credits ${code(String(f.writebackCredits.value))}${at(f.writebackCredits.line)} — ${escapeMd(f.writebackCredits.why)}`,
  ].join('\n') + '\n';
}

export function writepageMarkdown(uri: vscode.Uri, result: ScenarioResult, writepage: string, entries: EntryInfo[]): vscode.MarkdownString {
  const md = new vscode.MarkdownString('', false);
  md.isTrusted = { enabledCommands: [RUN_SCENARIOS_COMMAND] };
  md.appendMarkdown(`**->writepage** ${code(writepage)} (defined at line ${entries[0].line})\n\n`);
  for (const e of entries) {
    md.appendMarkdown(`- of ${code(e.aops)}: ${escapeMd(entryLabel(e).replace(/^.*?\(/, '(').replace(/^\(|\)$/g, ''))}\n`);
    md.appendMarkdown(factsMarkdown(e));
  }
  const cbs = result.callbacks.filter((c) => c.reachedFrom.some((r) => r.writepage === writepage));
  if (cbs.length) {
    md.appendMarkdown(`- get_block callbacks its paths reach:\n`);
    for (const c of cbs) {
      const via = [...new Set(c.reachedFrom.filter((r) => r.writepage === writepage).map((r) => r.via))];
      md.appendMarkdown(`  - ${code(c.name)} through ${via.map(code).join(', ')}: ${createText(c, code)}${c.startsHandle ? '; can start a journal handle' : ''}\n`);
    }
  }
  const aopsSet = new Set(entries.map((e) => e.aops));
  const runs = runsOfWritepage(result, writepage).filter((r) => aopsSet.has(r.aops));
  if (runs.length) {
    // The matrix `kpr scenarios` prints, as a table: callers × page states, worst outcome first.
    for (const e of entries) {
      const mine = runs.filter((r) => r.aops === e.aops);
      if (!mine.length) continue;
      const pages = PAGE_ORDER.filter((p) => mine.some((r) => r.page === p));
      const callers = CALLER_ORDER.filter((c) => mine.some((r) => r.caller === c));
      md.appendMarkdown(`\n${code(e.aops)}\n\n| | ${pages.join(' | ')} |\n|---|${pages.map(() => '---').join('|')}|\n`);
      for (const c of callers) {
        const cells = pages.map((p) => {
          const run = mine.find((r) => r.caller === c && r.page === p);
          return run ? matrixCell(run) : '–';
        });
        md.appendMarkdown(`| ${c} | ${cells.join(' | ')} |\n`);
      }
    }
    const c = countFindings(runs);
    md.appendMarkdown(`\n${countsPhrase(c)}${c.findings ? ` (${severityPhrase(c)})` : ''}; ✖ error finding, ⚠ warning, \\* analysis incomplete. `);
    md.appendMarkdown(
      `${runLink(`Run its ${runs.length} scenario(s)`, {
        uri: uri.toString(),
        scenarios: runs.map((r) => ({ aops: r.aops, caller: r.caller, page: r.page })),
        title: `scenarios of ${writepage}`,
        aops: [...aopsSet],
      })}`,
    );
  } else {
    md.appendMarkdown(`\nNo scenario ran for it under the configured callers and page states.`);
  }
  return md;
}

/** An entry function other than a ->writepage: how it is entered, its runs and their verdicts, a link to run them. */
export function entryMarkdown(uri: vscode.Uri, result: ScenarioResult, name: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString('', false);
  md.isTrusted = { enabledCommands: [RUN_SCENARIOS_COMMAND] };
  const s = entrySummary(result, name);
  if (!s) return md;
  md.appendMarkdown(`**${escapeMd(s.heading)}**\n\n`);
  for (const l of s.lines) md.appendMarkdown(`- ${escapeMd(l)}\n`);
  md.appendMarkdown(`\n${runLink(`Run ${s.runs.length === 1 ? 'it' : `these ${s.runs.length}`}`, { uri: uri.toString(), scenarios: s.runs.map((r) => ({ aops: r.aops, caller: r.caller, page: r.page })), title: `scenarios of ${name}` })}`);
  return md;
}

export function activateHover(ctx: ExtensionCtx): void {
  ctx.push(
    vscode.languages.registerHoverProvider(C_SELECTOR, {
      async provideHover(doc, pos, token) {
        const result = ctx.service.peek(doc.uri) ?? ctx.service.latest(doc.uri) ?? (await ctx.service.getResult(doc.uri));
        if (!result || token.isCancellationRequested) return undefined;
        const hit = hoverTarget(doc, pos, result);
        if (!hit) {
          const call = callHoverTarget(doc, pos, result);
          return call ? new vscode.Hover(callMarkdown(result, call.call), call.range) : undefined;
        }
        const md =
          hit.target.kind === 'callback'
            ? callbackMarkdown(doc.uri, result, hit.target.callback)
            : hit.target.kind === 'entry'
              ? entryMarkdown(doc.uri, result, hit.target.entry)
              : writepageMarkdown(doc.uri, result, hit.target.writepage, hit.target.entries);
        return new vscode.Hover(md, hit.range);
      },
    }),
  );
}
