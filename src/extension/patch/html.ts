// The patch view's HTML shell: a strict CSP, one nonce'd script and one stylesheet from the
// webview's own origin (dist/patchView.js, dist/patchView.css). No data is ever written into
// this HTML; the view model arrives by postMessage and is rendered as text. No vscode import.
import { randomBytes } from 'node:crypto';

export interface PatchHtmlParts {
  /** `webview.cspSource`. */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  nonce: string;
}

/** 128 random bits as hex, fresh for every HTML the view gets. */
export function makeNonce(): string {
  return randomBytes(16).toString('hex');
}

/**
 * Nothing by default; scripts only with the nonce; styles only as files from the webview's origin
 * (vscode-elements styles its shadow roots with constructable stylesheets, which style-src does
 * not govern); no fonts, images, frames or connections.
 */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [`default-src 'none'`, `script-src 'nonce-${nonce}'`, `style-src ${cspSource}`].join('; ');
}

function attr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function patchViewHtml(p: PatchHtmlParts): string {
  if (!/^[0-9a-f]{16,}$/i.test(p.nonce)) throw new Error('patchViewHtml: the nonce must be hex');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(p.cspSource, p.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(p.styleUri)}">
<title>Patch</title>
</head>
<body>
<main id="app" aria-label="Kernel Patch Reasoner patch verdicts"></main>
<script nonce="${p.nonce}" src="${attr(p.scriptUri)}"></script>
</body>
</html>
`;
}
