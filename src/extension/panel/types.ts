// What the panel needs from the rest of the extension: the analysis service's public interface
// (src/extension/analysisService.ts) and somewhere to log.
import type { AnalysisService } from '../analysisService';

export type PanelAnalysisService = AnalysisService;

/** A vscode.LogOutputChannel, or anything with these four methods. */
export interface PanelLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}
