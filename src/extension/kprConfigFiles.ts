// The `.kpr.json` files of the workspace, read through the workspace file system, watched, and
// the values they give a document (the nearest file in its folder or above). readConfig
// (config.ts) puts explicitly set `kpr.*` settings over them; the analysis service applies their
// suppressions. Problems in a file are shown as diagnostics on the file itself.
import * as vscode from 'vscode';
import type { ConfigSuppression } from '../engine/suppress';
import { CONFIG_FILE_NAME, type ConfigFileContent, type ConfigKey, type ConfigValue, parseConfigText } from '../shared/kprConfig';

interface Loaded extends ConfigFileContent {
  uri: vscode.Uri;
  /** The folder the file configures (its directory), with a trailing slash. */
  dir: string;
}

let files: Loaded[] = [];

function dirOf(uri: vscode.Uri): string {
  const p = uri.with({ path: uri.path.replace(/\/[^/]*$/, '/') });
  return p.toString();
}

/** The nearest loaded `.kpr.json` for a document (same scheme and authority, folder or above). */
export function configFileFor(uri: vscode.Uri | undefined): Loaded | undefined {
  if (!uri) return undefined;
  const doc = uri.toString();
  let best: Loaded | undefined;
  for (const f of files) if (doc.startsWith(f.dir) && (!best || f.dir.length > best.dir.length)) best = f;
  return best;
}

/** A value the document's `.kpr.json` sets, or undefined. */
export function fileValue(uri: vscode.Uri | undefined, key: ConfigKey): ConfigValue | undefined {
  return configFileFor(uri)?.values[key];
}

export function fileSuppressions(uri: vscode.Uri | undefined): { config: ConfigSuppression[]; configFile: string | null } {
  const f = configFileFor(uri);
  return { config: f?.suppressions ?? [], configFile: f ? vscode.workspace.asRelativePath(f.uri, false) : null };
}

/** Where a new config-file suppression goes for a document: its nearest file, else the workspace folder's root. */
export function configTargetFor(uri: vscode.Uri): vscode.Uri | undefined {
  const f = configFileFor(uri);
  if (f) return f.uri;
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  return folder ? vscode.Uri.joinPath(folder.uri, CONFIG_FILE_NAME) : undefined;
}

async function read(uri: vscode.Uri): Promise<Loaded> {
  let text = '';
  try {
    text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch (e) {
    return { uri, dir: dirOf(uri), values: {}, suppressions: [], problems: [{ path: '', message: `cannot read: ${String(e)}`, severity: 'error' }] };
  }
  return { uri, dir: dirOf(uri), ...parseConfigText(text) };
}

/**
 * Loads every `.kpr.json` and keeps them current; `onChange` runs after a (re)load that found or
 * changed files (the caller re-runs open documents).
 */
export function activateConfigFiles(log: vscode.LogOutputChannel, onChange: () => void): vscode.Disposable {
  const problems = vscode.languages.createDiagnosticCollection('kpr-config');
  let generation = 0;
  const reload = async () => {
    const mine = ++generation;
    const found = await vscode.workspace.findFiles(`**/${CONFIG_FILE_NAME}`, '**/node_modules/**', 100);
    const loaded = await Promise.all(found.map(read));
    if (mine !== generation) return;
    const before = JSON.stringify(files.map((f) => [f.uri.toString(), f.values, f.suppressions]));
    files = loaded;
    problems.clear();
    for (const f of loaded) {
      problems.set(
        f.uri,
        f.problems.map((p) => {
          const d = new vscode.Diagnostic(new vscode.Range(0, 0, 0, 1), `${p.path ? `${p.path}: ` : ''}${p.message}`, p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
          d.source = 'kpr';
          d.code = 'config';
          return d;
        }),
      );
    }
    log.info(`configuration files: ${loaded.length ? loaded.map((f) => `${vscode.workspace.asRelativePath(f.uri, false)} (${Object.keys(f.values).length} values, ${f.suppressions.length} suppressions, ${f.problems.length} problems)`).join(', ') : 'none'}`);
    if (JSON.stringify(files.map((f) => [f.uri.toString(), f.values, f.suppressions])) !== before) onChange();
  };
  const watcher = vscode.workspace.createFileSystemWatcher(`**/${CONFIG_FILE_NAME}`);
  const again = () => void reload().catch((e) => log.error(`reading ${CONFIG_FILE_NAME}: ${String(e)}`));
  watcher.onDidCreate(again);
  watcher.onDidChange(again);
  watcher.onDidDelete(again);
  const saved = vscode.workspace.onDidSaveTextDocument((d) => {
    if (d.uri.path.endsWith(`/${CONFIG_FILE_NAME}`)) again();
  });
  again();
  return vscode.Disposable.from(watcher, saved, problems, { dispose: () => (files = []) });
}
