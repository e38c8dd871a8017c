// The simulation panel's last selection per file, kept by the extension host on disk
// (context.globalStorageUri), written synchronously on every change. The webview's own state
// (vscode.setState) reaches the workbench's storage asynchronously, and a window reload right
// after a step can restore the state before it; this store is the latest, so a restored panel
// re-selects what the user last saw, step included.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type PanelState, validatePanelState } from '../../shared/protocol';

export class PanelStateStore {
  private readonly file: string | undefined;
  private states: Record<string, PanelState> = {};

  constructor(dir: string | undefined) {
    this.file = dir ? path.join(dir, 'panel-state.json') : undefined;
    if (!this.file) return;
    try {
      const raw = JSON.parse(fs.readFileSync(this.file, 'utf8')) as Record<string, unknown>;
      for (const [uri, s] of Object.entries(raw)) {
        const v = validatePanelState(s);
        if (v.ok && v.value.uri === uri) this.states[uri] = v.value;
      }
    } catch {
      /* none yet, or unreadable: start empty */
    }
  }

  get(uri: string): PanelState | undefined {
    return this.states[uri];
  }

  set(state: PanelState): void {
    this.states[state.uri] = state;
    if (!this.file) return;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      fs.writeFileSync(this.file, JSON.stringify(this.states));
    } catch {
      /* a read-only profile: the webview's own state still restores the panel */
    }
  }
}
