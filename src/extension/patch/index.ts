// The patch feature (issue 6): Analyze Patch (a .patch/.diff file, its CodeLens, Explorer and
// editor-title menus), Compare Writepage Verdicts With…, Analyze Working-Tree Change of This File,
// Analyze Commit…; the patch view; diagnostics on the patch's lines. The extension's activate()
// calls activatePatch() once and owns the returned disposable.
import type * as vscode from 'vscode';
import { PatchFeature } from './patchFeature';

export { ANALYZE_COMMIT, ANALYZE_PATCH, ANALYZE_WORKTREE, COMPARE_VERDICTS } from './patchFeature';

export function activatePatch(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): vscode.Disposable {
  return new PatchFeature(context, log);
}
