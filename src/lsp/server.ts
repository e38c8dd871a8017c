// `kpr lsp`: the engine behind the Language Server Protocol over stdio, for Neovim, Emacs
// (eglot, lsp-mode), Helix and any other LSP client. Diagnostics on open/change (debounced),
// hovers, CodeLens, definition/implementation/references/call hierarchy/document symbols through
// ops tables and function pointers, and code actions (suppress on the line or in .kpr.json, open
// the rule's documentation). The same engine and pure modules as the CLI and the VS Code extension.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  type CallHierarchyItem,
  CodeActionKind,
  type CodeAction,
  createConnection,
  type Connection,
  DocumentSymbol,
  type Location,
  ProposedFeatures,
  SymbolKind,
  TextDocuments,
  TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { type RuleId, RULE_IDS, type ScenarioResult } from '../engine';
import { definitions, documentSymbols, hierarchyItem, type HierarchyItem, implementations, incomingCalls, type OutlineSymbol, outgoingCalls, references, targetAt } from '../engine/navigation/query';
import { applySuppressions } from '../engine/suppress';
import { configWithSuppression, suppressionCommentLine } from '../engine/suppress/edits';
import { applySeverityOverrides } from '../engine/suppress/severity';
import { CONFIG_FILE_NAME, type ConfigLayer, CONFIG_KEYS, type ConfigKey, checkValue, configAnalyzeOptions, configSeverities, type EffectiveConfig, resolveConfig } from '../shared/kprConfig';
import { findConfigUpward, loadConfigFile } from '../shared/kprConfigFile';
import { type EngineRunner, engineRunner } from './engineRunner';
import { buildCodeLenses, buildHover, buildLspDiagnostics, type FindingData, lspRange, scenarioSummary, SUMMARY_COMMAND } from './features';

const RULE_DOC_COMMAND = 'kpr.openRuleDocumentation';
const DEBOUNCE_MS = 400;

interface Analysed {
  version: number;
  result: Promise<ScenarioResult>;
}

export interface ServerOptions {
  /** Directory holding the tree-sitter .wasm files (dist/). */
  wasmDir: string;
  /** docs/rules.md of the installation, for the rules' links. */
  rulesDoc: string;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

function uriPath(uri: string): string | null {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : null;
  } catch {
    return null;
  }
}

/** Settings from the client (`initializationOptions.settings` or workspace/didChangeConfiguration): dotted keys, as in .kpr.json. */
function settingsLayer(raw: unknown, log: (m: string) => void): ConfigLayer {
  const values: ConfigLayer['values'] = {};
  if (raw && typeof raw === 'object') {
    const flat: Record<string, unknown> = {};
    const walk = (o: Record<string, unknown>, p: string) => {
      for (const [k, v] of Object.entries(o)) {
        const key = p ? `${p}.${k}` : k;
        if (v && typeof v === 'object' && !Array.isArray(v)) walk(v as Record<string, unknown>, key);
        else flat[key] = v;
      }
    };
    walk(raw as Record<string, unknown>, '');
    for (const [k, v] of Object.entries(flat)) {
      const key = k.replace(/^kpr\./, '');
      if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
        log(`setting ${k} is not known; ignored`);
        continue;
      }
      const problem = checkValue(key as ConfigKey, v);
      if (problem) log(`setting ${k}: ${problem}; ignored`);
      else values[key as ConfigKey] = v as never;
    }
  }
  return { origin: 'client settings', values };
}

export function startServer(opts: ServerOptions): Connection {
  const connection = opts.input && opts.output ? createConnection(ProposedFeatures.all, opts.input, opts.output) : createConnection(ProposedFeatures.all, process.stdin, process.stdout);
  const documents = new TextDocuments(TextDocument);
  const results = new Map<string, Analysed>();
  const timers = new Map<string, NodeJS.Timeout>();
  let clientSettings: ConfigLayer = { origin: 'client settings', values: {} };
  let rootPath: string | null = null;
  let runner: EngineRunner | null = null;
  const log = (m: string) => connection.console.log(m);
  const rulesDoc = (rule: string) => `${pathToFileURL(opts.rulesDoc).toString()}#${rule}`;

  const configFor = (uri: string): { effective: EffectiveConfig; file: string | null } => {
    const p = uriPath(uri);
    const file = p ? findConfigUpward(path.dirname(p)) : rootPath ? findConfigUpward(rootPath) : null;
    const loaded = file ? loadConfigFile(file) : null;
    for (const problem of loaded?.problems ?? []) log(`${file}: ${problem.severity}: ${problem.path ? `${problem.path}: ` : ''}${problem.message}`);
    const layers = [...(loaded ? [{ origin: loaded.file, values: loaded.values }] : []), clientSettings];
    return { effective: resolveConfig(layers, loaded?.suppressions ?? [], loaded?.file ?? null), file };
  };

  /** The result for the document's current version: the one computed or in flight, else a new run. */
  const analyse = (doc: TextDocument): Promise<ScenarioResult> => {
    const have = results.get(doc.uri);
    if (have && have.version === doc.version) return have.result;
    const { effective, file } = configFor(doc.uri);
    const text = doc.getText();
    const name = uriPath(doc.uri) ?? doc.uri;
    const version = doc.version;
    const engine = runner ?? (runner = engineRunner(opts.wasmDir, log));
    // No LSP request shows a path's trace (findings carry their own): paths keep their choices only.
    const result = engine.analyze(text, name, { ...configAnalyzeOptions(effective), pathTraces: 'on-demand' }).then(
      (raw) => applySeverityOverrides(applySuppressions(raw, text, { config: effective.suppressions, configFile: file }), configSeverities(effective)),
      (e: unknown): ScenarioResult => ({ file: name, entries: [], callbacks: [], runs: [], unmodelled: [], functions: [], timing: { parseMs: 0, analysisMs: 0 }, diagnostics: [{ severity: 'error', line: 1, column: 1, kind: 'internal', message: `the analysis failed: ${String((e as Error)?.message ?? e)}` }] }),
    );
    results.set(doc.uri, { version, result });
    void result.then((r) => {
      // Publish only while this is still the document's latest text.
      if (results.get(doc.uri)?.result !== result) return;
      const findings = r.runs.reduce((n, x) => n + x.findings.length, 0);
      log(`analysed ${name} v${version}: ${r.runs.length} runs, ${findings} findings (parse ${r.timing.parseMs} ms, analysis ${r.timing.analysisMs} ms, ${engine.mode})`);
      void connection.sendDiagnostics({ uri: doc.uri, version, diagnostics: buildLspDiagnostics(doc.uri, r, rulesDoc) });
    });
    return result;
  };

  const schedule = (doc: TextDocument, delay: number) => {
    const t = timers.get(doc.uri);
    if (t) clearTimeout(t);
    timers.set(
      doc.uri,
      setTimeout(() => {
        timers.delete(doc.uri);
        const current = documents.get(doc.uri);
        if (current) void analyse(current);
      }, delay),
    );
  };

  /** The current result of an open document (analysed now if the text moved on). */
  const resultOf = async (uri: string): Promise<ScenarioResult | null> => {
    const doc = documents.get(uri);
    if (!doc) return (await results.get(uri)?.result) ?? null;
    return analyse(doc);
  };

  connection.onInitialize((params) => {
    rootPath = params.rootUri ? uriPath(params.rootUri) : params.rootPath ?? null;
    const init = params.initializationOptions as { settings?: unknown } | undefined;
    clientSettings = settingsLayer(init?.settings, log);
    runner = engineRunner(opts.wasmDir, log);
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        definitionProvider: true,
        implementationProvider: true,
        referencesProvider: true,
        callHierarchyProvider: true,
        documentSymbolProvider: true,
        codeLensProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        executeCommandProvider: { commands: [SUMMARY_COMMAND, RULE_DOC_COMMAND] },
      },
      serverInfo: { name: 'kpr', version: '0.1.0' },
    };
  });

  connection.onDidChangeConfiguration((p) => {
    const s = (p.settings as { kpr?: unknown } | undefined)?.kpr ?? p.settings;
    clientSettings = settingsLayer(s, log);
    results.clear();
    for (const d of documents.all()) schedule(d, 0);
  });

  documents.onDidOpen((e) => schedule(e.document, 0));
  documents.onDidChangeContent((e) => schedule(e.document, DEBOUNCE_MS));
  documents.onDidSave((e) => schedule(e.document, 0));
  documents.onDidClose((e) => {
    const t = timers.get(e.document.uri);
    if (t) clearTimeout(t);
    timers.delete(e.document.uri);
    results.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.onHover(async (p) => {
    const r = await resultOf(p.textDocument.uri);
    return r ? buildHover(r, p.position.line + 1, p.position.character + 1) : null;
  });

  const locations = (uri: string, ranges: { line: number; column: number; endLine: number; endColumn: number }[]): Location[] => ranges.map((x) => ({ uri, range: lspRange(x) }));

  connection.onDefinition(async (p) => {
    const r = await resultOf(p.textDocument.uri);
    const at = r && targetAt(r, p.position.line + 1, p.position.character + 1);
    return r && at ? locations(p.textDocument.uri, definitions(r, at.target)) : null;
  });
  connection.onImplementation(async (p) => {
    const r = await resultOf(p.textDocument.uri);
    const at = r && targetAt(r, p.position.line + 1, p.position.character + 1);
    return r && at ? locations(p.textDocument.uri, implementations(r, at.target)) : null;
  });
  connection.onReferences(async (p) => {
    const r = await resultOf(p.textDocument.uri);
    const at = r && targetAt(r, p.position.line + 1, p.position.character + 1);
    return r && at ? locations(p.textDocument.uri, references(r, at.target, p.context.includeDeclaration)) : null;
  });

  const toItem = (uri: string, h: HierarchyItem): CallHierarchyItem => ({
    name: h.name,
    kind: h.kind === 'table' ? SymbolKind.Struct : SymbolKind.Function,
    detail: h.detail,
    uri,
    range: lspRange(h.range),
    selectionRange: lspRange(h.selectionRange),
    data: { symbol: h.symbol },
  });
  const symbolOf = (item: CallHierarchyItem): string => ((item.data as { symbol?: string } | undefined)?.symbol ?? item.name.split(' → ').pop() ?? item.name);
  connection.languages.callHierarchy.onPrepare(async (p) => {
    const r = await resultOf(p.textDocument.uri);
    const at = r && targetAt(r, p.position.line + 1, p.position.character + 1);
    if (!r || !at || at.target.kind === 'field') return null;
    const h = hierarchyItem(r, at.target.name);
    return h ? [toItem(p.textDocument.uri, h)] : null;
  });
  connection.languages.callHierarchy.onIncomingCalls(async (p) => {
    const r = await resultOf(p.item.uri);
    if (!r) return null;
    return incomingCalls(r, symbolOf(p.item)).map((c) => ({ from: toItem(p.item.uri, c.item), fromRanges: c.ranges.map(lspRange) }));
  });
  connection.languages.callHierarchy.onOutgoingCalls(async (p) => {
    const r = await resultOf(p.item.uri);
    if (!r) return null;
    return outgoingCalls(r, symbolOf(p.item)).map((c) => ({ to: toItem(p.item.uri, c.item), fromRanges: c.ranges.map(lspRange) }));
  });

  const toSymbol = (s: OutlineSymbol): DocumentSymbol =>
    DocumentSymbol.create(s.name, s.detail, s.kind === 'table' ? SymbolKind.Struct : s.kind === 'member' ? SymbolKind.Field : SymbolKind.Function, lspRange(s.range), lspRange(s.selectionRange), s.children.map(toSymbol));
  connection.onDocumentSymbol(async (p) => {
    const r = await resultOf(p.textDocument.uri);
    return r ? documentSymbols(r).map(toSymbol) : null;
  });

  connection.onCodeLens(async (p) => {
    const r = await resultOf(p.textDocument.uri);
    return r ? buildCodeLenses(p.textDocument.uri, r) : null;
  });

  connection.onCodeAction(async (p) => {
    const doc = documents.get(p.textDocument.uri);
    const r = await resultOf(p.textDocument.uri);
    if (!doc || !r) return null;
    const actions: CodeAction[] = [];
    for (const d of p.context.diagnostics) {
      const data = d.data as FindingData | undefined;
      if (d.source !== 'kpr' || !data || !(RULE_IDS as readonly string[]).includes(data.rule)) continue;
      const rule = data.rule as RuleId;
      const lineText = doc.getText({ start: { line: d.range.start.line, character: 0 }, end: { line: d.range.start.line + 1, character: 0 } }).replace(/\r?\n$/, '');
      actions.push({
        title: `Suppress ${rule} on this line (kpr-ignore comment)`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [d],
        edit: { changes: { [doc.uri]: [{ range: { start: { line: d.range.start.line, character: 0 }, end: { line: d.range.start.line, character: 0 } }, newText: `${suppressionCommentLine(lineText, rule)}\n` }] } },
      });
      const p0 = uriPath(doc.uri);
      const configPath = (p0 && findConfigUpward(path.dirname(p0))) ?? (rootPath ? path.join(rootPath, CONFIG_FILE_NAME) : p0 ? path.join(path.dirname(p0), CONFIG_FILE_NAME) : null);
      if (configPath) {
        const existing = fs.existsSync(configPath) ? fs.readFileSync(configPath, 'utf8') : null;
        const text = configWithSuppression(existing, { rule, function: data.function, anchor: data.anchor, reason: '' });
        if (text !== null) {
          const cfgUri = pathToFileURL(configPath).toString();
          actions.push({
            title: `Suppress ${rule} in ${data.function} in ${CONFIG_FILE_NAME}`,
            kind: CodeActionKind.QuickFix,
            diagnostics: [d],
            edit: {
              documentChanges: [
                ...(existing === null ? [{ kind: 'create' as const, uri: cfgUri, options: { ignoreIfExists: true } }] : []),
                { textDocument: { uri: cfgUri, version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: existing === null ? 0 : existing.split('\n').length, character: 0 } }, newText: text }] },
              ],
            },
          });
        }
      }
      actions.push({ title: `Open the documentation of ${rule}`, kind: CodeActionKind.Empty, diagnostics: [d], command: { title: `Open the documentation of ${rule}`, command: RULE_DOC_COMMAND, arguments: [rule] } });
    }
    return actions;
  });

  connection.onExecuteCommand(async (p) => {
    if (p.command === RULE_DOC_COMMAND) {
      const rule = String(p.arguments?.[0] ?? '');
      await connection.window.showDocument({ uri: rulesDoc(rule), external: false });
      return null;
    }
    if (p.command === SUMMARY_COMMAND) {
      const [uri, name] = (p.arguments ?? []) as [string, string];
      const r = await resultOf(uri);
      if (r) void connection.window.showInformationMessage(scenarioSummary(r, name));
    }
    return null;
  });

  connection.onShutdown(() => {
    runner?.dispose();
    runner = null;
  });

  documents.listen(connection);
  connection.listen();
  return connection;
}
