// Callers and page states as the user picks them, with the engine's own titles. The scenario
// modules are plain data (no parser, no side effects), so importing them keeps the engine out of
// extension.js.
import type { CallerId, PageStateId } from '../engine';
import { CALLERS } from '../engine/scenarios/callers';
import { PAGE_STATES } from '../engine/scenarios/pages';

export const CALLER_TITLES = Object.fromEntries(CALLERS.map((c) => [c.id, { title: c.title, chain: c.chain }])) as Record<CallerId, { title: string; chain: string }>;

export const PAGE_TITLES = Object.fromEntries(PAGE_STATES.map((p) => [p.id, p.title])) as Record<PageStateId, string>;
