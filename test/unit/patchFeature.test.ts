// The patch feature's pure logic (src/extension/patch without vscode): locating base files by the
// patch's paths, choosing the pre/post side, the worker jobs, grouping changes, the before/after
// matrices, the diagnostics placed on the patch's lines, and the patch view's message validation.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initEngine, type PatchResult } from '../../src/engine';
import { appliedSummary, isPatchName, splitMessage } from '../../src/extension/patch/describe';
import { patchDiagnosticSpecs } from '../../src/extension/patch/diagnosticSpecs';
import { contentSecurityPolicy, makeNonce, patchViewHtml } from '../../src/extension/patch/html';
import { basenameGlob, candidateFit, chooseSide, commonSuffix, type LocateEnv, locateBase, locateByPath, patchPathOf, preImageBlob, relativeCandidates } from '../../src/extension/patch/locate';
import { type ApplyProbe, inspectPatch, runDiff, runPatch } from '../../src/extension/patch/patchJobs';
import { buildMatrices, buildPatchView, groupChanges } from '../../src/extension/patch/viewModel';
import { PATCH_PROTOCOL_IDS, type PatchView, validatePatchHostMessage, validatePatchWebviewMessage } from '../../src/shared/patchProtocol';
import { RULE_IDS } from '../../src/engine/api/types';
import { fixture, ROOT } from './helpers';

const sample = (name: string): string => fs.readFileSync(path.join(ROOT, 'sample', name), 'utf8');
const PATCH = sample('handle-page-without-buffers.patch');
const BROKEN = fixture('workspace/broken.patch');
const HUNKS = PATCH.split('\n').filter((l) => l.startsWith('@@ ')).length;

function probe(p: Partial<ApplyProbe>): ApplyProbe {
  return { hunks: 3, applied: 3, failed: 0, fuzzed: 0, offset: 0, firstFailure: null, ...p };
}

/** A fake workspace: folder roots and the files under them. */
function env(folders: string[], files: string[]): LocateEnv<string> {
  return {
    folders,
    existing: async (folder, rel) => (files.includes(`${folder}/${rel}`) ? `${folder}/${rel}` : undefined),
    findByBasename: async (name) => files.filter((f) => f.endsWith(`/${name}`)),
    pathOf: (f) => f,
  };
}

describe('patch feature: locating base files', () => {
  it('tries the path as written, then with leading components stripped, keeping a directory', () => {
    assert.deepEqual(relativeCandidates('fs/ext4/inode.c'), ['fs/ext4/inode.c', 'ext4/inode.c']);
    assert.deepEqual(relativeCandidates('a/fs/ext4/inode.c'), ['fs/ext4/inode.c', 'ext4/inode.c']);
    assert.deepEqual(relativeCandidates('inode.c'), ['inode.c']);
    assert.deepEqual(relativeCandidates('./inode.c'), ['inode.c']);
    assert.deepEqual(relativeCandidates('../etc/passwd'), []);
  });

  it('counts shared trailing components and escapes glob characters', () => {
    assert.equal(commonSuffix('fs/ext4/inode.c', '/src/linux/fs/ext4/inode.c'), 3);
    assert.equal(commonSuffix('fs/ext4/inode.c', '/w/fs/ext3/inode.c'), 1);
    assert.equal(basenameGlob('inode.c'), '**/inode.c');
    assert.equal(basenameGlob('a[1]*.c'), '**/a[[]1[]][*].c');
  });

  it('finds the path relative to a workspace folder first', async () => {
    const r = await locateBase('inode.c', env(['/w'], ['/w/inode.c', '/w/test/inode.c']));
    assert.deepEqual(r, { kind: 'found', file: '/w/inode.c', how: 'inode.c in the workspace' });
    const s = await locateBase('fs/ext4/inode.c', env(['/a', '/w'], ['/w/ext4/inode.c']));
    assert.equal(s.kind, 'found');
    assert.equal(s.kind === 'found' && s.file, '/w/ext4/inode.c');
    assert.match(s.kind === 'found' ? s.how : '', /leading components of fs\/ext4\/inode.c stripped/);
  });

  it('asks when the same relative path exists in two workspace folders', async () => {
    const r = await locateBase('fs/ext4/inode.c', env(['/a', '/b'], ['/a/fs/ext4/inode.c', '/b/fs/ext4/inode.c']));
    assert.deepEqual(r.kind === 'choose' && r.candidates, ['/a/fs/ext4/inode.c', '/b/fs/ext4/inode.c']);
  });

  it('takes the only file of that name, or the one whose path ends like the patch path', async () => {
    const one = await locateBase('fs/ext4/inode.c', env(['/w'], ['/w/sample/inode.c']));
    assert.deepEqual(one, { kind: 'found', file: '/w/sample/inode.c', how: 'the only file named inode.c in the workspace' });
    const ranked = await locateBase('fs/ext4/inode.c', env(['/w'], ['/w/linux/fs/ext3/inode.c', '/w/linux/fs/ext4/inode.c']));
    assert.equal(ranked.kind === 'found' && ranked.file, '/w/linux/fs/ext4/inode.c');
  });

  it('does not guess between files that share only the name', async () => {
    const r = await locateBase('fs/ext4/inode.c', env(['/w'], ['/w/a/inode.c', '/w/b/inode.c']));
    assert.equal(r.kind, 'choose');
    assert.deepEqual(r.kind === 'choose' && r.candidates, ['/w/a/inode.c', '/w/b/inode.c']);
    const none = await locateBase('fs/ext4/inode.c', env(['/w'], ['/w/super.c']));
    assert.equal(none.kind, 'missing');
  });

  it('names a file by its new path, or its old path when deleted', () => {
    assert.equal(patchPathOf({ oldPath: 'a.c', newPath: 'b.c' }), 'b.c');
    assert.equal(patchPathOf({ oldPath: 'a.c', newPath: '/dev/null' }), 'a.c');
    assert.ok(isPatchName('x/y.patch') && isPatchName('Z.DIFF') && !isPatchName('inode.c'));
  });
});

describe('patch feature: pre or post side', () => {
  it('is pre when the patch applies, post when only its reverse does, else asks', () => {
    assert.equal(chooseSide({ forward: probe({}), reverse: probe({ applied: 0, failed: 3 }) }).side, 'pre');
    const post = chooseSide({ forward: probe({ applied: 1, failed: 2, firstFailure: { patchLine: 9, message: 'x' } }), reverse: probe({}) });
    assert.equal(post.side, 'post');
    assert.match(post.reason, /already applied: 1 of 3 hunk\(s\) apply forward; the first that does not is at patch line 9, but all 3 hunk\(s\) apply in reverse/);
    assert.equal(chooseSide({ forward: probe({}), reverse: probe({}) }).side, 'ask');
    assert.equal(chooseSide({ forward: probe({ applied: 2, failed: 1 }), reverse: probe({ applied: 0, failed: 3 }) }).side, 'ask');
  });

  it('decides the sample: inode.c is the pre-image, inode.c patched and inode-fixed.c the post-image, the broken patch asks', async () => {
    await initEngine();
    const pre = inspectPatch({ patchText: PATCH, bases: { 'inode.c': sample('inode.c') } });
    assert.equal(chooseSide(pre.probes['inode.c']).side, 'pre');
    const patched = runPatch({ patchText: PATCH, bases: { 'inode.c': { text: sample('inode.c'), side: 'pre', name: 'inode.c' } }, options: { callers: [], pages: [] } }).images['inode.c'];
    const post = inspectPatch({ patchText: PATCH, bases: { 'inode.c': patched } });
    assert.equal(chooseSide(post.probes['inode.c']).side, 'post');
    // inode-fixed.c is the sample's post-image: the patch reverse-applies to it.
    const fixed = inspectPatch({ patchText: PATCH, bases: { 'inode.c': sample('inode-fixed.c') } });
    assert.equal(chooseSide(fixed.probes['inode.c']).side, 'post');
    const broken = inspectPatch({ patchText: BROKEN, bases: { 'inode.c': sample('inode.c') } });
    const b = broken.probes['inode.c'];
    assert.equal(b.forward.hunks, HUNKS);
    assert.equal(b.forward.failed, 1);
    assert.equal(b.forward.firstFailure?.patchLine, 31, 'hunk #2 header line');
    assert.equal(chooseSide(b).side, 'ask');
  });

  it('lists the files of a patch with their C-ness and hunk lines', () => {
    const ins = inspectPatch({ patchText: PATCH, bases: {} });
    assert.equal(ins.subject, 'ext4: Handle page without buffers in ext4_*_writepage()');
    assert.deepEqual(
      ins.files.map((f) => [f.path, f.isC, f.hunks.length]),
      [['inode.c', true, HUNKS]],
    );
    assert.deepEqual(ins.errors, []);
    const bad = inspectPatch({ patchText: 'hello\nthis is not a patch\n', bases: {} });
    assert.equal(bad.files.length, 0);
  });
});

describe('patch feature: worker jobs and the view model on the sample', function () {
  let result: PatchResult;
  let images: Record<string, string>;

  before(async () => {
    await initEngine();
    ({ result, images } = runPatch({ patchText: PATCH, bases: { 'inode.c': { text: sample('inode.c'), side: 'pre', name: 'inode.c' } }, options: {} }));
  });

  it('analyses the patch and returns the computed post-image', () => {
    assert.equal(result.files.length, 1);
    assert.deepEqual(result.problems, []);
    // The post-image is the fixed sample up to the line the e2e tests may add at the top.
    assert.ok(images['inode.c'].includes('ext4_normal_get_block_write'), 'post-image has the new callback');
    assert.ok(!images['inode.c'].includes('J_ASSERT(page_has_buffers(page)); // expect'), 'post-image lost the removed assertion');
    assert.deepEqual(result.mentionedFunctions.slice(0, 3), ['ext4_da_writepage', 'ext4_normal_writepage', 'ext4_journalled_writepage']);
  });

  it('groups changes by (status, rule, function, anchor), mentioned first, introduced before fixed', () => {
    const groups = groupChanges(result.files[0].changes);
    const keys = groups.map((g) => `${g.status}|${g.rule}|${g.function}|${g.anchor}`);
    assert.equal(new Set(keys).size, keys.length, 'one group per key');
    assert.equal(
      groups.reduce((n, g) => n + g.scenarios.length, 0),
      result.files[0].changes.length,
      'every change in exactly one group',
    );
    const firstUnmentioned = groups.findIndex((g) => !g.mentioned);
    assert.ok(firstUnmentioned === -1 || groups.slice(firstUnmentioned).every((g) => !g.mentioned), 'mentioned groups first');
    const mentioned = groups.filter((g) => g.mentioned);
    const rank = { introduced: 0, fixed: 1, unchanged: 2 };
    for (let i = 1; i < mentioned.length; i++) assert.ok(rank[mentioned[i - 1].status] <= rank[mentioned[i].status]);
    const dropped = groups.find((g) => g.status === 'introduced' && g.rule === 'dirty-data-dropped' && g.function === 'ext4_da_writepage');
    assert.ok(dropped, 'the introduced dirty-data-dropped group');
    assert.ok(dropped.scenarios.every((s) => s.page === 'no-buffers-allocated'));
    assert.equal(dropped.severity, 'error');
    assert.ok(dropped.patchLine, 'placed on a + line of the patch');
    assert.match(PATCH.split('\n')[(dropped.patchLine as number) - 1], /^\+/);
    const foreign = groups.find((g) => g.status === 'fixed' && g.rule === 'foreign-credits');
    assert.ok(foreign && foreign.preLine && foreign.postLine === null);
    assert.match(PATCH.split('\n')[(foreign.patchLine as number) - 1], /^-/);
  });

  it('builds a before/after matrix per writepage entry with fixed and introduced cells', () => {
    const d = result.files[0];
    const ms = buildMatrices(d, result.mentionedFunctions);
    assert.deepEqual(ms.map((m) => m.aops).sort(), [...new Set(d.post.entries.map((e) => e.aops))].sort());
    // Entries the message names first, in the message's order (ext4_da_writepage first).
    const ranks = ms.map((m) => (m.mentioned ? result.mentionedFunctions.indexOf(m.entry) : Infinity));
    assert.deepEqual(ranks, [...ranks].sort((a, b) => a - b));
    assert.equal(ms[0].entry, 'ext4_da_writepage');
    const da = ms.find((m) => m.aops === 'ext4_da_aops');
    assert.ok(da);
    const cell = (caller: string, page: string) => da.rows[da.callers.indexOf(caller as never)][da.pages.indexOf(page as never)];
    const foreign = cell('reclaim-in-write-begin', 'delayed-dirty');
    assert.equal(foreign?.status, 'fixed');
    assert.ok(foreign?.fixed.includes('foreign-credits'));
    assert.equal(foreign?.pre?.tone, 'error');
    const lost = cell('kswapd', 'no-buffers-allocated');
    assert.ok(lost && (lost.status === 'introduced' || lost.status === 'mixed'));
    assert.ok(lost.introduced.includes('dirty-data-dropped'));
    assert.ok(lost.fixed.includes('kernel-bug'));
    assert.match(lost.pre?.text ?? '', /BUG/);
    assert.match(lost.post?.text ?? '', /data lost/);
  });

  it('builds the whole view: subject, mentioned functions with counts, totals, validated by the protocol', () => {
    const view = buildPatchView({
      kind: 'patch',
      title: result.subject ?? '',
      author: result.author,
      message: result.message,
      patchName: 'handle-page-without-buffers.patch',
      mentionedFunctions: result.mentionedFunctions,
      problems: result.problems,
      skipped: result.skipped,
      files: [{ label: 'inode.c', preName: 'inode.c (workspace file)', postName: 'inode.c with the patch applied', notes: [], diff: result.files[0] }],
    });
    assert.equal(view.title, 'ext4: Handle page without buffers in ext4_*_writepage()');
    assert.deepEqual(view.mentioned.map((m) => m.name), result.mentionedFunctions);
    const da = view.mentioned.find((m) => m.name === 'ext4_da_writepage');
    assert.ok(da && da.counts.introduced >= 1 && da.counts.fixed >= 1);
    assert.equal(view.totals.introduced + view.totals.fixed + view.totals.unchanged, view.files[0].groups.length);
    // Plain data: survives JSON (postMessage) and passes the webview's validator.
    const msg = JSON.parse(JSON.stringify({ type: 'view', version: 1, view }));
    const v = validatePatchHostMessage(msg);
    assert.ok(v.ok, v.ok ? '' : v.error);
  });

  it('places diagnostics on the patch lines: introduced with the finding severity, fixed as information', () => {
    const headers = new Map([['inode.c', 19]]);
    const specs = patchDiagnosticSpecs(result, headers);
    const lines = PATCH.split('\n');
    const intro = specs.filter((s) => s.message.startsWith('introduced:'));
    const fixed = specs.filter((s) => s.message.startsWith('fixed:'));
    assert.ok(intro.length >= 1 && fixed.length >= 5);
    for (const s of intro) assert.match(lines[s.line - 1], /^\+/, `introduced on a + line: ${s.message}`);
    for (const s of fixed) {
      assert.equal(s.severity, 'information');
      assert.match(lines[s.line - 1], /^-/, `fixed on a - line: ${s.message}`);
    }
    const dd = intro.find((s) => s.code === 'dirty-data-dropped');
    assert.equal(dd?.severity, 'error');
    assert.ok(fixed.some((s) => s.code === 'foreign-credits') && fixed.some((s) => s.code === 'kernel-bug'));
    // The user's overrides: off hides, a level replaces the engine's for introduced findings.
    const off = patchDiagnosticSpecs(result, headers, { 'dirty-data-dropped': 'off' });
    assert.ok(!off.some((s) => s.code === 'dirty-data-dropped'));
    const hint = patchDiagnosticSpecs(result, headers, { 'dirty-data-dropped': 'hint' });
    assert.equal(hint.find((s) => s.code === 'dirty-data-dropped' && s.message.startsWith('introduced'))?.severity, 'hint');
  });

  it('reports a hunk that does not apply as an error on its @@ line', () => {
    const broken = runPatch({ patchText: BROKEN, bases: { 'inode.c': { text: sample('inode.c'), side: 'pre', name: 'inode.c' } }, options: {} });
    assert.equal(broken.result.problems.length, 1);
    assert.equal(broken.result.problems[0].line, 31);
    const specs = patchDiagnosticSpecs(broken.result, new Map([['inode.c', 19]]));
    const err = specs.find((s) => s.code === 'patch');
    assert.deepEqual(err && { line: err.line, severity: err.severity }, { line: 31, severity: 'error' });
    assert.match(err?.message ?? '', /hunk #2 .* does not apply/);
    assert.match(BROKEN.split('\n')[30], /^@@ -70,7 \+70,7 @@/);
  });

  it('compares two texts and marks what a commit message names', () => {
    const d = runDiff({ pre: { text: sample('inode.c'), file: 'a.c' }, post: { text: sample('inode-fixed.c'), file: 'b.c' }, message: 'fix ext4_normal_writepage()', options: {} });
    assert.deepEqual(d.mentionedFunctions, ['ext4_normal_writepage']);
    const first = d.result.changes.findIndex((c) => !c.mentioned);
    assert.ok(first > 0 && d.result.changes.slice(first).every((c) => !c.mentioned));
    assert.ok(d.result.changes.some((c) => c.status === 'fixed' && c.function === 'ext4_normal_writepage'));
  });
});

describe('patch feature: words', () => {
  it('splits commit messages and summarises applied hunks', () => {
    assert.deepEqual(splitMessage('ext4: fix\n\nbody line\n'), { subject: 'ext4: fix', body: 'body line' });
    assert.deepEqual(splitMessage('one line'), { subject: 'one line', body: null });
    assert.equal(appliedSummary([{ hunk: 0, offset: 0, fuzz: 0, oldLine: 1, newLine: 1 }, { hunk: 1, offset: -2, fuzz: 1, oldLine: 5, newLine: 5 }], 3), '2 of 3 hunks applied (#2 at offset -2 with fuzz 1)');
  });
});

describe('patch view protocol', () => {
  const view: PatchView = {
    kind: 'patch',
    title: '<img src=x onerror=alert(1)>',
    author: null,
    message: null,
    patchName: 'x.patch',
    mentioned: [],
    problems: [{ line: 3, message: 'hunk #1 does not apply' }],
    skipped: [],
    totals: { fixed: 0, introduced: 0, unchanged: 0 },
    files: [],
  };

  it('keeps its id lists in step with the engine types', () => {
    assert.deepEqual([...PATCH_PROTOCOL_IDS.RULES], [...RULE_IDS]);
  });

  it('accepts a view (HTML-looking text is just a string) and rejects malformed ones', () => {
    assert.ok(validatePatchHostMessage({ type: 'view', version: 0, view }).ok);
    assert.ok(validatePatchHostMessage({ type: 'status', state: 'stale', message: 'x' }).ok);
    const bad = (v: unknown, re: RegExp) => {
      const r = validatePatchHostMessage(v);
      assert.ok(!r.ok);
      assert.match(r.ok ? '' : r.error, re);
    };
    bad({ type: 'view', version: 0, view: { ...view, extra: 1 } }, /message\.view\.extra: unexpected field/);
    bad({ type: 'view', version: 0, view: { ...view, kind: 'mail' } }, /message\.view\.kind/);
    bad({ type: 'view', version: -1, view }, /message\.version/);
    bad({ type: 'view', version: 0, view: { ...view, problems: [{ line: 0, message: 'x' }] } }, /problems\[0\]\.line/);
    bad({ type: 'view', version: 0, view: { ...view, title: 5 } }, /message\.view\.title: expected a string/);
    bad({ type: 'html', html: '<b>' }, /message\.type/);
    bad(null, /expected an object/);
  });

  it('rejects a matrix whose cells do not match their row and column', () => {
    const cell = { caller: 'kswapd', page: 'hole-clean', status: 'clean', pre: null, post: null, fixed: [], introduced: [], unchanged: [] };
    const file = { label: 'a', preName: 'a', postName: 'b', notes: [], inputProblems: [], counts: { fixed: 0, introduced: 0, unchanged: 0 }, groups: [] };
    const ok = { ...view, files: [{ ...file, matrices: [{ aops: 't', entry: 'w', mentioned: false, callers: ['kswapd'], pages: ['hole-clean'], rows: [[cell]] }] }] };
    assert.ok(validatePatchHostMessage({ type: 'view', version: 1, view: ok }).ok);
    const wrong = { ...view, files: [{ ...file, matrices: [{ aops: 't', entry: 'w', mentioned: false, callers: ['jbd2-commit'], pages: ['hole-clean'], rows: [[cell]] }] }] };
    assert.ok(!validatePatchHostMessage({ type: 'view', version: 1, view: wrong }).ok);
  });

  it('validates the webview messages', () => {
    assert.deepEqual(validatePatchWebviewMessage({ type: 'open', target: 'pre', file: 0, line: 12 }), { ok: true, value: { type: 'open', target: 'pre', file: 0, line: 12 } });
    assert.ok(validatePatchWebviewMessage({ type: 'ready' }).ok);
    assert.ok(!validatePatchWebviewMessage({ type: 'open', target: 'file:///etc/passwd', file: 0, line: 1 }).ok);
    assert.ok(!validatePatchWebviewMessage({ type: 'open', target: 'post', file: 0, line: 0 }).ok);
    assert.ok(!validatePatchWebviewMessage({ type: 'open', target: 'post', file: 0.5, line: 3 }).ok);
    assert.ok(!validatePatchWebviewMessage({ type: 'open', target: 'post', file: 0, line: 3, uri: 'x' }).ok);
    assert.ok(!validatePatchWebviewMessage({ type: 'log', level: 'info', message: 'x'.repeat(5000) }).ok);
    assert.ok(!validatePatchWebviewMessage({ type: 'rerun', now: true }).ok);
  });
});

describe('patch view HTML and webview code', () => {
  it('has a strict CSP: a fresh hex nonce for the one script, styles only from the webview origin', () => {
    const nonce = makeNonce();
    assert.match(nonce, /^[0-9a-f]{32}$/);
    assert.notEqual(nonce, makeNonce());
    assert.equal(contentSecurityPolicy('https://x.vscode-cdn.net', nonce), `default-src 'none'; script-src 'nonce-${nonce}'; style-src https://x.vscode-cdn.net`);
    const html = patchViewHtml({ cspSource: 'https://x.vscode-cdn.net', scriptUri: 'https://x/dist/patchView.js?a="1"', styleUri: 'https://x/dist/patchView.css', nonce });
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.match(html, new RegExp(`<script nonce="${nonce}" src="https://x/dist/patchView.js\\?a=&quot;1&quot;"></script>`));
    assert.doesNotMatch(html, /unsafe|\sstyle=|<style|\son\w+=/);
    assert.throws(() => patchViewHtml({ cspSource: 'x', scriptUri: 'x', styleUri: 'x', nonce: `'unsafe-inline'` }), /nonce/);
  });

  it('never turns strings into HTML or code, never sets href/src/style/on* attributes', () => {
    const text = fs.readFileSync(path.join(ROOT, 'webview', 'patchView.ts'), 'utf8').replace(/^\s*\/\/.*$/gm, '');
    for (const re of [/\.innerHTML\b/, /\.outerHTML\b/, /insertAdjacentHTML/, /document\.write/, /\beval\(/, /new Function\(/, /createContextualFragment/, /setAttribute\(\s*['"](on|href|src|style)/, /['"]?\b(href|src|style|on(?:click|load|error|mouse\w*|key\w*|focus|blur|change|input|submit))['"]?\s*:/]) {
      assert.doesNotMatch(text, re, `webview/patchView.ts uses ${re}`);
    }
  });
});

describe('patch feature: choosing a base the user can see', () => {
  const probe = (hunks: number, applied: number) => ({ hunks, applied, failed: hunks - applied, fuzzed: 0, offset: 0, firstFailure: null });
  it('finds a base by the patch path only, never by file name alone', async () => {
    const env: LocateEnv<string> = {
      folders: ['/w'],
      existing: async (_f, rel) => (rel === 'sample/inode.c' ? `/w/${rel}` : undefined),
      findByBasename: async () => ['/w/sample/inode.c'],
      pathOf: (u) => u,
    };
    assert.equal((await locateByPath('fs/ext4/inode.c', env)).kind, 'missing');
    assert.deepEqual(await locateByPath('a/sample/inode.c', env), { kind: 'found', file: '/w/sample/inode.c', how: 'sample/inode.c in the workspace' });
  });
  it('rates candidates by how the patch applies: forward, then reverse, then by hunks applied', () => {
    const fwd = candidateFit({ forward: probe(12, 12), reverse: probe(12, 0) });
    const rev = candidateFit({ forward: probe(12, 1), reverse: probe(12, 12) });
    const part = candidateFit({ forward: probe(12, 5), reverse: probe(12, 2) });
    assert.ok(fwd.rank > rev.rank && rev.rank > part.rank);
    assert.equal(fwd.text, 'all 12 hunk(s) apply (the patch is not applied to it)');
    assert.equal(rev.text, 'already patched: all 12 hunk(s) apply in reverse');
    assert.equal(part.text, '5 of 12 hunk(s) apply');
  });
  it("reads the pre-image blob of an index line; none for a new file", () => {
    assert.equal(preImageBlob('1a2b3c4..5d6e7f8 100644'), '1a2b3c4');
    assert.equal(preImageBlob('0000000..5d6e7f8'), null);
    assert.equal(preImageBlob(null), null);
  });
});
