// The rules, one file each; each reads a path's events and end state plus the file's facts.
import { allocUnderPageLock } from './allocUnderPageLock';
import { creditsExhausted } from './creditsExhausted';
import { dirtyDataDropped } from './dirtyDataDropped';
import { foreignCredits } from './foreignCredits';
import { ioOnUnmappedBuffer } from './ioOnUnmappedBuffer';
import { journalStartUnderPageLock } from './journalStartUnderPageLock';
import { kernelBug } from './kernelBug';
import { pageLockContract } from './pageLockContract';
import type { PathInput, RawFinding, Rule } from './types';

export const RULES: readonly Rule[] = [journalStartUnderPageLock, allocUnderPageLock, foreignCredits, creditsExhausted, kernelBug, pageLockContract, dirtyDataDropped, ioOnUnmappedBuffer];

export function checkPath(path: PathInput): RawFinding[] {
  return RULES.flatMap((r) => r.check(path));
}

export { classifyPath } from './outcome';
export type { PathInput, RawFinding, RuleFacts } from './types';
