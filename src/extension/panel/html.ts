// The simulation panel's HTML shell (the shared webview shell with the panel's title).
import { type WebviewHtmlParts, webviewHtml } from '../webviewHtml';

export { contentSecurityPolicy, makeNonce } from '../webviewHtml';
export type PanelHtmlParts = WebviewHtmlParts;

export function panelHtml(p: PanelHtmlParts): string {
  return webviewHtml(p, 'Simulation', 'Kernel Patch Reasoner simulation', 'panelHtml');
}
