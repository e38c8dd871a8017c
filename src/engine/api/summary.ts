// Short forms of results for end-of-line displays (Problems rows, the CLI's finding lines): a
// finding's `summary` (≤ 80 characters) from its rule, function and the responsible call, and the
// result's counts. Filled where results are assembled, only where the engine left them empty.
import { countFindings } from './counts';
import type { Finding, ScenarioResult } from './types';

export const SUMMARY_MAX = 80;

/** The callee of an anchor ("ext4_get_blocks_wrap#0" → "ext4_get_blocks_wrap"; "return#2" → "return"). */
export function anchorCallee(anchor: string): string {
  const i = anchor.lastIndexOf('#');
  return i > 0 ? anchor.slice(0, i) : anchor;
}

function cut(s: string, max = SUMMARY_MAX): string {
  if (s.length <= max) return s;
  const room = s.slice(0, max - 1);
  const sp = room.lastIndexOf(' ');
  return `${(sp > max / 2 ? room.slice(0, sp) : room).replace(/[,;:(\s]+$/, '')}…`;
}

/** The first clause of a message (up to the first ": ", "; " or " (" ), cut at 80 characters. */
export function firstClause(message: string, max = SUMMARY_MAX): string {
  const line = message.split('\n')[0];
  const m = /^(.+?)(?::\s|;\s|\s\()/.exec(line);
  const head = m && m[1].length >= 12 ? m[1] : line;
  return cut(head, max);
}

/** "BUG_ON(walk_page_buffers(NULL, page_buffers(page), …)) fires" → "BUG_ON(walk_page_buffers(…)) fires"; null when the message is not of that shape. */
function bugText(message: string): string | null {
  const m = /^((?:BUG_ON|J_ASSERT|BUG|WARN_ON)\(.*\)) fires/.exec(message.split('\n')[0]);
  if (!m) return null;
  if (m[0].length <= SUMMARY_MAX) return m[0];
  // Keep the outer call and the first inner callee, elide the inner arguments.
  const inner = /^(\w+)\((\w+)\(/.exec(m[1]);
  return inner ? `${inner[1]}(${inner[2]}(…)) fires` : null;
}

/** The handle owner the finding's last trace step names (who reserved the credits), if any. */
function owner(f: Finding): string | null {
  for (let i = f.trace.length - 1; i >= 0; i--) if (f.trace[i].handleOwner) return f.trace[i].handleOwner;
  return null;
}

/** What the finding is, in ≤ 80 characters, built from its rule, function and responsible call. */
export function summaryOf(f: Finding): string {
  const callee = anchorCallee(f.anchor);
  const at = callee === 'return' ? `return in ${f.function}` : callee;
  let s: string;
  switch (f.rule) {
    case 'journal-start-under-page-lock':
      s = `${at} starts a journal handle under the page lock`;
      break;
    case 'alloc-under-page-lock':
      s = `${at} allocates a block under the page lock`;
      break;
    case 'foreign-credits': {
      const o = owner(f);
      s = o ? `${at} spends credits ${o} reserved` : `${at} spends credits another operation reserved`;
      break;
    }
    case 'credits-exhausted':
      s = `${at} runs the journal handle out of credits (J_ASSERT)`;
      break;
    case 'kernel-bug':
      s = callee === 'page_buffers' ? 'page_buffers() on a page without buffers: BUG' : bugText(f.message) ?? `kernel BUG reachable at ${at}`;
      break;
    case 'page-lock-contract':
      s = callee === 'return' ? `${f.function} returns with the page still locked` : `${at}: page lock not held as ->writepage requires`;
      break;
    case 'dirty-data-dropped': {
      const blocks = /^dirty data of (blocks? [\d, ]+?) (is|are) /.exec(f.message)?.[1];
      s = `${blocks ? `data of ${blocks}` : 'dirty data'} lost: neither submitted nor redirtied`;
      break;
    }
    case 'io-on-unmapped-buffer':
      s = `${at} submits write I/O for an unmapped or delayed buffer`;
      break;
    default:
      s = firstClause(f.message);
  }
  return cut(s);
}

/** The text for an end-of-line display: the engine's summary when it gave one, else derived. */
export function shortText(f: Finding): string {
  return f.summary ? cut(f.summary) : summaryOf(f);
}

/** Fills `summary` on every finding that has none, and the result's counts. */
export function addSummaries(result: ScenarioResult): ScenarioResult {
  for (const run of result.runs) for (const f of run.findings) if (!f.summary) f.summary = summaryOf(f);
  result.summary = countFindings(result);
  return result;
}
