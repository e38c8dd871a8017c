// The extension's pure logic (no vscode): grouping findings into diagnostics, their messages and
// key steps, hover/CodeLens verdicts, Markdown escaping, and the settings schema kept in step
// with package.json and the engine's scenario catalogue.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeSource, type Finding, type RunResult, type ScenarioResult, RULE_IDS } from '../../src/engine';
import { CALLERS } from '../../src/engine/scenarios/callers';
import { PAGE_STATES } from '../../src/engine/scenarios/pages';
import { ALL_CALLERS, ALL_PAGE_STATES, analyzeOptions, buildConfig, effectOf, SETTINGS, type SettingKey } from '../../src/extension/configSchema';
import {
  countFindings,
  groupFindings,
  groupMessage,
  groupDetail,
  countsLine,
  keySteps,
  listScenarios,
  shownInputDiagnostics,
  unreportedTruncations,
} from '../../src/extension/findings';
import { code, commandLink, escapeMd } from '../../src/extension/markdown';
import { CALLER_TITLES, PAGE_TITLES } from '../../src/extension/scenarioCatalog';
import { callbackNamed, createText, groupsOfRuns, outcomeText, runsInvolving, runsOfWritepage, runVerdict, summaryLine } from '../../src/extension/verdicts';
import { engineReady, ROOT } from './helpers';

const sample = (name: string) => fs.readFileSync(path.join(ROOT, 'sample', name), 'utf8');

function finding(over: Partial<Finding>): Finding {
  return {
    rule: 'kernel-bug',
    severity: 'error',
    line: 10,
    column: 3,
    endLine: 10,
    endColumn: 12,
    function: 'f',
    message: 'BUG_ON(x) fires',
    summary: 'BUG_ON(x) fires',
    assumptions: [],
    stack: ['wp', 'f'],
    anchor: 'BUG_ON#0',
    trace: [],
    ...over,
  };
}

function run(aops: string, caller: string, page: string, findings: Finding[], over: Partial<RunResult> = {}): RunResult {
  return {
    aops,
    entry: 'wp',
    callerNote: '',
    caller: caller as RunResult['caller'],
    page: page as RunResult['page'],
    paths: 1,
    truncated: false,
    truncation: [],
    outcomes: { bug: 1 },
    findings,
    pathDetails: [],
    ...over,
  };
}

function result(runs: RunResult[], over: Partial<ScenarioResult> = {}): ScenarioResult {
  return { file: 'x.c', entries: [], callbacks: [], runs, unmodelled: [], diagnostics: [], functions: [], timing: { parseMs: 0, analysisMs: 0 }, ...over };
}

describe('extension: findings → diagnostics', () => {
  it('groups one call and rule over scenarios, keeping each scenario once', () => {
    const f = finding({});
    const r = result([
      run('a_aops', 'kswapd', 'hole-clean', [f, { ...f }]), // two paths of one run
      run('a_aops', 'jbd2-commit', 'hole-clean', [f]),
      run('a_aops', 'kswapd', 'hole-clean', [finding({ rule: 'page-lock-contract' })]),
    ]);
    const groups = groupFindings(r);
    assert.equal(groups.length, 2);
    const bug = groups.find((g) => g.rule === 'kernel-bug')!;
    assert.deepEqual(
      bug.scenarios.map((s) => `${s.aops}/${s.caller}/${s.page}`),
      ['a_aops/kswapd/hole-clean', 'a_aops/jbd2-commit/hole-clean'],
    );
    assert.equal(bug.variants.length, 1);
    assert.equal(groupMessage(bug), 'BUG_ON(x) fires');
    assert.match(groupDetail(bug)[0], /^BUG_ON\(x\) fires \(in f; 2 scenarios: a_aops\/kswapd\/hole-clean, a_aops\/jbd2-commit\/hole-clean\)$/);
  });

  it('takes the worst severity and words the other variants on their own lines', () => {
    const warn = finding({ rule: 'alloc-under-page-lock', severity: 'warning', message: 'paid by the writeback handle' });
    const err = finding({ rule: 'alloc-under-page-lock', severity: 'error', message: 'paid by the handle of write_begin' });
    const g = groupFindings(result([run('da', 'da-writepages', 'delayed-dirty', [warn]), run('da', 'reclaim-in-write-begin', 'delayed-dirty', [err])]))[0];
    assert.equal(g.severity, 'error');
    assert.equal(g.variants[0].severity, 'error');
    assert.ok(groupMessage(g).length <= 80 && !groupMessage(g).includes('\n'), groupMessage(g));
    const lines = groupDetail(g);
    assert.equal(lines.length, 2);
    assert.match(lines[0], /^paid by the handle of write_begin \(in f; 1 scenario: da\/reclaim-in-write-begin\/delayed-dirty\)$/);
    assert.equal(lines[1], 'also warning in da/da-writepages/delayed-dirty: paid by the writeback handle');
  });

  it('keeps distinct responsible calls of the same rule apart, sorted by position', () => {
    const r = result([run('a', 'kswapd', 'hole-clean', [finding({ line: 20, anchor: 'BUG_ON#2' }), finding({ line: 5 }), finding({ line: 5, column: 9, endColumn: 11, anchor: 'BUG_ON#1' })])]);
    assert.deepEqual(
      groupFindings(r).map((g) => `${g.line}:${g.column}`),
      ['5:3', '5:9', '20:3'],
    );
  });

  it('lists at most a few scenarios, then how many more', () => {
    const refs = Array.from({ length: 11 }, (_, i) => ({ aops: 'a', caller: 'kswapd', page: `p${i}` }));
    assert.match(listScenarios(refs, 8), / and 3 more$/);
  });

  it('shows input errors, warnings and budget notes, not other notes, and finds truncations no diagnostic names', () => {
    const cut = run('a', 'kswapd', 'hole-clean', [], { truncated: true, truncation: ['path 1: step budget'] });
    const named = run('a', 'jbd2-commit', 'hole-clean', [], { truncated: true, truncation: ['path 1: step budget'] });
    const r = result([cut, named], {
      diagnostics: [
        { severity: 'info', line: 1, column: 1, kind: 'unknown-construct', message: 'note' },
        { severity: 'info', line: 3, column: 1, kind: 'budget', message: 'analysis incomplete: stopped exploring a loop in f after 50 steps', scenarios: ['a/jbd2-commit/hole-clean'] },
      ],
    });
    assert.deepEqual(shownInputDiagnostics(r).map((d) => d.kind), ['budget']);
    assert.deepEqual(unreportedTruncations(r).map((x) => x.caller), ['kswapd']);
  });

  it('counts one finding per rule and responsible call, as many as diagnostics', () => {
    const r = result([
      run('a', 'kswapd', 'hole-clean', [finding({}), finding({ severity: 'warning', rule: 'dirty-data-dropped', line: 30, anchor: 'return#0' })]),
      run('a', 'jbd2-commit', 'hole-clean', [finding({ severity: 'warning' })]),
      run('a', 'da-writepages', 'hole-clean', []),
    ]);
    assert.deepEqual(countFindings(r), { findings: 2, errors: 1, warnings: 1, infos: 0, scenarios: 2, scenariosRun: 3 });
    assert.equal(countFindings(r).findings, groupFindings(r).length);
    assert.equal(countsLine(r), '2 findings in 2 scenarios');
  });
});

describe('extension: on the sample (engine run)', function () {
  let pre: ScenarioResult;
  let post: ScenarioResult;
  before(async () => {
    await engineReady();
    pre = analyzeSource(sample('inode.c'), 'sample/inode.c');
    post = analyzeSource(sample('inode-fixed.c'), 'sample/inode-fixed.c');
  });

  it('the pre-image has one foreign-credits diagnostic naming reclaim-in-write-begin, with key steps', () => {
    const fc = groupFindings(pre).filter((g) => g.rule === 'foreign-credits');
    assert.equal(fc.length, 1);
    assert.match(groupDetail(fc[0]).join("\n"), /ext4_da_aops\/reclaim-in-write-begin\/delayed-dirty/);
    const steps = keySteps(fc[0].variants[0].finding);
    assert.ok(steps.length >= 2 && steps.length <= 8, `key steps: ${steps.length}`);
    assert.ok(steps.some((s) => s.event.startsWith('enter ext4_da_get_block_write')), steps.map((s) => s.event).join(' | '));
    // In trace order, and none restates a finding.
    for (let i = 1; i < steps.length; i++) assert.ok(fc[0].variants[0].finding.trace.indexOf(steps[i]) > fc[0].variants[0].finding.trace.indexOf(steps[i - 1]));
    assert.ok(!steps.some((s) => /^[a-z]+(-[a-z]+)+: /.test(s.event)));
  });

  it('the pre-image has kernel-bug diagnostics; the post-image has neither kernel-bug nor foreign-credits', () => {
    assert.ok(groupFindings(pre).some((g) => g.rule === 'kernel-bug'));
    const rules = new Set(groupFindings(post).map((g) => g.rule));
    assert.ok(!rules.has('kernel-bug') && !rules.has('foreign-credits'), [...rules].join(', '));
  });

  it('callback facts: ext4_da_get_block_write passes create=1 and is reached from ext4_da_writepage', () => {
    const cb = callbackNamed(pre, 'ext4_da_get_block_write')!;
    assert.ok(cb);
    assert.equal(createText(cb), 'passes create=1 to the allocation primitive on every explored path');
    assert.equal(createText(cb, (x) => `<${x}>`), 'passes <create=1> to the allocation primitive on every explored path');
    const inv = runsInvolving(pre, cb.name);
    assert.ok(inv.some((i) => i.run.caller === 'reclaim-in-write-begin' && i.findings.some((f) => f.rule === 'foreign-credits')));
    assert.ok(inv.every((i) => i.run.aops === 'ext4_da_aops'));
    assert.ok(groupsOfRuns(pre, inv.map((i) => i.run), cb.name).some((g) => g.rule === 'credits-exhausted'));
  });

  it('writepage verdicts name outcomes and rules', () => {
    const runs = runsOfWritepage(pre, 'ext4_da_writepage');
    assert.ok(runs.length > 0 && runs.every((r) => r.aops === 'ext4_da_aops'));
    const bad = runs.find((r) => r.caller === 'reclaim-in-write-begin' && r.page === 'delayed-dirty')!;
    assert.match(runVerdict(bad), /kernel BUG.* — error alloc-under-page-lock, error credits-exhausted, error foreign-credits/);
    assert.match(outcomeText(runs.find((r) => r.page === 'mapped-dirty')!), /^written/);
    assert.match(summaryLine(pre.runs), /^\d+ findings in \d+ scenarios \(\d+ errors?, \d+ warnings?\); \d+ scenarios run/);
  });
});

describe('extension: markdown', () => {
  it('escapes file-derived text and command arguments', () => {
    assert.equal(escapeMd('a_b *c* [x](command:evil)'), 'a\\_b \\*c\\* \\[x\\]\\(command:evil\\)');
    assert.equal(escapeMd('<img src=x>'), '\\<img src=x\\>');
    assert.equal(code('x`y'), '``x`y``');
    const link = commandLink('Run [2]', 'kpr.runScenarios', [{ uri: 'file:///a b.c' }]);
    assert.ok(link.startsWith('[Run \\[2\\]](command:kpr.runScenarios?'));
    assert.ok(!/[ ()]/.test(link.slice(link.indexOf('?'), -1)), link);
  });
});

describe('extension: settings', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const props = pkg.contributes.configuration.properties as Record<string, { default: unknown; type: string }>;

  it('package.json declares exactly the settings of configSchema.ts, with the same defaults', () => {
    assert.deepEqual(Object.keys(props).sort(), Object.keys(SETTINGS).map((k) => `kpr.${k}`).sort());
    for (const [k, s] of Object.entries(SETTINGS)) assert.deepEqual(props[`kpr.${k}`].default, s.default, k);
  });

  it('offers every caller, page state and rule of the engine', () => {
    assert.deepEqual([...ALL_CALLERS], CALLERS.map((c) => c.id));
    assert.deepEqual([...ALL_PAGE_STATES], PAGE_STATES.map((p) => p.id));
    const sev = (props['kpr.diagnostics.severity'] as unknown as { properties: Record<string, unknown> }).properties;
    assert.deepEqual(Object.keys(sev), [...RULE_IDS]);
  });

  it('builds engine options from settings and rejects bad values', () => {
    const values: Partial<Record<SettingKey, unknown>> = {
      'scenarios.callers': ['kswapd', 'bogus'],
      'budgets.stepsPerPath': -5,
      'mount.nobh': true,
      'scenarios.aops': ['ext4_da_aops', 3],
      'diagnostics.severity': { 'kernel-bug': 'hint', 'foreign-credits': 'loud' },
    };
    const c = buildConfig(<T>(k: SettingKey, fallback: T) => (k in values ? (values[k] as T) : fallback));
    assert.deepEqual(c.callers, ['kswapd']);
    assert.equal(c.budgets.stepsPerPath, 20000);
    assert.deepEqual(c.severity, { 'kernel-bug': 'hint' });
    const o = analyzeOptions(c);
    assert.deepEqual(o.aops, ['ext4_da_aops']);
    assert.deepEqual(o.mount, { nobh: true });
    // The opt-in page states (hole-dirty, stale-blocknr: their premise is outside the file; extended-after-fault) run only when listed.
    assert.deepEqual(o.pages, ALL_PAGE_STATES.filter((s) => !['hole-dirty', 'stale-blocknr', 'extended-after-fault', 'write-past-eof'].includes(s)));
  });

  it('knows which changes need a re-run', () => {
    assert.equal(effectOf((k) => k === 'kpr.budgets.callDepth'), 'reanalyze');
    assert.equal(effectOf((k) => k === 'kpr.diagnostics.severity'), 'rerender');
    assert.equal(effectOf((k) => k === 'kpr.analysis.debounceMs'), 'none');
  });
});
