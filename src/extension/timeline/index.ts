// Analyze Commit Range…: every commit of a range (first-parent walk from its tip) through the
// built-in Git extension, parent vs commit, in the analysis worker; a timeline webview of commits
// x findings, where a click opens the finding's line at that commit (a read-only document).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FindingChange } from '../../engine/api/types';
import type { TimelineView, TimelineWebviewMessage } from '../../shared/timelineProtocol';
import { analyzeOptions, readConfig } from '../config';
import { GIT_STATUS, type GitCommit, type GitRepository, gitApi, GitUnavailable, showText } from '../patch/git';
import { WorkerClient } from '../workerClient';
import { buildTimelineView, type RangeCommit } from './timelineModel';
import { TimelinePanel } from './timelinePanel';

export const ANALYZE_COMMIT_RANGE = 'kpr.analyzeCommitRange';
const SCHEME = 'kpr-commit';
/** At most this many commits of a range are walked (a larger range is cut, and the view says so). */
export const MAX_RANGE_COMMITS = 200;

class Cancelled extends Error {}

function isC(p: string): boolean {
  return /\.[ch]$/i.test(p);
}

class TimelineFeature implements vscode.Disposable {
  private readonly worker: WorkerClient;
  private readonly texts = new Map<string, string>();
  private readonly panels = new Set<TimelinePanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private next = 1;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.worker = new WorkerClient(vscode.Uri.joinPath(context.extensionUri, 'dist', 'analysisWorker.js').fsPath, (m) => log.info(`timeline worker: ${m}`));
    this.disposables.push(
      vscode.workspace.registerTextDocumentContentProvider(SCHEME, { provideTextDocumentContent: (u) => this.texts.get(u.toString()) ?? '/* Kernel Patch Reasoner: this version is no longer available; analyse the range again. */\n' }),
      vscode.commands.registerCommand(ANALYZE_COMMIT_RANGE, (arg?: unknown) => this.guard(() => this.command(arg))),
    );
  }

  private async guard(run: () => Promise<unknown>): Promise<unknown> {
    try {
      return await run();
    } catch (e) {
      if (e instanceof Cancelled) return undefined;
      if (e instanceof GitUnavailable) {
        void vscode.window.showErrorMessage(`Kernel Patch Reasoner: Analyze Commit Range: ${e.message}.`);
        return undefined;
      }
      this.log.error(`Analyze Commit Range failed: ${(e as Error).stack ?? String(e)}`);
      void vscode.window.showErrorMessage(`Kernel Patch Reasoner: Analyze Commit Range failed: ${(e as Error).message ?? String(e)}`);
      return undefined;
    }
  }

  private async repository(): Promise<GitRepository> {
    const api = await gitApi();
    const active = vscode.window.activeTextEditor?.document.uri;
    const repo = active ? api.getRepository(active) : null;
    if (repo) return repo;
    if (api.repositories.length === 0) throw new GitUnavailable('the Git extension has no repository open in this workspace');
    if (api.repositories.length === 1) return api.repositories[0];
    const pick = await vscode.window.showQuickPick(
      api.repositories.map((r) => ({ label: path.basename(r.rootUri.fsPath), description: r.rootUri.fsPath, r })),
      { title: 'Analyze Commit Range: which repository?', ignoreFocusOut: true },
    );
    if (!pick) throw new Cancelled();
    return pick.r;
  }

  /** `arg`: a range string (tests, other extensions); otherwise asked. */
  private async command(arg: unknown): Promise<TimelineView | undefined> {
    const repo = await this.repository();
    let range = typeof arg === 'string' ? arg : undefined;
    if (!range) {
      range = await vscode.window.showInputBox({
        title: `Analyze Commit Range: ${path.basename(repo.rootUri.fsPath)}`,
        prompt: 'A revision range BASE..TIP (first-parent commits after BASE up to TIP)',
        value: 'HEAD~10..HEAD',
        ignoreFocusOut: true,
        validateInput: (v) => (/^\S*\.\.\S*$/.test(v.trim()) && !v.includes('...') ? null : 'write BASE..TIP, e.g. v2.6.26..v2.6.28 or HEAD~5..HEAD'),
      });
      if (range === undefined) throw new Cancelled();
    }
    range = range.trim();
    const [baseRef, tipRef] = range.split('..');
    const commits = await this.walk(repo, baseRef, tipRef || 'HEAD');
    return this.analyze(repo, range, commits.list, commits.notes);
  }

  private async walk(repo: GitRepository, baseRef: string, tipRef: string): Promise<{ list: GitCommit[]; notes: string[] }> {
    const get = async (ref: string): Promise<GitCommit> => {
      try {
        return await repo.getCommit(ref);
      } catch (e) {
        throw new GitUnavailable(`git cannot resolve "${ref}": ${((e as Error).message ?? String(e)).split('\n')[0]}`);
      }
    };
    const base = baseRef ? (await get(baseRef)).hash : null;
    const list: GitCommit[] = [];
    const notes: string[] = [];
    let c: GitCommit | null = await get(tipRef);
    while (c && c.hash !== base) {
      if (list.length >= MAX_RANGE_COMMITS) {
        notes.push(`the range has more than ${MAX_RANGE_COMMITS} first-parent commits: only the last ${MAX_RANGE_COMMITS} are shown`);
        break;
      }
      list.push(c);
      if (c.parents.length > 1) notes.push(`${c.hash.slice(0, 12)} is a merge: compared with its first parent`);
      c = c.parents.length ? await get(c.parents[0]) : null;
      if (!c && base) throw new GitUnavailable(`${baseRef} is not a first-parent ancestor of ${tipRef}`);
    }
    return { list: list.reverse(), notes };
  }

  private async analyze(repo: GitRepository, range: string, commits: GitCommit[], notes: string[]): Promise<TimelineView | undefined> {
    const root = repo.rootUri.fsPath;
    const title = `${path.basename(root)} ${range}`;
    const panel = new TimelinePanel(this.context.extensionUri, title, this.log, (msg, view) => this.open(repo, msg, view, commits), () => this.panels.delete(panel));
    this.panels.add(panel);
    const rows: RangeCommit[] = [];
    const view = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Kernel Patch Reasoner: ${range}`, cancellable: true }, async (progress, token) => {
      for (const [i, c] of commits.entries()) {
        if (token.isCancellationRequested) throw new Cancelled();
        progress.report({ message: `${i + 1}/${commits.length} ${c.hash.slice(0, 12)} ${c.message.split('\n')[0]}`, increment: 100 / Math.max(1, commits.length) });
        panel.status('running', `analysing ${i + 1} of ${commits.length}: ${c.hash.slice(0, 12)}`);
        const parent = c.parents[0];
        const entry: RangeCommit = { hash: c.hash, parent: parent ?? '', subject: c.message.split('\n')[0], author: c.authorName ?? '', files: [] };
        if (!parent) {
          notes.push(`${c.hash.slice(0, 12)} is a root commit: no parent to compare with`);
          rows.push(entry);
          continue;
        }
        for (const ch of (await repo.diffBetween(parent, c.hash)).filter((x) => isC(x.uri.path) || isC(x.originalUri.path))) {
          const added = ch.status === GIT_STATUS.INDEX_ADDED || ch.status === GIT_STATUS.UNTRACKED;
          const deleted = ch.status === GIT_STATUS.DELETED || ch.status === GIT_STATUS.INDEX_DELETED;
          const rel = path.relative(root, ch.uri.fsPath).split(path.sep).join('/');
          const oldRel = path.relative(root, ch.originalUri.fsPath).split(path.sep).join('/');
          const preText = added ? '' : await showText(repo, parent, ch.originalUri.fsPath);
          const postText = deleted ? '' : await showText(repo, c.hash, ch.uri.fsPath);
          // Only the findings' changes are read: no path trace is made (the result crosses from the worker small).
          const out = await this.worker.diff({ text: preText, file: `${oldRel} (${parent.slice(0, 12)})` }, { text: postText, file: `${rel} (${c.hash.slice(0, 12)})` }, null, { ...analyzeOptions(readConfig(ch.uri)), pathTraces: 'on-demand' }, token);
          if (out.kind === 'cancelled') throw new Cancelled();
          if (out.kind === 'failed') throw new Error(`${rel} at ${c.hash.slice(0, 12)}: ${out.message}`);
          const changes: FindingChange[] = out.result.changes;
          entry.files.push({ path: rel, oldPath: oldRel, changes });
        }
        if (entry.files.length) rows.push(entry);
      }
      return buildTimelineView(title, range, rows, notes);
    });
    panel.setView(view);
    panel.status('done', `${view.commits.length} commit(s), ${view.rows.length} finding(s)`);
    return view;
  }

  private async open(repo: GitRepository, msg: Extract<TimelineWebviewMessage, { type: 'open' }>, view: TimelineView, _commits: GitCommit[]): Promise<void> {
    const row = view.rows[msg.row];
    const cell = row?.cells[msg.commit];
    const commit = view.commits[msg.commit];
    if (!row || !cell || !commit || cell.line === null) return;
    // A fixed finding's line is in the version before the commit.
    let ref = commit.hash;
    if (cell.state === 'fixed') ref = (await repo.getCommit(commit.hash)).parents[0] ?? commit.hash;
    const file = path.join(repo.rootUri.fsPath, ...row.path.split('/'));
    const text = await showText(repo, ref, file);
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${row.path} (${ref.slice(0, 12)})`, query: String(this.next++) });
    this.texts.set(uri.toString(), text);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, 'c');
    const line = Math.max(0, Math.min(doc.lineCount - 1, cell.line - 1));
    const pos = new vscode.Position(line, 0);
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true, selection: new vscode.Range(pos, pos) });
  }

  dispose(): void {
    for (const p of [...this.panels]) p.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.worker.dispose();
    this.texts.clear();
  }
}

export function activateTimeline(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): vscode.Disposable {
  return new TimelineFeature(context, log);
}
