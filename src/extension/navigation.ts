// Navigation through ops tables and function pointers in VS Code: Go to Definition /
// Implementation, Find References, Call Hierarchy (through the primitives that call a callback)
// and the outline (each ops table with its entry points). A thin adapter over the pure queries in
// src/engine/navigation/query.ts, which `kpr lsp` serves too.
import * as vscode from 'vscode';
import type { ScenarioResult, SourceRange } from '../engine/api/types';
import { definitions, documentSymbols, type HierarchyItem, hierarchyItem, implementations, incomingCalls, type OutlineSymbol, outgoingCalls, references, targetAt } from '../engine/navigation/query';
import { C_SELECTOR } from './analysisService';
import type { ExtensionCtx } from './context';

function range(r: SourceRange): vscode.Range {
  const start = new vscode.Position(Math.max(0, r.line - 1), Math.max(0, r.column - 1));
  const end = new vscode.Position(Math.max(0, r.endLine - 1), Math.max(0, r.endColumn - 1));
  return new vscode.Range(start, end.isBefore(start) ? start : end);
}

/** A call hierarchy item that remembers which function (or table) it stands for. */
class KprHierarchyItem extends vscode.CallHierarchyItem {
  constructor(
    uri: vscode.Uri,
    h: HierarchyItem,
    readonly symbol = h.symbol,
  ) {
    super(h.kind === 'table' ? vscode.SymbolKind.Struct : vscode.SymbolKind.Function, h.name, h.detail, uri, range(h.range), range(h.selectionRange));
  }
}

function symbolOf(item: vscode.CallHierarchyItem): string {
  return item instanceof KprHierarchyItem ? item.symbol : item.name.split(' → ').pop() ?? item.name;
}

function outline(s: OutlineSymbol): vscode.DocumentSymbol {
  const kind = s.kind === 'table' ? vscode.SymbolKind.Struct : s.kind === 'member' ? vscode.SymbolKind.Field : vscode.SymbolKind.Function;
  const sel = range(s.selectionRange);
  let full = range(s.range);
  if (!full.contains(sel)) full = full.union(sel);
  const d = new vscode.DocumentSymbol(s.name, s.detail, kind, full, sel);
  d.children = s.children.map(outline);
  return d;
}

export function activateNavigation(ctx: ExtensionCtx): void {
  const result = (doc: vscode.TextDocument): Promise<ScenarioResult | undefined> => ctx.service.getResult(doc.uri);
  const at = async (doc: vscode.TextDocument, pos: vscode.Position) => {
    const r = await result(doc);
    const t = r ? targetAt(r, pos.line + 1, pos.character + 1) : null;
    return r && t ? { r, t } : undefined;
  };
  const locations = (doc: vscode.TextDocument, ranges: SourceRange[]) => ranges.map((x) => new vscode.Location(doc.uri, range(x)));

  ctx.push(
    vscode.languages.registerDefinitionProvider(C_SELECTOR, {
      async provideDefinition(doc, pos) {
        const a = await at(doc, pos);
        return a ? locations(doc, definitions(a.r, a.t.target)) : undefined;
      },
    }),
    vscode.languages.registerImplementationProvider(C_SELECTOR, {
      async provideImplementation(doc, pos) {
        const a = await at(doc, pos);
        return a ? locations(doc, implementations(a.r, a.t.target)) : undefined;
      },
    }),
    vscode.languages.registerReferenceProvider(C_SELECTOR, {
      async provideReferences(doc, pos, context) {
        const a = await at(doc, pos);
        return a ? locations(doc, references(a.r, a.t.target, context.includeDeclaration)) : undefined;
      },
    }),
    vscode.languages.registerCallHierarchyProvider(C_SELECTOR, {
      async prepareCallHierarchy(doc, pos) {
        const a = await at(doc, pos);
        if (!a || a.t.target.kind === 'field') return undefined;
        const h = hierarchyItem(a.r, a.t.target.name);
        return h ? new KprHierarchyItem(doc.uri, h) : undefined;
      },
      async provideCallHierarchyIncomingCalls(item) {
        const r = await ctx.service.getResult(item.uri);
        if (!r) return [];
        return incomingCalls(r, symbolOf(item)).map((c) => new vscode.CallHierarchyIncomingCall(new KprHierarchyItem(item.uri, c.item), c.ranges.map(range)));
      },
      async provideCallHierarchyOutgoingCalls(item) {
        const r = await ctx.service.getResult(item.uri);
        if (!r) return [];
        return outgoingCalls(r, symbolOf(item)).map((c) => new vscode.CallHierarchyOutgoingCall(new KprHierarchyItem(item.uri, c.item), c.ranges.map(range)));
      },
    }),
    vscode.languages.registerDocumentSymbolProvider(
      C_SELECTOR,
      {
        async provideDocumentSymbols(doc) {
          const r = await result(doc);
          return r ? documentSymbols(r).map(outline) : [];
        },
      },
      { label: 'Kernel Patch Reasoner' },
    ),
  );
}
