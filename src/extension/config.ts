// Typed access to the `kpr.*` settings (schema and effects in configSchema.ts).
import * as vscode from 'vscode';
import { RULE_IDS } from '../engine/api/types';
import type { ConfigKey } from '../shared/kprConfig';
import { buildConfig, type ChangeEffect, effectOf, type KprConfig, SECTION, type SettingKey } from './configSchema';
import { fileValue } from './kprConfigFiles';

export type { KprConfig, ChangeEffect } from './configSchema';
export { analyzeOptions } from './configSchema';

/** Reads the settings for a document's scope (folder settings apply), or the window's. */
export function readConfig(scope?: vscode.ConfigurationScope): KprConfig {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  const uri = scopeUri(scope);
  // A setting set explicitly (user, workspace or folder) wins over the document's .kpr.json,
  // which wins over the setting's default.
  return buildConfig(<T>(key: SettingKey, fallback: T) => {
    const explicit = explicitValue<T>(c, key);
    // Severities merge rule by rule: a rule set in the settings wins, the file's others stay.
    if (key === 'diagnostics.severity') return { ...fileSeverities(uri), ...((explicit as Record<string, unknown> | undefined) ?? {}) } as T;
    if (explicit !== undefined) return explicit;
    const v = fileValue(uri, key as ConfigKey);
    return v !== undefined ? (v as T) : c.get<T>(key, fallback);
  });
}

function scopeUri(scope?: vscode.ConfigurationScope): vscode.Uri | undefined {
  if (!scope) return vscode.window.activeTextEditor?.document.uri;
  if (scope instanceof vscode.Uri) return scope;
  if ('uri' in scope && scope.uri instanceof vscode.Uri) return scope.uri;
  return undefined;
}

function explicitValue<T>(c: vscode.WorkspaceConfiguration, key: string): T | undefined {
  const i = c.inspect<T>(key);
  return i?.workspaceFolderLanguageValue ?? i?.workspaceLanguageValue ?? i?.globalLanguageValue ?? i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
}

function fileSeverities(uri: vscode.Uri | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rule of RULE_IDS) {
    const v = fileValue(uri, `diagnostics.severity.${rule}`);
    if (typeof v === 'string') out[rule] = v;
  }
  return out;
}

/** What a configuration change requires: re-running the analysis, re-rendering, or nothing. */
export function changeEffect(e: vscode.ConfigurationChangeEvent): ChangeEffect {
  if (!e.affectsConfiguration(SECTION)) return 'none';
  return effectOf((key) => e.affectsConfiguration(key));
}
