// The patch view's HTML shell (the shared webview shell with the patch view's title); the view
// model arrives by postMessage and is rendered as text.
import { type WebviewHtmlParts, webviewHtml } from '../webviewHtml';

export { contentSecurityPolicy, makeNonce } from '../webviewHtml';
export type PatchHtmlParts = WebviewHtmlParts;

export function patchViewHtml(p: PatchHtmlParts): string {
  return webviewHtml(p, 'Patch', 'Kernel Patch Reasoner patch verdicts', 'patchViewHtml');
}
