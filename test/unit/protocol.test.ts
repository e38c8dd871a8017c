// The panel's message protocol validators (src/shared/protocol.ts) and its HTML/CSP shell.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeSource, initEngine, RULE_IDS, type ScenarioResult } from '../../src/engine';
import { contentSecurityPolicy, makeNonce, panelHtml } from '../../src/extension/panel/html';
import {
  KNOWN_RULES,
  MAX_WEBVIEW_STRING,
  validateHostMessage,
  validatePanelState,
  validateWebviewMessage,
  type PanelState,
} from '../../src/shared/protocol';
import { ROOT } from './helpers';

const STATE: PanelState = {
  v: 1,
  uri: 'file:///work/sample/inode.c',
  selection: { aops: 'ext4_da_aops', caller: 'reclaim-in-write-begin', page: 'delayed-dirty', pathId: 1, step: 3 },
  filters: { rule: 'foreign-credits', severity: 'all' },
};

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

describe('panel protocol', () => {
  let result: ScenarioResult;
  before(async () => {
    await initEngine();
    result = analyzeSource(fs.readFileSync(path.join(ROOT, 'sample', 'inode.c'), 'utf8'), 'inode.c');
  });

  it('knows the same rules as the engine', () => {
    assert.deepEqual([...KNOWN_RULES], [...RULE_IDS]);
  });

  it('accepts every webview message kind, well formed', () => {
    const good: unknown[] = [
      { type: 'ready', state: null },
      { type: 'ready', state: STATE },
      { type: 'state', state: { ...STATE, selection: null } },
      { type: 'reveal', reason: 'step', line: 167, column: 8, note: 'step 31/31: credits-exhausted: …' },
      { type: 'reveal', reason: 'finding', line: 1, column: 1, note: '' },
      { type: 'clearHighlight' },
      { type: 'rerun' },
      { type: 'log', level: 'error', message: 'x' },
    ];
    for (const m of good) {
      const v = validateWebviewMessage(clone(m));
      assert.ok(v.ok, `${JSON.stringify(m)}: ${v.ok ? '' : v.error}`);
      assert.deepEqual(v.value, m);
    }
  });

  it('rejects malformed webview messages, naming the bad field', () => {
    const bad: [unknown, RegExp][] = [
      [null, /message: expected an object/],
      ['reveal', /expected an object/],
      [[], /expected an object/],
      [{}, /message.type/],
      [{ type: 'eval', code: '1' }, /message.type: expected one of/],
      [{ type: 'reveal', reason: 'step', line: 0, column: 1, note: '' }, /message.line/],
      [{ type: 'reveal', reason: 'step', line: 1.5, column: 1, note: '' }, /message.line/],
      [{ type: 'reveal', reason: 'step', line: '12', column: 1, note: '' }, /message.line/],
      [{ type: 'reveal', reason: 'jump', line: 1, column: 1, note: '' }, /message.reason/],
      [{ type: 'reveal', reason: 'step', line: 1, column: 1 }, /message.note/],
      [{ type: 'reveal', reason: 'step', line: 1, column: 1, note: 'x'.repeat(MAX_WEBVIEW_STRING + 1) }, /longer than/],
      [{ type: 'reveal', reason: 'step', line: 1, column: 1, note: '', uri: 'file:///etc/passwd' }, /message.uri: unexpected field/],
      [{ type: 'rerun', extra: 1 }, /unexpected field/],
      [JSON.parse('{"type":"rerun","__proto__":{"polluted":1}}'), /__proto__: unexpected field/],
      [{ type: 'log', level: 'fatal', message: 'x' }, /message.level/],
      [{ type: 'state', state: null }, /message.state: expected an object/],
      [{ type: 'state', state: { ...STATE, v: 2 } }, /message.state.v/],
      [{ type: 'state', state: { ...STATE, filters: { rule: 'made-up', severity: 'all' } } }, /filters.rule/],
      [{ type: 'state', state: { ...STATE, selection: { ...STATE.selection, caller: 'pdflush' } } }, /selection.caller/],
      [{ type: 'state', state: { ...STATE, selection: { ...STATE.selection, step: -1 } } }, /selection.step/],
    ];
    for (const [m, re] of bad) {
      const v = validateWebviewMessage(m);
      assert.equal(v.ok, false, `accepted ${JSON.stringify(m)?.slice(0, 80)}`);
      if (!v.ok) assert.match(v.error, re);
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('round-trips a panel state and drops a foreign one', () => {
    assert.deepEqual(validatePanelState(clone(STATE)), { ok: true, value: STATE });
    assert.equal(validatePanelState(undefined).ok, false);
    assert.equal(validatePanelState({ uri: 'x' }).ok, false);
  });

  it('accepts a real result message and rejects a damaged one', () => {
    const msg = { type: 'result', uri: 'file:///x/inode.c', fileName: 'inode.c', version: 1, result: clone(result) };
    const v = validateHostMessage(msg);
    assert.ok(v.ok, v.ok ? '' : v.error);
    assert.ok(validateHostMessage({ type: 'status', state: 'analyzing', message: 'Analysing…' }).ok);
    assert.ok(validateHostMessage({ type: 'select', cell: { aops: 'a', caller: 'kswapd', page: 'beyond-eof' }, pathId: null }).ok);
    assert.ok(validateHostMessage({ type: 'select', cell: { aops: 'a', caller: 'kswapd', page: 'beyond-eof' }, pathId: 2, step: 7 }).ok);
    assert.ok(!validateHostMessage({ type: 'select', cell: { aops: 'a', caller: 'kswapd', page: 'beyond-eof' }, pathId: 2, step: -1 }).ok);

    const damaged = (f: (r: ScenarioResult) => void): string => {
      const r = clone(result);
      f(r);
      const out = validateHostMessage({ ...msg, result: r });
      assert.equal(out.ok, false);
      return out.ok ? '' : out.error;
    };
    assert.match(damaged((r) => ((r.runs[3].pathDetails[0].trace[2] as unknown as Record<string, unknown>).line = -1)), /runs\[3\]\.pathDetails\[0\]\.trace\[2\]\.line/);
    assert.match(damaged((r) => ((r.runs[0] as unknown as Record<string, unknown>).caller = 'evil')), /runs\[0\]\.caller/);
    assert.match(damaged((r) => ((r.runs[0].findings as unknown) = {})), /findings: expected an array/);
    assert.match(damaged((r) => ((r.runs[1].pathDetails[0].trace[0] as unknown as Record<string, unknown>).buffers = [{ block: 1, flags: [1] }])), /flags\[0\]/);
    assert.match(damaged((r) => ((r.runs[0].outcomes as Record<string, unknown>).exploded = 1)), /outcomes key/);
    assert.match(damaged((r) => ((r as unknown as Record<string, unknown>).entries = null)), /entries/);
    assert.equal(validateHostMessage({ ...msg, extra: 1 }).ok, false);
    assert.equal(validateHostMessage({ type: 'status', state: 'weird', message: '' }).ok, false);
  });
});

describe('panel webview sources', () => {
  it('never turn strings into HTML or code', () => {
    const dir = path.join(ROOT, 'webview');
    const files = ['main.ts', 'model.ts'].map((f) => path.join(dir, f));
    for (const f of files) {
      const text = fs.readFileSync(f, 'utf8').replace(/^\s*\/\/.*$/gm, '');
      for (const re of [/\.innerHTML\b/, /\.outerHTML\b/, /insertAdjacentHTML/, /document\.write/, /\beval\(/, /new Function\(/, /createContextualFragment/, /setAttribute\(\s*['"](on|href|src|style)/]) {
        assert.doesNotMatch(text, re, `${path.relative(ROOT, f)} uses ${re}`);
      }
    }
  });
});

describe('panel HTML', () => {
  it('has a strict CSP: nonce for the script, styles only from the webview origin', () => {
    const nonce = makeNonce();
    assert.match(nonce, /^[0-9a-f]{32}$/);
    assert.notEqual(nonce, makeNonce());
    const csp = contentSecurityPolicy('https://x.vscode-cdn.net', nonce);
    assert.equal(csp, `default-src 'none'; script-src 'nonce-${nonce}'; style-src https://x.vscode-cdn.net`);
    assert.doesNotMatch(csp, /unsafe/);
    const html = panelHtml({ cspSource: 'https://x.vscode-cdn.net', scriptUri: 'https://x/dist/webview.js?a=1&b="2"', styleUri: 'https://x/dist/webview.css', nonce });
    assert.match(html, new RegExp(`<script nonce="${nonce}" src="https://x/dist/webview.js\\?a=1&amp;b=&quot;2&quot;"></script>`));
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.doesNotMatch(html, /\sstyle=|<style|\son\w+=/);
    assert.throws(() => panelHtml({ cspSource: 'x', scriptUri: 'x', styleUri: 'x', nonce: `'unsafe-inline'` }), /nonce/);
  });
});
