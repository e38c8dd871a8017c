// What the panel needs from the rest of the extension: the analysis service's public interface
// (src/extension/analysisService.ts) and somewhere to log.
import type { RuleId } from '../../engine/api/types';
import type { CellKey } from '../../shared/protocol';
import type { AnalysisService } from '../analysisService';

export type PanelAnalysisService = AnalysisService;

/** A scenario to select in the panel; `at`: the finding whose responsible step to select, found once the paths' traces are made. */
export interface PanelSelect {
  cell: CellKey;
  pathId: number | null;
  step?: number;
  at?: { rule: RuleId; line: number; column: number };
}

/** A vscode.LogOutputChannel, or anything with these four methods. */
export interface PanelLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}
