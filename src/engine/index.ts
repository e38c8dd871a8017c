// Public entry of the engine: parse a C file, discover writepage entries and get_block
// callbacks, run every scenario, return plain serialisable results. Never imports vscode.
export * from './api/types';
export { analyzeSource, initEngine, PathTraces } from './analyze';
export { IncrementalAnalysis, type ReuseStats } from './incremental/session';
export { compareResults } from './diff/compare';
export { analyzePatch, mentionedFunctions, type PatchSource } from './diff/patchAnalysis';
export { analyzePatchSeries, sideOf, type SeriesPatchResult } from './diff/patchSeries';
export type { NoSource } from './diff/patchAnalysis';
export { buildStories, type FindingStory, type SeriesCommitChanges, type StoryEvent } from './diff/story';
export { bindingsOfSource, type BindingsResult, type CallBinding, type PathBindings } from './binding/callBindings';
