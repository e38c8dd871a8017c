// Suppressions as a post-pass (src/engine/suppress): kpr-ignore comments on the line or the line
// above, reasons, unknown rules, config-file entries by (rule, function, anchor), and the edits.
import * as assert from 'node:assert/strict';
import { analyzeSource, type ScenarioResult } from '../../src/engine';
import { applySuppressions, findSuppressionComments } from '../../src/engine/suppress';
import { configWithSuppression, suppressionCommentLine } from '../../src/engine/suppress/edits';
import { applySeverityOverrides } from '../../src/engine/suppress/severity';
import { engineReady, fixture, sample } from './helpers';

function findingLines(r: ScenarioResult): number[] {
  return [...new Set(r.runs.flatMap((x) => x.findings.map((f) => f.line)))].sort((a, b) => a - b);
}

describe('suppressions', () => {
  let text: string;
  let raw: ScenarioResult;
  before(async () => {
    await engineReady();
    text = fixture('navigation/suppressed.c');
    raw = analyzeSource(text, 'suppressed.c');
  });

  it('a comment alone on the line above and one on the same line suppress; an unknown rule does not', () => {
    assert.deepEqual(findingLines(raw), [19, 24, 30]);
    const r = applySuppressions(raw, text);
    assert.deepEqual(findingLines(r), [30]);
    const moved = r.runs.flatMap((x) => x.suppressed ?? []);
    assert.ok(moved.some((f) => f.line === 19 && f.suppression.kind === 'inSource' && f.suppression.line === 18 && /maps nothing on purpose/.test(f.suppression.reason)));
    assert.ok(moved.some((f) => f.line === 24 && f.suppression.reason === ''));
    const warnings = r.diagnostics.filter((d) => d.kind === 'suppression' && d.severity === 'warning');
    assert.deepEqual(warnings.map((d) => d.line), [24, 29]);
    assert.match(warnings[0].message, /without a reason/);
    assert.match(warnings[1].message, /unknown rule no-such-rule/);
    // The input is not modified.
    assert.deepEqual(findingLines(raw), [19, 24, 30]);
  });

  it('a comment that matches nothing is an info note; a malformed one is a warning', () => {
    const src = `${text}\n/* kpr-ignore kernel-bug: nothing here */\nint x;\n/* kpr-ignore */\n`;
    const r = applySuppressions(analyzeSource(src, 's.c'), src);
    assert.ok(r.diagnostics.some((d) => d.severity === 'info' && /matches no finding/.test(d.message)));
    assert.ok(r.diagnostics.some((d) => d.severity === 'warning' && /needs a rule id and a reason/.test(d.message)));
  });

  it('config suppressions match by rule, function and optional anchor, and by file suffix', () => {
    const anchor = raw.runs.flatMap((x) => x.findings).find((f) => f.function === 'sup_writepage3')!.anchor;
    const r = applySuppressions(raw, text, { config: [{ rule: 'dirty-data-dropped', function: 'sup_writepage3', anchor, reason: 'fixture' }], configFile: '/x/.kpr.json' });
    assert.deepEqual(findingLines(r), []);
    const ext = r.runs.flatMap((x) => x.suppressed ?? []).filter((f) => f.suppression.kind === 'external');
    assert.ok(ext.length > 0 && ext.every((f) => f.suppression.file === '/x/.kpr.json'));
    const other = applySuppressions(raw, text, { config: [{ rule: 'dirty-data-dropped', function: 'sup_writepage3', file: 'elsewhere.c', reason: 'x' }] });
    assert.deepEqual(findingLines(other), [30]);
    const wrongAnchor = applySuppressions(raw, text, { config: [{ rule: 'dirty-data-dropped', function: 'sup_writepage3', anchor: 'nope#0', reason: 'x' }] });
    assert.deepEqual(findingLines(wrongAnchor), [30]);
    const noReason = applySuppressions(raw, text, { config: [{ rule: 'dirty-data-dropped', function: 'sup_writepage3', reason: '' }] });
    assert.ok(noReason.diagnostics.some((d) => d.severity === 'warning' && /has no reason/.test(d.message)));
  });

  it('severity overrides: off drops a rule, information becomes info', () => {
    const s = sample('inode.c');
    const r = analyzeSource(s, 'inode.c');
    const off = applySeverityOverrides(r, { 'kernel-bug': 'off' });
    assert.ok(r.runs.some((x) => x.findings.some((f) => f.rule === 'kernel-bug')));
    assert.ok(!off.runs.some((x) => x.findings.some((f) => f.rule === 'kernel-bug')));
    const info = applySeverityOverrides(r, { 'kernel-bug': 'information' });
    assert.ok(info.runs.flatMap((x) => x.findings).filter((f) => f.rule === 'kernel-bug').every((f) => f.severity === 'info'));
  });

  it('edits: the comment keeps the indentation and is found again; the config entry is appended', () => {
    const line = suppressionCommentLine('\t\tret = foo(page);', 'kernel-bug', 'why');
    assert.equal(line, '\t\t/* kpr-ignore kernel-bug: why */');
    const found = findSuppressionComments(`${line}\n\t\tret = foo(page);\n`).comments;
    assert.deepEqual(found.map((c) => [c.line, c.rules, c.reason, c.standalone]), [[1, ['kernel-bug'], 'why', true]]);
    const created = configWithSuppression(null, { rule: 'kernel-bug', function: 'f', reason: '' })!;
    assert.deepEqual(JSON.parse(created), { suppressions: [{ rule: 'kernel-bug', function: 'f', reason: '' }] });
    const appended = configWithSuppression('{"budgets":{"stepsPerPath":5}}', { rule: 'kernel-bug', function: 'g', anchor: 'BUG_ON#0', reason: 'r' })!;
    assert.deepEqual(JSON.parse(appended), { budgets: { stepsPerPath: 5 }, suppressions: [{ rule: 'kernel-bug', function: 'g', anchor: 'BUG_ON#0', reason: 'r' }] });
    assert.equal(configWithSuppression('{ not json', { rule: 'kernel-bug', function: 'g', reason: 'r' }), null);
  });
});
