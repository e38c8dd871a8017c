// The simulation panel's HTML shell: a strict CSP, one nonce'd script and one stylesheet from the
// webview's own origin. No data is ever written into this HTML; it all arrives by postMessage.
// No `vscode` import, so the browser test loads the very same page.
import { randomBytes } from 'node:crypto';

export interface PanelHtmlParts {
  /** `webview.cspSource`: the origin the webview may load scripts' and styles' files from. */
  cspSource: string;
  /** URI of dist/webview.js as the webview sees it (`webview.asWebviewUri`). */
  scriptUri: string;
  /** URI of dist/webview.css. */
  styleUri: string;
  nonce: string;
}

/** 128 random bits as hex: a fresh one for every HTML the panel gets. */
export function makeNonce(): string {
  return randomBytes(16).toString('hex');
}

/**
 * The Content-Security-Policy: nothing by default; scripts only with the nonce; styles only as
 * files from the webview's origin (vscode-elements styles its shadow roots with constructable
 * stylesheets, which style-src does not govern, so no 'unsafe-inline' is needed); no fonts,
 * images, frames or connections (the panel uses no codicons or images).
 */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [`default-src 'none'`, `script-src 'nonce-${nonce}'`, `style-src ${cspSource}`].join('; ');
}

function attr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function panelHtml(p: PanelHtmlParts): string {
  if (!/^[0-9a-f]{16,}$/i.test(p.nonce)) throw new Error('panelHtml: the nonce must be hex');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(p.cspSource, p.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(p.styleUri)}">
<title>Simulation</title>
</head>
<body>
<main id="app" aria-label="Kernel Patch Reasoner simulation"></main>
<script nonce="${p.nonce}" src="${attr(p.scriptUri)}"></script>
</body>
</html>
`;
}
