// The patch feature: what a change does to the writeback paths, from a .patch/.diff file, two C
// files, the git working tree of a C file, or a commit. Every analysis runs in the patch
// feature's own analysis worker (dist/analysisWorker.js, WorkerClient), never on this thread;
// this module finds the inputs, asks the user what it cannot decide, and shows the results in a
// patch view, in read-only documents for computed sides, and as diagnostics on the patch's lines.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AnalyzeOptions, PatchResult, RuleId } from '../../engine/api/types';
import type { PatchView, PatchWebviewMessage } from '../../shared/patchProtocol';
import { analyzeOptions, readConfig } from '../config';
import { ruleDocUri } from '../diagnostics';
import type { PatchBase } from '../workerProtocol';
import { type CancelToken, WorkerClient } from '../workerClient';
import { appliedSummary, isPatchName, shortHash, splitMessage } from './describe';
import { patchDiagnosticSpecs, type SpecSeverity } from './diagnosticSpecs';
import { GIT_STATUS, type GitChange, type GitCommit, type GitRepository, gitApi, GitUnavailable, showText } from './git';
import { ImageStore, POST_SCHEME, PRE_SCHEME } from './images';
import { basenameGlob, basenameOf, candidateFit, chooseSide, commonSuffix, isCPath, type LocateEnv, locateBase, locateByPath, patchPathOf, preImageBlob, probeText } from './locate';
import { readIndexBlob } from './indexBlob';
import type { InspectedFile, PatchInspection } from './patchJobs';
import { PatchPanel, type PatchPanelHandlers } from './patchPanel';
import { buildPatchView, type ViewFileInput } from './viewModel';

export const ANALYZE_PATCH = 'kpr.analyzePatch';
export const COMPARE_VERDICTS = 'kpr.compareWritepageVerdicts';
export const ANALYZE_WORKTREE = 'kpr.analyzeWorkingTreeChange';
export const ANALYZE_COMMIT = 'kpr.analyzeCommit';

const DIAGNOSTIC_SOURCE = 'kpr';
const SEVERITY: Record<SpecSeverity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

/** Which document holds each side of a view's file. */
interface FileSides {
  pre: vscode.Uri | null;
  post: vscode.Uri | null;
}

/** One analysed change, as shown in one patch view. */
interface Analysis {
  key: string;
  view: PatchView;
  patchUri: vscode.Uri | null;
  sides: FileSides[];
  /** Documents of ImageStore this analysis owns (released when it is replaced or closed). */
  images: vscode.Uri[];
  /** Files whose edits make this analysis stale. */
  inputs: vscode.Uri[];
  rerun(): Promise<void>;
}

/** A base file chosen for one file of a patch (remembered for Re-run). */
interface ChosenBase {
  path: string;
  uri: vscode.Uri | null;
  side: 'pre' | 'post';
  notes: string[];
  /** The base's text when it is not a file (a git blob). */
  text?: string;
}

/** A base picked for one file of a patch, before its side is known (`side`: known already). */
interface ChosenFile {
  uri: vscode.Uri;
  how: string;
  text?: string;
  side?: 'pre';
}

interface PickItem<T> extends vscode.QuickPickItem {
  value: T;
}

/** The user dismissed a question; a message, when given, says what was not done (shown to them). */
class Cancelled extends Error {
  constructor(readonly said?: string) {
    super(said ?? 'cancelled');
  }
}

function uriKey(u: vscode.Uri): string {
  return u.toString();
}

function rel(u: vscode.Uri): string {
  if (u.scheme === 'untitled') return u.path;
  return vscode.workspace.asRelativePath(u, false) || u.path;
}

async function readText(uri: vscode.Uri): Promise<string> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open.getText();
  return new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
}

function isCUri(u: vscode.Uri): boolean {
  return /\.[ch]$/i.test(u.path);
}

export class PatchFeature implements vscode.Disposable {
  private readonly worker: WorkerClient;
  private readonly images = new ImageStore();
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('kpr-patch');
  private readonly panels = new Map<string, { panel: PatchPanel; analysis: Analysis }>();
  /** Per patch URI: the result its diagnostics came from (re-rendered when severities change). */
  private readonly placed = new Map<string, { result: PatchResult; headers: Map<string, number> }>();
  private readonly lensChanged = new vscode.EventEmitter<void>();
  private readonly inspections = new Map<string, { version: number; promise: Promise<PatchInspection | undefined> }>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {
    // Its own worker: a patch job (two analyses per file) does not wait behind on-type analyses.
    this.worker = new WorkerClient(vscode.Uri.joinPath(context.extensionUri, 'dist', 'analysisWorker.js').fsPath, (m) => log.info(`patch worker: ${m}`));
    const patchSelector: vscode.DocumentSelector = [{ language: 'diff' }, { pattern: '**/*.{patch,diff}' }];
    this.disposables.push(
      this.images,
      this.images.register(),
      this.diagnostics,
      this.lensChanged,
      vscode.commands.registerCommand(ANALYZE_PATCH, (arg?: unknown) => this.guard('Analyze Patch', () => this.analyzePatchCommand(arg))),
      vscode.commands.registerCommand(COMPARE_VERDICTS, (arg?: unknown, all?: unknown) => this.guard('Compare Writepage Verdicts', () => this.compareCommand(arg, all))),
      vscode.commands.registerCommand(ANALYZE_WORKTREE, (arg?: unknown) => this.guard('Analyze Working-Tree Change', () => this.worktreeCommand(arg))),
      vscode.commands.registerCommand(ANALYZE_COMMIT, (arg?: unknown) => this.guard('Analyze Commit', () => this.commitCommand(arg))),
      vscode.languages.registerCodeLensProvider(patchSelector, {
        onDidChangeCodeLenses: this.lensChanged.event,
        provideCodeLenses: (doc, token) => this.codeLenses(doc, token),
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length) this.onEdited(e.document);
      }),
      vscode.workspace.onDidSaveTextDocument((doc) => this.onSaved(doc)),
      vscode.workspace.onDidCloseTextDocument((doc) => this.inspections.delete(uriKey(doc.uri))),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('kpr.diagnostics.severity')) for (const [k, p] of this.placed) this.placeDiagnostics(vscode.Uri.parse(k), p.result, p.headers);
      }),
    );
  }

  dispose(): void {
    for (const { panel } of [...this.panels.values()]) panel.dispose();
    this.panels.clear();
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
    this.worker.dispose();
  }

  // -------------------------------------------------------------------------------------------
  // plumbing

  private async guard(what: string, run: () => Promise<unknown>): Promise<unknown> {
    try {
      return await run();
    } catch (e) {
      if (e instanceof Cancelled) {
        this.log.info(`${what}: cancelled${e.said ? `: ${e.said}` : ''}`);
        if (e.said) void vscode.window.showInformationMessage(`Kernel Patch Reasoner: ${e.said}`);
        return undefined;
      }
      if (e instanceof GitUnavailable) {
        void vscode.window.showWarningMessage(`Kernel Patch Reasoner: ${what}: ${e.message}.`);
        return undefined;
      }
      this.log.error(`${what} failed: ${(e as Error).stack ?? String(e)}`);
      void vscode.window.showErrorMessage(`Kernel Patch Reasoner: ${what} failed: ${(e as Error).message ?? String(e)}`);
      return undefined;
    }
  }

  /** The patch view and its diagnostics read runs and findings, never a path's trace: none is made. */
  private options(scope: vscode.Uri): AnalyzeOptions {
    return { ...analyzeOptions(readConfig(scope)), pathTraces: 'on-demand' };
  }

  private async inspect(patchText: string, bases: Record<string, string>, token?: CancelToken): Promise<PatchInspection> {
    const o = await this.worker.inspectPatch(patchText, bases, token);
    if (o.kind === 'inspectPatch') return o.inspection;
    if (o.kind === 'cancelled') throw new Cancelled();
    throw new Error(o.message);
  }

  /** Runs `job` under a cancellable progress notification. */
  private progress<T>(title: string, job: (token: vscode.CancellationToken) => Promise<T>): Thenable<T> {
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Kernel Patch Reasoner: ${title}`, cancellable: true }, (_p, token) => job(token));
  }

  /** `cancelled`: what Escape leaves undone, said to the user. */
  private async pick<T>(items: PickItem<T>[], options: vscode.QuickPickOptions, cancelled?: string): Promise<T> {
    const chosen = await vscode.window.showQuickPick(items, { ignoreFocusOut: true, ...options });
    if (!chosen) throw new Cancelled(cancelled);
    return chosen.value;
  }

  // -------------------------------------------------------------------------------------------
  // showing an analysis

  /** Shows the analysis in its view (a new one, or the one it replaces); `reveal`: bring it to front and focus it. */
  private show(analysis: Analysis, reveal = true): void {
    const existing = this.panels.get(analysis.key);
    const handlers: PatchPanelHandlers = {
      onOpen: (msg) => this.openTarget(analysis, msg),
      onRerun: () => this.guard('Re-run', () => analysis.rerun()).then(() => undefined),
      onDidDispose: () => {
        const cur = this.panels.get(analysis.key);
        if (cur?.analysis === analysis) {
          this.panels.delete(analysis.key);
          this.images.release(analysis.images);
          // The patch's Problems belong to its view: closed with it.
          if (analysis.patchUri) {
            this.placed.delete(uriKey(analysis.patchUri));
            this.diagnostics.delete(analysis.patchUri);
          }
        }
      },
    };
    if (existing) {
      this.images.release(existing.analysis.images.filter((u) => !analysis.images.some((n) => n.toString() === u.toString())));
      existing.analysis = analysis;
      existing.panel.setView(analysis.view, handlers);
      if (reveal) existing.panel.reveal();
      return;
    }
    const panel = PatchPanel.create(this.context.extensionUri, analysis.key, analysis.view.title, this.log, handlers);
    this.panels.set(analysis.key, { panel, analysis });
    panel.setView(analysis.view, handlers);
    this.log.info(`patch view opened: ${analysis.key}`);
  }

  private async openTarget(a: Analysis, msg: Extract<PatchWebviewMessage, { type: 'open' }>): Promise<void> {
    let uri: vscode.Uri | null = null;
    if (msg.target === 'patch') uri = a.patchUri;
    else uri = a.sides[msg.file]?.[msg.target] ?? null;
    if (!uri) {
      void vscode.window.showInformationMessage(`Kernel Patch Reasoner: there is no ${msg.target === 'patch' ? 'patch document' : `${msg.target}-image document`} to open for this change.`);
      return;
    }
    const doc = await vscode.workspace.openTextDocument(uri);
    const shown = (uri.scheme === PRE_SCHEME || uri.scheme === POST_SCHEME) && doc.languageId !== 'c' ? await vscode.languages.setTextDocumentLanguage(doc, 'c') : doc;
    const line = Math.min(Math.max(0, msg.line - 1), Math.max(0, shown.lineCount - 1));
    const range = shown.lineAt(line).range;
    // Beside the patch view, never over it.
    const viewColumn = this.panels.get(a.key)?.panel.panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One;
    const editor = await vscode.window.showTextDocument(shown, { viewColumn, preserveFocus: false, selection: new vscode.Range(range.start, range.start) });
    editor.revealRange(range, vscode.TextEditorRevealType.InCenter);
  }

  private onEdited(doc: vscode.TextDocument): void {
    const key = uriKey(doc.uri);
    if (this.inspections.has(key)) {
      this.inspections.delete(key);
      this.lensChanged.fire();
    }
    if (this.placed.delete(key)) this.diagnostics.delete(doc.uri);
    for (const { panel, analysis } of this.panels.values()) {
      if (analysis.patchUri?.toString() === key || analysis.inputs.some((u) => u.toString() === key)) {
        panel.status('stale', `${rel(doc.uri)} changed after this analysis${analysis.patchUri?.toString() === key ? ' (it is re-run when the patch is saved)' : ''}: Re-run to update.`);
      }
    }
  }

  private onSaved(doc: vscode.TextDocument): void {
    const key = uriKey(doc.uri);
    for (const { analysis } of this.panels.values()) {
      if (analysis.patchUri?.toString() === key) void this.guard('Re-run', () => analysis.rerun());
    }
  }

  private placeDiagnostics(patchUri: vscode.Uri, result: PatchResult, headers: Map<string, number>): void {
    this.placed.set(uriKey(patchUri), { result, headers });
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === patchUri.toString());
    const specs = patchDiagnosticSpecs(result, headers, readConfig(patchUri).severity);
    const diags = specs.map((s) => {
      const line = Math.max(0, s.line - 1);
      const range = doc && line < doc.lineCount ? doc.lineAt(line).range : new vscode.Range(line, 0, line, 1000);
      const d = new vscode.Diagnostic(range, s.message, SEVERITY[s.severity]);
      d.source = DIAGNOSTIC_SOURCE;
      d.code = s.code === 'patch' ? 'patch' : { value: s.code, target: ruleDocUri(this.context.extensionUri, s.code as RuleId) };
      if (s.detail) d.relatedInformation = [new vscode.DiagnosticRelatedInformation(new vscode.Location(patchUri, range), s.detail)];
      return d;
    });
    this.diagnostics.set(patchUri, diags);
  }

  // -------------------------------------------------------------------------------------------
  // CodeLens: "Analyze Patch (N C files)" at the top of a patch

  private inspectDocument(doc: vscode.TextDocument): Promise<PatchInspection | undefined> {
    const key = uriKey(doc.uri);
    const cached = this.inspections.get(key);
    if (cached && cached.version === doc.version) return cached.promise;
    const promise = this.inspect(doc.getText(), {}).catch((e) => {
      if (!(e instanceof Cancelled)) this.log.warn(`could not read ${rel(doc.uri)} as a patch: ${String(e)}`);
      return undefined;
    });
    this.inspections.set(key, { version: doc.version, promise });
    return promise;
  }

  private async codeLenses(doc: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
    if (doc.languageId !== 'diff' && !isPatchName(doc.uri.path)) return [];
    const ins = await this.inspectDocument(doc);
    if (token.isCancellationRequested) return [];
    const n = ins ? new Set(ins.files.filter((f) => f.isC && !f.isBinary).map((f) => f.path)).size : null;
    const problems = ins ? ins.errors.length : 0;
    const title = n === null ? 'Analyze Patch' : `Analyze Patch (${n} C file${n === 1 ? '' : 's'}${problems ? `, ${problems} problem${problems === 1 ? '' : 's'} in the patch text` : ''})`;
    return [
      new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), {
        title,
        tooltip: 'Run the writeback scenarios on both sides of this patch (its C files found in the workspace) and compare the verdicts',
        command: ANALYZE_PATCH,
        arguments: [doc.uri],
      }),
    ];
  }

  // -------------------------------------------------------------------------------------------
  // (1) a patch file

  private async analyzePatchCommand(arg: unknown): Promise<PatchView | undefined> {
    let uri = arg instanceof vscode.Uri ? arg : undefined;
    if (!uri) {
      const doc = vscode.window.activeTextEditor?.document;
      if (doc && (doc.languageId === 'diff' || isPatchName(doc.uri.path))) uri = doc.uri;
    }
    if (!uri) {
      void vscode.window.showWarningMessage('Kernel Patch Reasoner: open a .patch or .diff file (git format-patch, git show or diff -u output) in the editor first, or right-click one in the Explorer.');
      return undefined;
    }
    return this.analyzePatchFile(uri, undefined);
  }

  private locateEnv(): LocateEnv<vscode.Uri> {
    return {
      folders: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri),
      existing: async (folder, relPath) => {
        const u = vscode.Uri.joinPath(folder, ...relPath.split('/'));
        try {
          const st = await vscode.workspace.fs.stat(u);
          return st.type & vscode.FileType.File ? u : undefined;
        } catch {
          return undefined;
        }
      },
      findByBasename: (name) => Promise.resolve(vscode.workspace.findFiles(basenameGlob(name), undefined, 50)),
      pathOf: (u) => u.path,
    };
  }

  /**
   * The base standing for `file` of the patch, or null to skip it (throws Cancelled on Escape):
   * (1) the patch's path in the workspace; (2) the pre-image blob of its `index` line in a
   * workspace repository's git history; (3) a picker that is always offered otherwise: the files of
   * the same name with how many hunks apply to each, "Choose base file…" and "Skip this file".
   */
  private async chooseBaseFile(file: InspectedFile, patchText: string, exclude: string[] = []): Promise<ChosenFile | null> {
    if (exclude.length === 0) {
      const byPath = await locateByPath(file.path, this.locateEnv());
      if (byPath.kind === 'found') return { uri: byPath.file, how: byPath.how };
      const hash = preImageBlob(file.index ?? null);
      const blob = hash ? await readIndexBlob(hash) : null;
      if (blob && hash) {
        const uri = this.images.put(PRE_SCHEME, file.path, `git blob ${hash}`, blob.text);
        return { uri, how: `blob ${hash} of the patch's index line, from the git history of ${blob.repository}`, text: blob.text, side: 'pre' };
      }
    }
    const cancelled = `Analyze Patch cancelled: no base file was chosen for ${file.path}, so nothing was analysed.`;
    const byName = (await this.locateEnv().findByBasename(basenameOf(file.path))).filter((u) => !exclude.includes(uriKey(u)));
    const rated: { uri: vscode.Uri; rank: number; text: string }[] = [];
    for (const u of byName.slice(0, 20)) {
      const probes = await this.inspect(patchText, { [file.path]: await readText(u) });
      const p = probes.probes[file.path];
      const fit = p ? candidateFit(p) : { rank: 0, text: '' };
      rated.push({ uri: u, ...fit });
    }
    rated.sort((a, b) => b.rank - a.rank || commonSuffix(file.path, b.uri.path) - commonSuffix(file.path, a.uri.path) || rel(a.uri).localeCompare(rel(b.uri)));
    const items: PickItem<vscode.Uri | 'browse' | 'skip'>[] = rated.map((r) => ({ label: rel(r.uri), description: r.text, value: r.uri }));
    items.push(
      { label: '$(folder-opened) Choose base file…', description: 'any file, in or outside the workspace', value: 'browse' },
      { label: '$(debug-step-over) Skip this file', description: 'it is listed as not analysed', value: 'skip' },
    );
    const where = rated.length ? `; ${rated.length} file(s) named ${basenameOf(file.path)} (hunks that apply to each)` : `; no file named ${basenameOf(file.path)}`;
    const v = await this.pick(
      items,
      { title: `Analyze Patch: base file for ${file.path}`, placeHolder: `${file.path} is not in the workspace${where}: pick its base`, matchOnDescription: true },
      cancelled,
    );
    if (v === 'skip') return null;
    if (v === 'browse') {
      const picked = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: `Use as ${file.path}`, title: `Base file for ${file.path}`, filters: { 'C sources': ['c', 'h'], 'All files': ['*'] } });
      if (!picked?.[0]) throw new Cancelled(cancelled);
      return { uri: picked[0], how: 'chosen by you' };
    }
    const fit = rated.find((r) => r.uri === v);
    return { uri: v, how: `chosen by you${fit?.text ? ` (${fit.text})` : ''}` };
  }

  /** Which side of the patch the base is: decided from how the patch applies, else asked ('another': choose another base). */
  private async chooseSideOf(file: InspectedFile, uri: vscode.Uri, ins: PatchInspection): Promise<{ side: 'pre' | 'post'; note: string } | 'another' | null> {
    const probe = ins.probes[file.path];
    if (!probe) return { side: 'pre', note: 'taken as the pre-image' };
    const c = chooseSide(probe);
    if (c.side !== 'ask') return { side: c.side, note: `${c.side === 'pre' ? 'the pre-image' : 'the post-image'}: ${c.reason}` };
    const fwd = probeText(probe.forward, 'forward');
    const rev = probeText(probe.reverse, 'in reverse');
    const pre: PickItem<'pre' | 'post' | 'skip' | 'another'> = { label: `Pre-image: the patch is not applied to ${rel(uri)}`, description: 'apply the patch to it', detail: fwd, value: 'pre' };
    const post: PickItem<'pre' | 'post' | 'skip' | 'another'> = { label: `Post-image: ${rel(uri)} already has the patch`, description: 'reverse the patch to get the pre-image', detail: rev, value: 'post' };
    const another: PickItem<'pre' | 'post' | 'skip' | 'another'> = { label: '$(folder-opened) Choose another base file…', description: `instead of ${rel(uri)}`, value: 'another' };
    const skip: PickItem<'pre' | 'post' | 'skip' | 'another'> = { label: 'Skip this file', value: 'skip' };
    const likelyPost = probe.reverse.applied > probe.forward.applied;
    const v = await this.pick(likelyPost ? [post, pre, another, skip] : [pre, post, another, skip], { title: `Analyze Patch: which side of the patch is ${rel(uri)}?`, placeHolder: c.reason, matchOnDetail: true }, `Analyze Patch cancelled: it was not chosen whether ${rel(uri)} is before or after the patch, so nothing was analysed.`);
    if (v === 'skip') return null;
    if (v === 'another') return 'another';
    return { side: v, note: `${v === 'pre' ? 'the pre-image' : 'the post-image'}, as you chose (${c.reason})` };
  }

  private async analyzePatchFile(patchUri: vscode.Uri, remembered: ChosenBase[] | undefined, reveal = true): Promise<PatchView | undefined> {
    const patchText = await readText(patchUri);
    const parsed = await this.inspect(patchText, {});
    const cFiles = [...new Map(parsed.files.filter((f) => f.isC && !f.isBinary).map((f) => [f.path, f])).values()];
    let chosen: ChosenBase[];
    const texts: Record<string, string> = {};
    if (remembered) {
      chosen = remembered;
      for (const c of chosen) texts[c.path] = c.text ?? (c.uri ? await readText(c.uri) : '');
    } else {
      chosen = [];
      const located: { file: InspectedFile; uri: vscode.Uri; how: string }[] = [];
      for (const f of cFiles) {
        if (f.isNew || f.isDeleted) {
          // A file the patch creates (deletes) that is not in the workspace: its pre-image
          // (post-image) is empty. If it is there, how the patch applies tells the side.
          const found = await locateBase(f.path, this.locateEnv());
          if (found.kind !== 'found') {
            chosen.push({ path: f.path, uri: null, side: f.isNew ? 'pre' : 'post', notes: [f.isNew ? 'a new file, not in the workspace: its pre-image is empty' : 'a deleted file, not in the workspace: its post-image is empty'] });
            texts[f.path] = '';
            continue;
          }
          located.push({ file: f, uri: found.file, how: found.how });
          texts[f.path] = await readText(found.file);
          continue;
        }
        // The base, then its side; "Choose another base file…" at the side question starts over.
        const exclude: string[] = [];
        for (;;) {
          const base = await this.chooseBaseFile(f, patchText, exclude);
          if (!base) break;
          const text = base.text ?? (await readText(base.uri));
          if (base.side) {
            chosen.push({ path: f.path, uri: base.uri, side: base.side, text: base.text, notes: [`base: ${base.how}`, 'it is the pre-image (the blob the patch names)'] });
            texts[f.path] = text;
            break;
          }
          const side = await this.chooseSideOf(f, base.uri, await this.inspect(patchText, { [f.path]: text }));
          if (side === 'another') {
            exclude.push(uriKey(base.uri));
            continue;
          }
          if (side) {
            chosen.push({ path: f.path, uri: base.uri, side: side.side, notes: [`base: ${rel(base.uri)} (${base.how})`, `it is ${side.note}`] });
            texts[f.path] = text;
          }
          break;
        }
      }
      const probes = await this.inspect(patchText, texts);
      for (const l of located) {
        const side = await this.chooseSideOf(l.file, l.uri, probes);
        if (!side || side === 'another') {
          delete texts[l.file.path];
          continue;
        }
        chosen.push({ path: l.file.path, uri: l.uri, side: side.side, notes: [`base: ${rel(l.uri)} (${l.how})`, `it is ${side.note}`] });
      }
    }
    const bases: Record<string, PatchBase> = {};
    for (const c of chosen) bases[c.path] = { text: texts[c.path], side: c.side, name: c.uri ? rel(c.uri) : c.path };
    const name = rel(patchUri);
    const outcome = await this.progress(`analysing both sides of ${name}`, (token) => this.worker.patch(patchText, bases, this.options(patchUri), token));
    if (outcome.kind === 'cancelled') throw new Cancelled();
    if (outcome.kind === 'failed') throw new Error(outcome.message);
    const { result, images } = outcome;
    this.log.info(`analysed patch ${name}: ${result.files.length} file(s), ${result.problems.length} problem(s), ${outcome.ms} ms`);

    const headers = new Map<string, number>();
    for (const f of parsed.files) {
      headers.set(f.newPath, f.patchLine);
      headers.set(f.oldPath, f.patchLine);
    }
    this.placeDiagnostics(patchUri, result, headers);

    const imageUris: vscode.Uri[] = [];
    const sides: FileSides[] = [];
    const files: ViewFileInput[] = result.files.map((f) => {
      const p = patchPathOf(f);
      const c = chosen.find((x) => x.path === p);
      if (c?.text !== undefined && c.uri) imageUris.push(c.uri); // a git blob's read-only copy
      const hunks = parsed.files.find((x) => x.path === p)?.hunks.length ?? f.applied.length;
      const label = c?.uri ? rel(c.uri) : p;
      let pre: vscode.Uri | null = null;
      let post: vscode.Uri | null = null;
      let preName: string;
      let postName: string;
      if (c?.side === 'post') {
        post = c.uri;
        pre = this.images.put(PRE_SCHEME, p, 'pre-image', images[p] ?? '');
        imageUris.push(pre);
        preName = `${label} with the patch reversed (read-only copy)`;
        postName = c.uri ? `${label} (workspace file; the patch is applied)` : `${p} (empty)`;
      } else {
        pre = c?.uri ?? null;
        post = this.images.put(POST_SCHEME, p, 'post-image', images[p] ?? '');
        imageUris.push(post);
        preName = c?.uri ? `${label} (workspace file)` : `${p} (empty: the patch creates it)`;
        postName = `${label} with the patch applied (read-only copy)`;
      }
      sides.push({ pre, post });
      return { label, preName, postName, notes: [...(c?.notes ?? []), appliedSummary(f.applied, hunks)], diff: f };
    });
    const view = buildPatchView({
      kind: 'patch',
      title: result.subject ?? `Patch ${path.posix.basename(patchUri.path)}`,
      author: result.author,
      message: result.message,
      patchName: name,
      mentionedFunctions: result.mentionedFunctions,
      problems: result.problems,
      skipped: result.skipped,
      files,
    });
    this.show({
      key: `patch:${uriKey(patchUri)}`,
      view,
      patchUri,
      sides,
      images: imageUris,
      inputs: chosen.flatMap((c) => (c.uri ? [c.uri] : [])),
      // Re-run (button, or the patch saved): the same bases and sides, the view not brought to front.
      rerun: () => this.analyzePatchFile(patchUri, chosen, false).then(() => undefined),
    }, reveal);
    if (result.files.length === 0) {
      const why = result.problems[0] ? `${result.problems[0].message} (patch line ${result.problems[0].line})` : result.skipped.map((s) => `${s.path}: ${s.reason}`).join('; ') || 'no C file in the patch';
      void vscode.window.showWarningMessage(`Kernel Patch Reasoner: nothing in ${name} was analysed: ${why}`);
    } else if (result.problems.length) {
      void vscode.window.showWarningMessage(`Kernel Patch Reasoner: ${name} does not apply cleanly: ${result.problems.length} problem(s), the first at patch line ${result.problems[0].line}. See the patch view and Problems.`);
    }
    return view;
  }

  // -------------------------------------------------------------------------------------------
  // (2) two C files

  private async compareCommand(arg: unknown, all: unknown): Promise<PatchView | undefined> {
    const selected = Array.isArray(all) ? all.filter((u): u is vscode.Uri => u instanceof vscode.Uri && isCUri(u)) : [];
    let pre: vscode.Uri | undefined;
    let post: vscode.Uri | undefined;
    if (selected.length === 2) {
      const [a, b] = selected;
      const order = await this.pick(
        [
          { label: `${rel(a)} → ${rel(b)}`, description: `before: ${path.posix.basename(a.path)}, after: ${path.posix.basename(b.path)}`, value: [a, b] as const },
          { label: `${rel(b)} → ${rel(a)}`, description: `before: ${path.posix.basename(b.path)}, after: ${path.posix.basename(a.path)}`, value: [b, a] as const },
        ],
        { title: 'Compare Writepage Verdicts: which file is before the change?' },
      );
      [pre, post] = order;
    } else {
      pre = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
      if (!pre || !isCUri(pre)) {
        void vscode.window.showWarningMessage('Kernel Patch Reasoner: right-click a .c file in the Explorer (or open one) to compare its writepage verdicts with another file.');
        return undefined;
      }
      const first = pre;
      const files = (await vscode.workspace.findFiles('**/*.{c,h}', undefined, 500)).filter((u) => u.toString() !== first.toString());
      const dir = path.posix.dirname(first.path);
      files.sort((a, b) => Number(path.posix.dirname(b.path) === dir) - Number(path.posix.dirname(a.path) === dir) || rel(a).localeCompare(rel(b)));
      const v = await this.pick<vscode.Uri | 'browse'>([...files.map((u) => ({ label: rel(u), value: u })), { label: '$(folder-opened) Choose a file…', value: 'browse' }], {
        title: `Compare Writepage Verdicts: ${rel(first)} (before) with… (after)`,
        placeHolder: 'The file after the change',
      });
      if (v === 'browse') {
        const picked = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Compare', filters: { 'C sources': ['c', 'h'] } });
        if (!picked?.[0]) throw new Cancelled();
        post = picked[0];
      } else {
        post = v;
      }
    }
    return this.compareFiles(pre, post);
  }

  private async compareFiles(pre: vscode.Uri, post: vscode.Uri, reveal = true): Promise<PatchView | undefined> {
    const [preText, postText] = await Promise.all([readText(pre), readText(post)]);
    const outcome = await this.progress(`comparing ${rel(pre)} → ${rel(post)}`, (token) => this.worker.diff({ text: preText, file: rel(pre) }, { text: postText, file: rel(post) }, null, this.options(post), token));
    if (outcome.kind === 'cancelled') throw new Cancelled();
    if (outcome.kind === 'failed') throw new Error(outcome.message);
    const view = buildPatchView({
      kind: 'files',
      title: `${rel(pre)} → ${rel(post)}`,
      author: null,
      message: null,
      patchName: null,
      mentionedFunctions: [],
      problems: [],
      skipped: [],
      files: [{ label: `${rel(pre)} → ${rel(post)}`, preName: `${rel(pre)} (workspace file)`, postName: `${rel(post)} (workspace file)`, notes: [], diff: outcome.result }],
    });
    this.show({ key: `files:${uriKey(pre)}|${uriKey(post)}`, view, patchUri: null, sides: [{ pre, post }], images: [], inputs: [pre, post], rerun: () => this.compareFiles(pre, post, false).then(() => undefined) }, reveal);
    return view;
  }

  // -------------------------------------------------------------------------------------------
  // (3) git: the working tree of a file, a commit

  private async repositoryFor(uri: vscode.Uri | undefined): Promise<GitRepository> {
    const api = await gitApi();
    if (uri) {
      const repo = api.getRepository(uri);
      if (repo) return repo;
    }
    const repos = api.repositories;
    if (repos.length === 0) throw new GitUnavailable(uri ? `${rel(uri)} is not in a git repository that the Git extension has open` : 'the Git extension has no repository open in this workspace');
    if (repos.length === 1) return repos[0];
    return this.pick(
      repos.map((r) => ({ label: rel(r.rootUri), description: r.rootUri.fsPath, value: r })),
      { title: 'Analyze Commit: which repository?' },
    );
  }

  private async worktreeCommand(arg: unknown): Promise<PatchView | undefined> {
    const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
    if (!uri || !isCUri(uri)) {
      void vscode.window.showWarningMessage('Kernel Patch Reasoner: open a C file (an ext4-like inode.c) to analyse its working-tree change.');
      return undefined;
    }
    const api = await gitApi();
    const repo = api.getRepository(uri);
    if (!repo) throw new GitUnavailable(`${rel(uri)} is not in a git repository that the Git extension has open`);
    return this.analyzeWorktree(repo, uri);
  }

  private async analyzeWorktree(repo: GitRepository, uri: vscode.Uri, reveal = true): Promise<PatchView | undefined> {
    let head: string;
    try {
      head = await repo.show('HEAD', uri.fsPath);
    } catch (e) {
      throw new GitUnavailable(`${rel(uri)} has no version in HEAD (a new or untracked file?): ${(e as Error).message ?? e}`);
    }
    const work = await readText(uri);
    if (head === work) {
      void vscode.window.showInformationMessage(`Kernel Patch Reasoner: ${rel(uri)} has no change against HEAD.`);
      return undefined;
    }
    const outcome = await this.progress(`analysing the working-tree change of ${rel(uri)}`, (token) =>
      this.worker.diff({ text: head, file: `${rel(uri)} (HEAD)` }, { text: work, file: rel(uri) }, null, this.options(uri), token),
    );
    if (outcome.kind === 'cancelled') throw new Cancelled();
    if (outcome.kind === 'failed') throw new Error(outcome.message);
    const pre = this.images.put(PRE_SCHEME, rel(uri), 'HEAD', head);
    const dirty = vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString() && d.isDirty);
    const view = buildPatchView({
      kind: 'worktree',
      title: `Working-tree change of ${rel(uri)}`,
      author: null,
      message: null,
      patchName: null,
      mentionedFunctions: [],
      problems: [],
      skipped: [],
      files: [
        {
          label: rel(uri),
          preName: `${rel(uri)} at HEAD (read-only copy)`,
          postName: `${rel(uri)} (working copy${dirty ? ', with unsaved edits' : ''})`,
          notes: [`repository: ${repo.rootUri.fsPath}`],
          diff: outcome.result,
        },
      ],
    });
    this.show({ key: `worktree:${uriKey(uri)}`, view, patchUri: null, sides: [{ pre, post: uri }], images: [pre], inputs: [uri], rerun: () => this.analyzeWorktree(repo, uri, false).then(() => undefined) }, reveal);
    return view;
  }

  private async commitCommand(arg: unknown): Promise<PatchView | undefined> {
    const repo = await this.repositoryFor(arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri);
    // A commit hash may be passed (tests, other extensions); otherwise pick from the log.
    let hash = typeof arg === 'string' ? arg : undefined;
    if (!hash) {
      const log = await repo.log({ maxEntries: 50 });
      if (log.length === 0) throw new GitUnavailable(`the repository ${repo.rootUri.fsPath} has no commits`);
      hash = await this.pick(
        log.map((c) => ({
          label: `${shortHash(c.hash)} ${splitMessage(c.message).subject}`,
          description: [c.authorName, c.authorDate ? new Date(c.authorDate).toISOString().slice(0, 10) : ''].filter(Boolean).join(', '),
          value: c.hash,
        })),
        { title: `Analyze Commit: ${path.posix.basename(repo.rootUri.path)} (last ${log.length} commits)`, placeHolder: 'The commit whose C changes to analyse (parent → commit)', matchOnDescription: true },
      );
    }
    return this.analyzeCommit(repo, hash);
  }

  private async analyzeCommit(repo: GitRepository, ref: string, reveal = true): Promise<PatchView | undefined> {
    const commit: GitCommit = await repo.getCommit(ref);
    const { subject, body } = splitMessage(commit.message);
    if (commit.parents.length === 0) {
      void vscode.window.showInformationMessage(`Kernel Patch Reasoner: ${shortHash(commit.hash)} is a root commit: there is no parent to compare it with.`);
      return undefined;
    }
    const parent = commit.parents[0];
    const changes: GitChange[] = (await repo.diffBetween(parent, commit.hash)).filter((c) => isCUri(c.uri) || isCUri(c.originalUri));
    if (changes.length === 0) {
      void vscode.window.showInformationMessage(`Kernel Patch Reasoner: ${shortHash(commit.hash)} ${subject} changes no C file.`);
      return undefined;
    }
    const notes = commit.parents.length > 1 ? [`a merge commit: compared with its first parent ${shortHash(parent)}`] : [];
    const inputs: ViewFileInput[] = [];
    const sides: FileSides[] = [];
    const imageUris: vscode.Uri[] = [];
    const mentioned = new Set<string>();
    const show = (r: string, u: vscode.Uri): Promise<string> => showText(repo, r, u.fsPath);
    await this.progress(`analysing ${shortHash(commit.hash)} ${subject}`, async (token) => {
      for (const c of changes) {
        if (token.isCancellationRequested) throw new Cancelled();
        const added = c.status === GIT_STATUS.INDEX_ADDED;
        const deleted = c.status === GIT_STATUS.DELETED || c.status === GIT_STATUS.INDEX_DELETED;
        const preText = added ? '' : await show(parent, c.originalUri);
        const postText = deleted ? '' : await show(commit.hash, c.uri);
        const label = rel(c.uri);
        const outcome = await this.worker.diff({ text: preText, file: `${rel(c.originalUri)} (${shortHash(parent)})` }, { text: postText, file: `${label} (${shortHash(commit.hash)})` }, commit.message, this.options(c.uri), token);
        if (outcome.kind === 'cancelled') throw new Cancelled();
        if (outcome.kind === 'failed') throw new Error(outcome.message);
        outcome.mentionedFunctions.forEach((m) => mentioned.add(m));
        const pre = this.images.put(PRE_SCHEME, rel(c.originalUri), shortHash(parent), preText);
        const post = this.images.put(POST_SCHEME, label, shortHash(commit.hash), postText);
        imageUris.push(pre, post);
        sides.push({ pre, post });
        const fileNotes = [...notes, ...(added ? ['added by the commit'] : []), ...(deleted ? ['deleted by the commit'] : []), ...(c.status === GIT_STATUS.INDEX_RENAMED ? [`renamed from ${rel(c.originalUri)}`] : [])];
        inputs.push({ label, preName: `${rel(c.originalUri)} at ${shortHash(parent)} (read-only copy)`, postName: `${label} at ${shortHash(commit.hash)} (read-only copy)`, notes: fileNotes, diff: outcome.result });
      }
    });
    const view = buildPatchView({
      kind: 'commit',
      title: subject || shortHash(commit.hash),
      author: [commit.authorName, commit.authorEmail ? `<${commit.authorEmail}>` : '', `commit ${shortHash(commit.hash)}`].filter(Boolean).join(' '),
      message: body,
      patchName: null,
      mentionedFunctions: [...mentioned],
      problems: [],
      skipped: [],
      files: inputs,
    });
    this.show({ key: `commit:${uriKey(repo.rootUri)}|${commit.hash}`, view, patchUri: null, sides, images: imageUris, inputs: [], rerun: () => this.analyzeCommit(repo, commit.hash, false).then(() => undefined) }, reveal);
    return view;
  }
}
