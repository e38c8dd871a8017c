// Typed access to the `kpr.*` settings (schema and effects in configSchema.ts).
import * as vscode from 'vscode';
import { buildConfig, type ChangeEffect, effectOf, type KprConfig, SECTION, type SettingKey } from './configSchema';

export type { KprConfig, ChangeEffect } from './configSchema';
export { analyzeOptions } from './configSchema';

/** Reads the settings for a document's scope (folder settings apply), or the window's. */
export function readConfig(scope?: vscode.ConfigurationScope): KprConfig {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  return buildConfig(<T>(key: SettingKey, fallback: T) => c.get<T>(key, fallback));
}

/** What a configuration change requires: re-running the analysis, re-rendering, or nothing. */
export function changeEffect(e: vscode.ConfigurationChangeEvent): ChangeEffect {
  if (!e.affectsConfiguration(SECTION)) return 'none';
  return effectOf((key) => e.affectsConfiguration(key));
}
