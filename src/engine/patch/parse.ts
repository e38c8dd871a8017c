// Unified-diff parser: git format-patch mails, git show/diff output, plain diff -u output.
// Pure: text in, plain data out; never throws on malformed input (see ParsedPatch.errors).

/** One body line of a hunk. */
export interface HunkLine {
  /** ' ' context, '-' only in the old file (pre-image), '+' only in the new file (post-image). */
  kind: ' ' | '-' | '+';
  /** The line text without the leading marker and without its line ending (CR stripped too). */
  text: string;
  /** 1-based line of this body line in the patch file. */
  patchLine: number;
  /** Set when a `\ No newline at end of file` marker follows this line. */
  noNewline?: true;
}

export interface Hunk {
  /** As written in the `@@ -oldStart,oldLines +newStart,newLines @@` header (0 when the header has no numbers). */
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** Text after the second `@@` (often the enclosing function), trimmed; '' when absent. */
  header: string;
  lines: HunkLine[];
  /** 1-based patch-file line of the `@@` header. */
  patchLine: number;
  /**
   * False for a bare `@@` header (no line numbers): the hunk is then located by searching its
   * context, oldStart/newStart are 0 and oldLines/newLines are counted from the body.
   */
  hasLineNumbers: boolean;
}

export interface FilePatch {
  /** Path with the `a/` prefix stripped; '/dev/null' for a created file; '' when unknown. */
  oldPath: string;
  /** Path with the `b/` prefix stripped; '/dev/null' for a deleted file; '' when unknown. */
  newPath: string;
  hunks: Hunk[];
  /** 1-based patch-file line where this file's section starts (`diff --git`, `---`, ...). */
  patchLine: number;
  isNew: boolean;
  isDeleted: boolean;
  isRename: boolean;
  isBinary: boolean;
  oldMode: string | null;
  newMode: string | null;
  /** The value of a git `index abc123..def456 100644` line, or null. */
  index: string | null;
}

export interface PatchError {
  /** 1-based patch-file line the problem was found at. */
  line: number;
  message: string;
}

export interface ParsedPatch {
  /** Mail `Subject:` (with `[PATCH ...]` removed) or the first line of the commit message. */
  subject: string | null;
  /** Commit message body after the subject (trailers such as Signed-off-by included). */
  message: string | null;
  /** `From:` of a mail, `Author:` of `git show` output. */
  author: string | null;
  /** `Date:` header as written. */
  date: string | null;
  files: FilePatch[];
  errors: PatchError[];
}


// ---------------------------------------------------------------------------------------------
// Parser

const MAIL_HEADER_RE =
  /^(From|Subject|Date|To|Cc|Bcc|Reply-To|Sender|Message-I[dD]|In-Reply-To|References|MIME-Version|Content-Type|Content-Transfer-Encoding|Return-Path|Received|Delivered-To|List-[A-Za-z-]+|X-[A-Za-z0-9-]+|Mail-Followup-To|Organization|User-Agent):[ \t]?(.*)$/;
const NUMBERED_HUNK_RE = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$/;

/**
 * Parse a unified diff: a `git format-patch` mail, `git show` / `git diff` output, or plain
 * `diff -u` output. Never throws; anything that cannot be understood becomes an `errors` entry
 * (with its 1-based patch line) and everything else is kept.
 */
export function parsePatch(text: string): ParsedPatch {
  const raw = text.split('\n');
  if (raw.length > 0 && raw[raw.length - 1] === '') raw.pop();
  const lines = raw.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const errors: PatchError[] = [];
  const files: FilePatch[] = [];

  let first = 0;
  while (first < lines.length && !isFileStart(lines, first)) first++;
  const pre = parsePreamble(lines.slice(0, first));

  const p = new SectionParser(lines, files, errors);
  p.run(first);

  errors.sort((a, b) => a.line - b.line);
  return { subject: pre.subject, message: pre.message, author: pre.author, date: pre.date, files, errors };
}

function isHeaderPair(lines: string[], i: number): boolean {
  return lines[i].startsWith('--- ') && i + 1 < lines.length && lines[i + 1].startsWith('+++ ');
}

/** Does the diff itself (the end of the commit message / mail preamble) start at line i? */
function isFileStart(lines: string[], i: number): boolean {
  const l = lines[i];
  if (l.startsWith('diff ') && /^diff (--git |--cc |--combined |-)/.test(l)) return true;
  if (l.startsWith('Index: ')) return true;
  if (isHeaderPair(lines, i)) return true;
  // A hunk with no file header at all.
  if (NUMBERED_HUNK_RE.test(l) || l === '@@' || l.startsWith('@@ @@')) return true;
  return false;
}

/** Trailing `-- ` mail signature (followed by a git version, a blank line or the end). */
function isSignature(lines: string[], i: number): boolean {
  if (lines[i] !== '-- ') return false;
  return i + 1 >= lines.length || lines[i + 1] === '' || /^\d+(\.\d+)+/.test(lines[i + 1]);
}

/** `---`/`+++` pair immediately followed by a hunk header: certainly a file header. */
function isFileHeaderBeforeHunk(lines: string[], i: number): boolean {
  return isHeaderPair(lines, i) && i + 2 < lines.length && lines[i + 2].startsWith('@@');
}

function isBodyLike(l: string): boolean {
  const c = l.charAt(0);
  return c === ' ' || c === '-' || c === '+' || c === '\\';
}

interface GarbageBlock {
  start: number;
  end: number;
  count: number;
  first: string;
  bodyLike: boolean;
}

class SectionParser {
  private cur: FilePatch | null = null;
  /** The current file was started by a diff/Index line and still waits for its ---/+++ pair. */
  private awaitingHeader = false;
  private mode: 'normal' | 'skip' | 'signature' = 'normal';
  private garbage: GarbageBlock | null = null;

  constructor(
    private readonly L: string[],
    private readonly files: FilePatch[],
    private readonly errors: PatchError[],
  ) {}

  private err(line: number, message: string): void {
    this.errors.push({ line, message });
  }

  private newFile(patchLine: number, oldPath: string, newPath: string): FilePatch {
    const f: FilePatch = {
      oldPath,
      newPath,
      hunks: [],
      patchLine,
      isNew: oldPath === '/dev/null',
      isDeleted: newPath === '/dev/null',
      isRename: false,
      isBinary: false,
      oldMode: null,
      newMode: null,
      index: null,
    };
    this.files.push(f);
    this.cur = f;
    return f;
  }

  private flushGarbage(beforeHunk: boolean): void {
    const g = this.garbage;
    this.garbage = null;
    if (!g || !(beforeHunk || g.bodyLike)) return;
    const where = g.count === 1 ? `line ${g.start}` : `lines ${g.start}-${g.end}`;
    const what = g.bodyLike ? 'diff lines outside any hunk' : 'unexpected text between hunks';
    this.err(g.start, `${what} (${where}) ignored: ${quote(g.first)}`);
  }

  run(start: number): void {
    const L = this.L;
    let i = start;
    while (i < L.length) {
      const l = L[i];
      const lineNo = i + 1;

      if (l.startsWith('diff --git ')) {
        this.flushGarbage(false);
        this.mode = 'normal';
        const paths = parseGitDiffLine(l.slice('diff --git '.length));
        const [o, n] = paths ? stripPrefixes(paths[0], paths[1]) : ['', ''];
        if (!paths) this.err(lineNo, `cannot read the file names in ${quote(l)}`);
        this.newFile(lineNo, o, n);
        this.awaitingHeader = true;
        i++;
        continue;
      }
      if (/^diff (--cc|--combined) /.test(l)) {
        this.flushGarbage(false);
        this.err(lineNo, `combined (merge) diffs are not supported; section skipped: ${quote(l)}`);
        this.cur = null;
        this.mode = 'skip';
        i++;
        continue;
      }
      if (/^diff -/.test(l) || l.startsWith('Index: ')) {
        this.flushGarbage(false);
        this.mode = 'normal';
        let o = '';
        let n = '';
        if (l.startsWith('Index: ')) {
          o = n = l.slice('Index: '.length).trim();
        } else {
          const toks = l.split(/\s+/).filter((t) => t && !t.startsWith('-'));
          if (toks.length >= 3) [o, n] = stripPrefixes(toks[toks.length - 2], toks[toks.length - 1]);
        }
        this.newFile(lineNo, o, n);
        this.awaitingHeader = true;
        i++;
        if (i < L.length && /^={5,}\s*$/.test(L[i])) i++;
        continue;
      }
      if (isHeaderPair(L, i) && this.mode === 'normal') {
        this.flushGarbage(false);
        this.mode = 'normal';
        const [o, n] = stripPrefixes(parseHeaderPath(l.slice(4)), parseHeaderPath(L[i + 1].slice(4)));
        if (this.cur && this.awaitingHeader && this.cur.hunks.length === 0) {
          // Keep git's own names for /dev/null sides; take the ---/+++ names otherwise.
          if (o) this.cur.oldPath = o;
          if (n) this.cur.newPath = n;
          if (o === '/dev/null') this.cur.isNew = true;
          if (n === '/dev/null') this.cur.isDeleted = true;
        } else {
          this.newFile(lineNo, o, n);
        }
        this.awaitingHeader = false;
        i += 2;
        continue;
      }
      if (this.mode === 'skip' || this.mode === 'signature') {
        i++;
        continue;
      }
      if (l.startsWith('@@')) {
        this.flushGarbage(true);
        if (!this.cur) {
          this.err(lineNo, 'hunk without a file header (no ---/+++ or diff --git line before it); file name unknown');
          this.newFile(lineNo, '', '');
        }
        this.awaitingHeader = false;
        i = this.readHunk(i, this.cur as FilePatch);
        continue;
      }
      if (isSignature(L, i)) {
        this.flushGarbage(false);
        this.mode = 'signature';
        i++;
        continue;
      }
      if (this.cur && this.cur.hunks.length === 0 && this.extendedHeader(l, lineNo)) {
        i++;
        continue;
      }
      if (l.trim() === '') {
        i++;
        continue;
      }
      if (this.cur && this.cur.hunks.length > 0) {
        const bodyLike = isBodyLike(l);
        if (!this.garbage) this.garbage = { start: lineNo, end: lineNo, count: 1, first: l, bodyLike };
        else {
          this.garbage.end = lineNo;
          this.garbage.count++;
          this.garbage.bodyLike ||= bodyLike;
        }
      } else if (l.startsWith('--- ') && this.cur === null) {
        this.err(lineNo, `file header ${quote(l)} is not followed by a +++ line`);
      }
      // Otherwise: text between files (e.g. "Only in ...", mail text): ignored like GNU patch.
      i++;
    }
    this.flushGarbage(false);
  }

  /** git extended header lines between `diff --git` and `---`. Returns true when consumed. */
  private extendedHeader(l: string, lineNo: number): boolean {
    const f = this.cur as FilePatch;
    let m: RegExpExecArray | null;
    if ((m = /^old mode (\d+)/.exec(l))) f.oldMode = m[1];
    else if ((m = /^new mode (\d+)/.exec(l))) f.newMode = m[1];
    else if ((m = /^deleted file mode (\d+)/.exec(l))) {
      f.oldMode = m[1];
      f.isDeleted = true;
      f.newPath = '/dev/null';
    } else if ((m = /^new file mode (\d+)/.exec(l))) {
      f.newMode = m[1];
      f.isNew = true;
      f.oldPath = '/dev/null';
    } else if ((m = /^index (\S+)(?: (\d+))?/.exec(l))) {
      f.index = m[1];
      if (m[2] && !f.oldMode) f.oldMode = f.newMode = m[2];
    } else if (/^(dis)?similarity index /.test(l)) {
      /* informational */
    } else if ((m = /^(rename|copy) from (.*)$/.exec(l))) {
      f.oldPath = unquotePath(m[2]);
      if (m[1] === 'rename') f.isRename = true;
    } else if ((m = /^(rename|copy) to (.*)$/.exec(l))) {
      f.newPath = unquotePath(m[2]);
      if (m[1] === 'rename') f.isRename = true;
    } else if ((m = /^Binary files (.*) and (.*) differ$/.exec(l))) {
      f.isBinary = true;
      if (!f.oldPath && !f.newPath) [f.oldPath, f.newPath] = stripPrefixes(unquotePath(m[1]), unquotePath(m[2]));
      this.err(lineNo, `binary patch for ${f.newPath || f.oldPath || 'a file'} has no textual hunks; it cannot be applied`);
    } else if (l === 'GIT binary patch') {
      f.isBinary = true;
      this.err(lineNo, `binary patch (GIT binary patch) for ${f.newPath || f.oldPath || 'a file'} is not supported; skipped`);
      this.mode = 'skip';
    } else return false;
    return true;
  }

  /** Read the hunk whose `@@` header is at index i; returns the index after its body. */
  private readHunk(i: number, file: FilePatch): number {
    const L = this.L;
    const headerLine = L[i];
    const patchLine = i + 1;
    const hunkNo = file.hunks.length + 1;
    const m = NUMBERED_HUNK_RE.exec(headerLine);
    const hunk: Hunk = {
      oldStart: 0,
      oldLines: 0,
      newStart: 0,
      newLines: 0,
      header: '',
      lines: [],
      patchLine,
      hasLineNumbers: !!m,
    };
    if (m) {
      hunk.oldStart = Number(m[1]);
      hunk.oldLines = m[2] === undefined ? 1 : Number(m[2]);
      hunk.newStart = Number(m[3]);
      hunk.newLines = m[4] === undefined ? 1 : Number(m[4]);
      hunk.header = m[5].trim();
    } else {
      const rest = headerLine.slice(2);
      const second = rest.indexOf('@@');
      hunk.header = (second >= 0 ? rest.slice(second + 2) : rest).trim();
      const between = second >= 0 ? rest.slice(0, second) : rest;
      if (/^\s*[-+]?\d/.test(between)) {
        this.err(patchLine, `malformed hunk header ${quote(headerLine)}; its line numbers are ignored and its context is searched for`);
        if (second < 0) hunk.header = '';
      }
    }
    const fileName = file.newPath && file.newPath !== '/dev/null' ? file.newPath : file.oldPath;
    const label = `hunk #${hunkNo}${fileName ? ` of ${fileName}` : ''} (${hunkLabel(hunk)})`;

    let j = i + 1;
    let oldRem = hunk.oldLines;
    let newRem = hunk.newLines;
    const push = (kind: HunkLine['kind'], text: string): void => {
      hunk.lines.push({ kind, text, patchLine: j + 1 });
    };
    const markNoNewline = (): boolean => {
      if (!L[j].startsWith('\\')) return false;
      const last = hunk.lines[hunk.lines.length - 1];
      if (last) last.noNewline = true;
      else this.err(j + 1, `${quote(L[j])} before any line of ${label}`);
      j++;
      return true;
    };

    // 1. Strict phase (numbered hunks): exactly as many lines as the header declares.
    if (hunk.hasLineNumbers) {
      while (j < L.length && (oldRem > 0 || newRem > 0)) {
        if (markNoNewline()) continue;
        const l = L[j];
        const c = l.charAt(0);
        if ((l === '' || c === ' ') && oldRem > 0 && newRem > 0) {
          push(' ', l.slice(1));
          oldRem--;
          newRem--;
        } else if (c === '-' && oldRem > 0 && !isSignature(L, j) && !isFileHeaderBeforeHunk(L, j)) {
          push('-', l.slice(1));
          oldRem--;
        } else if (c === '+' && newRem > 0) {
          push('+', l.slice(1));
          newRem--;
        } else break;
        j++;
      }
    }

    // 2. Lines beyond the declared counts (or the whole body of a hunk without numbers).
    const overflowStart = j;
    while (j < L.length) {
      if (markNoNewline()) continue;
      const l = L[j];
      const c = l.charAt(0);
      if (isSignature(L, j) || isHeaderPair(L, j)) break;
      if (c === ' ' || c === '-' || c === '+') {
        push(c, l.slice(1));
        j++;
        continue;
      }
      if (l === '' && !hunk.hasLineNumbers) {
        // A blank line inside an unnumbered hunk is an empty context line whose leading space
        // was stripped, provided more hunk lines follow.
        let k = j;
        while (k < L.length && L[k] === '') k++;
        if (k < L.length && (L[k].charAt(0) === ' ' || L[k].charAt(0) === '-' || L[k].charAt(0) === '+') && !isHeaderPair(L, k) && !isSignature(L, k)) {
          while (j < k) {
            push(' ', '');
            j++;
          }
          continue;
        }
      }
      break;
    }

    const oldCount = hunk.lines.filter((x) => x.kind !== '+').length;
    const newCount = hunk.lines.filter((x) => x.kind !== '-').length;
    if (!hunk.hasLineNumbers) {
      hunk.oldLines = oldCount;
      hunk.newLines = newCount;
      if (hunk.lines.length === 0) this.err(patchLine, `${label} has no body lines`);
    } else if (oldCount !== hunk.oldLines || newCount !== hunk.newLines) {
      const body = `header declares ${hunk.oldLines} old and ${hunk.newLines} new lines, body has ${oldCount} old and ${newCount} new`;
      if (j > overflowStart && oldRem <= 0 && newRem <= 0) {
        this.err(overflowStart + 1, `${label} has more lines than its header says (${body}); the extra lines are kept`);
      } else if (j > overflowStart) {
        this.err(overflowStart + 1, `${label} line counts do not match its body (${body})`);
      } else if (j >= L.length) {
        this.err(L.length, `${label} is truncated: the patch ends inside it (${body})`);
      } else {
        this.err(j + 1, `${label} is truncated at ${quote(L[j])} (${body})`);
      }
    }

    // Hunks of one file must be in order and must not overlap.
    const prev = file.hunks[file.hunks.length - 1];
    if (prev && prev.hasLineNumbers && hunk.hasLineNumbers && hunk.oldLines > 0 && hunk.oldStart < prev.oldStart + prev.oldLines) {
      this.err(patchLine, `${label} starts at old line ${hunk.oldStart}, before the end of hunk #${hunkNo - 1} (old lines ${prev.oldStart}-${prev.oldStart + prev.oldLines - 1}): misordered or overlapping hunks`);
    }
    file.hunks.push(hunk);
    return j;
  }
}

/**
 * The file section of `patch` that concerns `path`: an exact old/new path match, else one whose
 * path is a suffix of `path` (an absolute local path) or has `path` as its trailing segments.
 */
export function findFilePatch(patch: ParsedPatch, path: string): FilePatch | null {
  const want = path.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
  const names = (f: FilePatch): string[] => [f.newPath, f.oldPath].filter((n) => n && n !== '/dev/null');
  for (const f of patch.files) if (names(f).includes(want)) return f;
  let best: FilePatch | null = null;
  let bestLen = 0;
  for (const f of patch.files) {
    for (const n of names(f)) {
      const len = n.endsWith('/' + want) ? want.length : want.endsWith('/' + n) ? n.length : 0;
      if (len > bestLen) {
        best = f;
        bestLen = len;
      }
    }
  }
  return best;
}

/** `@@ -a,b +c,d @@ header` as written in the patch (header shortened). */
export function hunkLabel(h: Hunk): string {
  const range = (s: number, n: number): string => (n === 1 ? `${s}` : `${s},${n}`);
  let head = h.hasLineNumbers ? `@@ -${range(h.oldStart, h.oldLines)} +${range(h.newStart, h.newLines)} @@` : '@@';
  if (h.header) head += ' ' + (h.header.length > 40 ? h.header.slice(0, 37) + '...' : h.header);
  return head;
}

function quote(s: string): string {
  const t = s.length > 60 ? s.slice(0, 57) + '...' : s;
  return JSON.stringify(t);
}

// ---------------------------------------------------------------------------------------------
// File names

/** Strip `a/` and `b/` when both sides carry them (or the other side is /dev/null). */
function stripPrefixes(o: string, n: string): [string, string] {
  const okOld = o === '/dev/null' || o.startsWith('a/');
  const okNew = n === '/dev/null' || n.startsWith('b/');
  if (okOld && okNew && !(o === '/dev/null' && n === '/dev/null')) {
    return [o === '/dev/null' ? o : o.slice(2), n === '/dev/null' ? n : n.slice(2)];
  }
  return [o, n];
}

/** The name on a `---`/`+++` line: up to a tab (timestamp), or a quoted C string. */
function parseHeaderPath(s: string): string {
  if (s.startsWith('"')) {
    const q = readQuoted(s, 0);
    if (q) return q.value;
  }
  let name = s.includes('\t') ? s.slice(0, s.indexOf('\t')) : s;
  // `diff -u` with spaces before the timestamp.
  name = name.replace(/\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?( [+-]\d{4})?\s*$/, '');
  return name.trimEnd();
}

function unquotePath(s: string): string {
  s = s.trimEnd();
  if (s.startsWith('"')) {
    const q = readQuoted(s, 0);
    if (q) return q.value;
  }
  return s;
}

/** Read a git-style C-quoted string starting at s[i] === '"'. */
function readQuoted(s: string, i: number): { value: string; end: number } | null {
  const bytes: number[] = [];
  const enc = new TextEncoder();
  let k = i + 1;
  while (k < s.length) {
    const ch = s[k];
    if (ch === '"') return { value: new TextDecoder().decode(new Uint8Array(bytes)), end: k + 1 };
    if (ch === '\\' && k + 1 < s.length) {
      const e = s[k + 1];
      const simple: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, '\\': 92, '"': 34 };
      if (e in simple) {
        bytes.push(simple[e]);
        k += 2;
        continue;
      }
      const oct = /^[0-7]{1,3}/.exec(s.slice(k + 1));
      if (oct) {
        bytes.push(parseInt(oct[0], 8) & 0xff);
        k += 1 + oct[0].length;
        continue;
      }
      bytes.push(92);
      k++;
      continue;
    }
    bytes.push(...enc.encode(ch));
    k++;
  }
  return null;
}

/** Split the operands of `diff --git A B`. */
function parseGitDiffLine(rest: string): [string, string] | null {
  rest = rest.trimEnd();
  if (rest.startsWith('"')) {
    const a = readQuoted(rest, 0);
    if (!a) return null;
    const tail = rest.slice(a.end).trimStart();
    return [a.value, unquotePath(tail)];
  }
  const q = rest.indexOf(' "');
  if (q >= 0) {
    const b = readQuoted(rest, q + 1);
    if (b) return [rest.slice(0, q), b.value];
  }
  // Unquoted names may contain spaces: prefer the split where both sides name the same path.
  for (let k = rest.indexOf(' '); k >= 0; k = rest.indexOf(' ', k + 1)) {
    const a = rest.slice(0, k);
    const b = rest.slice(k + 1);
    if (a.length === b.length && a.slice(2) === b.slice(2)) return [a, b];
  }
  const k = rest.indexOf(' b/');
  if (k >= 0) return [rest.slice(0, k), rest.slice(k + 1)];
  const sp = rest.split(' ');
  if (sp.length === 2) return [sp[0], sp[1]];
  return null;
}

// ---------------------------------------------------------------------------------------------
// Commit message / mail headers

interface Preamble {
  subject: string | null;
  message: string | null;
  author: string | null;
  date: string | null;
}

function parsePreamble(P: string[]): Preamble {
  const out: Preamble = { subject: null, message: null, author: null, date: null };
  let k = 0;
  while (k < P.length && P[k].trim() === '') k++;
  if (k < P.length && /^From [0-9a-f]{7,40} /.test(P[k])) k++;

  // `git show` / `git log -p`: commit line, Author/Date, indented message.
  if (k < P.length && /^commit [0-9a-f]{7,40}\b/.test(P[k])) {
    k++;
    while (k < P.length && P[k].trim() !== '') {
      const m = /^([A-Za-z]+):\s*(.*)$/.exec(P[k]);
      if (m && m[1] === 'Author') out.author = normaliseAuthor(m[2]);
      if (m && (m[1] === 'Date' || m[1] === 'AuthorDate')) out.date = m[2].trim();
      k++;
    }
    const msg: string[] = [];
    for (; k < P.length; k++) {
      if (P[k].trim() === '') msg.push('');
      else if (P[k].startsWith('    ')) msg.push(P[k].slice(4));
      else break;
    }
    splitSubjectBody(msg, out);
    return out;
  }

  // Mail headers (git format-patch / git send-email).
  const headers = readMailHeaders(P, k);
  if (headers) {
    k = headers.end;
    const get = (name: string): string | undefined => headers.fields.find((f) => f.name.toLowerCase() === name)?.value;
    const from = get('from');
    const subject = get('subject');
    const date = get('date');
    if (from !== undefined) out.author = normaliseAuthor(decodeMimeWords(from));
    if (date !== undefined) out.date = date.trim();
    if (subject !== undefined) out.subject = cleanSubject(decodeMimeWords(subject)) || null;
    let body = takeUntilSeparator(P.slice(k));
    // In-body "From:" / "Subject:" / "Date:" lines override the mail's (forwarded patches).
    let b = 0;
    while (b < body.length && body[b].trim() === '') b++;
    const inBody = readMailHeaders(body, b, true);
    if (inBody) {
      for (const f of inBody.fields) {
        const n = f.name.toLowerCase();
        if (n === 'from') out.author = normaliseAuthor(decodeMimeWords(f.value));
        else if (n === 'subject') out.subject = cleanSubject(decodeMimeWords(f.value)) || out.subject;
        else if (n === 'date') out.date = f.value.trim();
      }
      body = body.slice(inBody.end);
    }
    out.message = joinTrimmed(body);
    if (out.subject === null) splitSubjectBody(body, out);
    return out;
  }

  // Free text before the diff (e.g. a commit message pasted above `git diff` output).
  splitSubjectBody(takeUntilSeparator(P.slice(k)), out);
  return out;
}

function readMailHeaders(
  P: string[],
  k: number,
  inBody = false,
): { fields: { name: string; value: string }[]; end: number } | null {
  const fields: { name: string; value: string }[] = [];
  let j = k;
  while (j < P.length && P[j].trim() !== '') {
    const m = MAIL_HEADER_RE.exec(P[j]);
    if (m) fields.push({ name: m[1], value: m[2] });
    else if (/^[ \t]/.test(P[j]) && fields.length > 0) fields[fields.length - 1].value += ' ' + P[j].trim();
    else return null;
    j++;
  }
  if (fields.length === 0) return null;
  const names = fields.map((f) => f.name.toLowerCase());
  if (inBody) {
    if (!fields.every((f) => ['from', 'subject', 'date'].includes(f.name.toLowerCase()))) return null;
    if (j >= P.length) return null; // an in-body header block must be followed by a blank line
  } else if (!names.includes('from') && !names.includes('subject')) return null;
  return { fields, end: j < P.length ? j + 1 : j };
}

/** Lines up to the `---` line that separates the message from the diffstat. */
function takeUntilSeparator(P: string[]): string[] {
  const sep = P.findIndex((l) => /^---\s*$/.test(l));
  return sep >= 0 ? P.slice(0, sep) : P;
}

function splitSubjectBody(msg: string[], out: Preamble): void {
  let a = 0;
  while (a < msg.length && msg[a].trim() === '') a++;
  if (a >= msg.length) return;
  let b = a;
  while (b < msg.length && msg[b].trim() !== '') b++;
  out.subject = cleanSubject(msg.slice(a, b).map((s) => s.trim()).join(' ')) || null;
  out.message = joinTrimmed(msg.slice(b));
}

function joinTrimmed(lines: string[]): string | null {
  let a = 0;
  let b = lines.length;
  while (a < b && lines[a].trim() === '') a++;
  while (b > a && lines[b - 1].trim() === '') b--;
  if (a >= b) return null;
  return lines
    .slice(a, b)
    .map((l) => l.trimEnd())
    .join('\n');
}

function cleanSubject(s: string): string {
  return s
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(\[[^\]]*\]\s*)+/, '')
    .trim();
}

/** `"Theodore Ts'o" <tytso@mit.edu>` -> `Theodore Ts'o <tytso@mit.edu>`. */
function normaliseAuthor(s: string): string {
  s = s.trim();
  const m = /^"(.*)"\s*(<[^>]*>)$/.exec(s);
  return m ? `${m[1].replace(/\\(.)/g, '$1')} ${m[2]}` : s;
}

/** RFC 2047 encoded words (`=?UTF-8?q?Ts=27o?=`). */
function decodeMimeWords(s: string): string {
  return s
    .replace(/(=\?[^?\s]+\?[QqBb]\?[^?\s]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?\s]+)\?([QqBb])\?([^?\s]*)\?=/g, (whole, charset: string, enc: string, data: string) => {
      try {
        let bytes: number[];
        if (enc.toUpperCase() === 'Q') {
          bytes = [];
          const t = data.replace(/_/g, ' ');
          for (let i = 0; i < t.length; i++) {
            if (t[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(t.slice(i + 1, i + 3))) {
              bytes.push(parseInt(t.slice(i + 1, i + 3), 16));
              i += 2;
            } else bytes.push(t.charCodeAt(i) & 0xff);
          }
        } else {
          bytes = Array.from(atob(data), (c) => c.charCodeAt(0));
        }
        return new TextDecoder(charset.toLowerCase()).decode(new Uint8Array(bytes));
      } catch {
        return whole;
      }
    });
}
