// The HTML shell of every webview of the extension: a strict CSP, one nonce'd script and one
// stylesheet from the webview's own origin. No data is ever written into this HTML; it all
// arrives by postMessage. No `vscode` import, so the browser tests load the very same page.
import { randomBytes } from 'node:crypto';

export interface WebviewHtmlParts {
  /** `webview.cspSource`: the origin the webview may load scripts' and styles' files from. */
  cspSource: string;
  /** URI of the view's script in dist/ as the webview sees it (`webview.asWebviewUri`). */
  scriptUri: string;
  /** URI of its stylesheet in dist/. */
  styleUri: string;
  nonce: string;
}

/** 128 random bits as hex: a fresh one for every HTML a webview gets. */
export function makeNonce(): string {
  return randomBytes(16).toString('hex');
}

/**
 * The Content-Security-Policy: nothing by default; scripts only with the nonce; styles only as
 * files from the webview's origin (vscode-elements styles its shadow roots with constructable
 * stylesheets, which style-src does not govern, so no 'unsafe-inline' is needed); no fonts,
 * images, frames or connections (the views use no codicons or images).
 */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [`default-src 'none'`, `script-src 'nonce-${nonce}'`, `style-src ${cspSource}`].join('; ');
}

function attr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The page; `title` and `label` are the extension's own constants, never file content. */
export function webviewHtml(p: WebviewHtmlParts, title: string, label: string, caller: string): string {
  if (!/^[0-9a-f]{16,}$/i.test(p.nonce)) throw new Error(`${caller}: the nonce must be hex`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(p.cspSource, p.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(p.styleUri)}">
<title>${attr(title)}</title>
</head>
<body>
<main id="app" aria-label="${attr(label)}"></main>
<script nonce="${p.nonce}" src="${attr(p.scriptUri)}"></script>
</body>
</html>
`;
}
