// The first start: the "Reason about a writeback patch" walkthrough opens once per profile (unless
// kpr.walkthrough.openOnFirstStart is off), and its first step opens the workspace's inode.c.
import * as vscode from 'vscode';
import { SECTION, type SettingKey } from './configSchema';
import type { ExtensionCtx } from './context';

export const WALKTHROUGH_ID = 'kpr.gettingStarted';
export const OPEN_INODE_COMMAND = 'kpr.openInodeC';
const SHOWN_KEY = 'kpr.walkthroughShown';

/** The workspace's inode.c to start with: the one with the shortest path (sample/inode.c in the demo). */
export async function openInodeC(): Promise<vscode.TextEditor | undefined> {
  const found = await vscode.workspace.findFiles('**/inode.c', '**/node_modules/**', 20);
  found.sort((a, b) => a.path.split('/').length - b.path.split('/').length || a.path.localeCompare(b.path));
  let target = found[0];
  if (!target) {
    const picked = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Open', title: 'No inode.c in this workspace: open an ext4-like C file', filters: { 'C sources': ['c'] } });
    if (!picked?.[0]) return undefined;
    target = picked[0];
  }
  return vscode.window.showTextDocument(await vscode.workspace.openTextDocument(target), { preview: false });
}

/** Opens the walkthrough the first time the extension starts in a profile. */
export function openWalkthroughOnFirstStart(ctx: ExtensionCtx): void {
  const state = ctx.extension.globalState;
  if (state.get<boolean>(SHOWN_KEY)) {
    ctx.log.info('walkthrough: already shown in this profile, not opened again');
    return;
  }
  if (!vscode.workspace.getConfiguration(SECTION).get<boolean>('walkthrough.openOnFirstStart' satisfies SettingKey, true)) {
    ctx.log.info('walkthrough: not opened (kpr.walkthrough.openOnFirstStart is off)');
    return;
  }
  void state.update(SHOWN_KEY, true);
  void vscode.commands.executeCommand('workbench.action.openWalkthrough', `${ctx.extension.extension.id}#${WALKTHROUGH_ID}`, false).then(
    () => ctx.log.info('opened the walkthrough (first start in this profile)'),
    (e) => ctx.log.warn(`could not open the walkthrough: ${String(e)}`),
  );
}
