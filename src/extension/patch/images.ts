// Read-only virtual documents for the sides of a change that are not files in the workspace:
// `kpr-pre:` for pre-images (a patch reversed, a HEAD or parent version), `kpr-post:` for
// post-images (a patch applied to its base, a commit's version). The path ends with the file's
// name and a label, e.g. `kpr-pre:/fs/ext4/inode.c (pre-image)?3`; the language is set to C.
import * as vscode from 'vscode';

export const PRE_SCHEME = 'kpr-pre';
export const POST_SCHEME = 'kpr-post';

export class ImageStore implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private next = 1;
  readonly onDidChange = this.changed.event;

  /** Keeps `text` and returns the URI that shows it. `path` is the file's path, `label` what it is. */
  put(scheme: typeof PRE_SCHEME | typeof POST_SCHEME, path: string, label: string, text: string): vscode.Uri {
    const clean = path.replace(/\\/g, '/').replace(/^\/+/, '') || 'file.c';
    const uri = vscode.Uri.from({ scheme, path: `/${clean} (${label})`, query: String(this.next++) });
    this.texts.set(uri.toString(), text);
    return uri;
  }

  has(uri: vscode.Uri): boolean {
    return this.texts.has(uri.toString());
  }

  /** Forgets texts no view refers to any more. */
  release(uris: Iterable<vscode.Uri>): void {
    for (const u of uris) this.texts.delete(u.toString());
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? `/* Kernel Patch Reasoner: this ${uri.scheme === PRE_SCHEME ? 'pre' : 'post'}-image is no longer available (its view was closed); analyse the change again. */\n`;
  }

  register(): vscode.Disposable {
    return vscode.Disposable.from(
      vscode.workspace.registerTextDocumentContentProvider(PRE_SCHEME, this),
      vscode.workspace.registerTextDocumentContentProvider(POST_SCHEME, this),
    );
  }

  dispose(): void {
    this.texts.clear();
    this.changed.dispose();
  }
}
