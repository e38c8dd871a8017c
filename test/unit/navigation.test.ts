// Navigation through ops tables and function pointers (src/engine/navigation) on the sample and a
// fixture: definition, implementation, references, call hierarchy through primitives, outline.
import * as assert from 'node:assert/strict';
import { analyzeSource, type ScenarioResult } from '../../src/engine';
import { definitions, documentSymbols, hierarchyItem, implementations, incomingCalls, outgoingCalls, references, targetAt } from '../../src/engine/navigation/query';
import { engineReady, fixture, sample } from './helpers';

/** 1-based (line, column) of the `nth` occurrence of `word` on the first line containing `lineText`. */
function at(text: string, lineText: string, word: string): { line: number; column: number } {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.includes(lineText));
  assert.ok(i >= 0, `no line contains ${lineText}`);
  const c = lines[i].indexOf(word, lines[i].indexOf(lineText));
  assert.ok(c >= 0, `${word} not on line ${i + 1}`);
  return { line: i + 1, column: c + 2 };
}

function lineOf(text: string, lineText: string): number {
  return text.split('\n').findIndex((l) => l.includes(lineText)) + 1;
}

describe('navigation', () => {
  let text: string;
  let r: ScenarioResult;
  let navText: string;
  let nav: ScenarioResult;
  before(async () => {
    await engineReady();
    text = sample('inode.c');
    r = analyzeSource(text, 'inode.c');
    navText = fixture('navigation/ops-calls.c');
    nav = analyzeSource(navText, 'ops-calls.c');
  });

  it('a `.writepage = fn` member: definition of fn from the value and from the field', () => {
    const value = at(text, '.writepage	= ext4_da_writepage', 'ext4_da_writepage');
    const t = targetAt(r, value.line, value.column);
    assert.deepEqual(t?.target, { kind: 'function', name: 'ext4_da_writepage' });
    const def = definitions(r, t!.target);
    assert.deepEqual(def.map((d) => [d.name, d.line]), [['ext4_da_writepage', lineOf(text, 'static int ext4_da_writepage(')]]);
    const field = at(text, '.writepage	= ext4_da_writepage', 'writepage');
    const tf = targetAt(r, field.line, field.column);
    assert.deepEqual(tf?.target, { kind: 'field', field: 'writepage', table: 'ext4_da_aops' });
    assert.deepEqual(definitions(r, tf!.target).map((d) => d.name), ['ext4_da_writepage']);
  });

  it('implementation of `.writepage`: every table\'s writepage function', () => {
    const field = at(text, '.writepage	= ext4_da_writepage', 'writepage');
    const impl = implementations(r, targetAt(r, field.line, field.column)!.target).map((d) => d.name).sort();
    assert.deepEqual(impl, ['ext4_da_writepage', 'ext4_journalled_writepage', 'ext4_normal_writepage']);
  });

  it('a callback passed as an argument: definition is the callback', () => {
    const arg = at(text, 'block_write_full_page(page, ext4_da_get_block_write, wbc)', 'ext4_da_get_block_write');
    const t = targetAt(r, arg.line, arg.column);
    assert.deepEqual(definitions(r, t!.target).map((d) => [d.name, d.line]), [['ext4_da_get_block_write', lineOf(text, 'static int ext4_da_get_block_write(')]]);
  });

  it('`a_ops->writepage(...)`: definition and implementation go to the tables\' writepage', () => {
    const call = at(navText, 'mapping->a_ops->writepage(page, wbc)', 'writepage');
    const t = targetAt(nav, call.line, call.column);
    assert.deepEqual(t?.target, { kind: 'field', field: 'writepage', table: null });
    assert.deepEqual(definitions(nav, t!.target).map((d) => d.name), ['nav_writepage']);
    assert.deepEqual(implementations(nav, t!.target).map((d) => d.name), ['nav_writepage']);
    const refs = references(nav, t!.target);
    assert.deepEqual(refs.map((x) => [x.kind, x.line]), [['table-field', lineOf(navText, '.writepage	= nav_writepage')], ['ops-call', call.line]]);
  });

  it('references include uses as function pointers and in tables', () => {
    const refs = references(r, { kind: 'function', name: 'ext4_get_block' });
    const kinds = new Set(refs.map((x) => x.kind));
    assert.ok(kinds.has('definition') && kinds.has('pointer'), JSON.stringify(refs));
    assert.ok(refs.some((x) => x.kind === 'pointer' && x.line === lineOf(text, 'return block_write_full_page(page, ext4_get_block, wbc);')));
    const wp = references(r, { kind: 'function', name: 'ext4_normal_writepage' });
    assert.equal(wp.filter((x) => x.kind === 'table-member').length, 2, 'ordered and writeback tables');
    const table = references(r, { kind: 'table', name: 'ext4_da_aops' });
    assert.equal(table.filter((x) => x.kind === 'pointer').length, 2, '`a_ops = &ext4_da_aops` twice');
  });

  it('incoming calls of a callback go through the primitives that call it', () => {
    const names = incomingCalls(r, 'ext4_da_get_block_write').map((c) => c.item.name);
    assert.ok(names.includes('ext4_da_writepage → block_write_full_page'), names.join('; '));
    assert.ok(names.includes('ext4_da_writepage → nobh_writepage'), names.join('; '));
    assert.ok(names.includes('ext4_da_writepages → mpage_da_writepages'), names.join('; '));
    const via = incomingCalls(r, 'ext4_da_get_block_write').find((c) => c.item.name === 'ext4_da_writepage → block_write_full_page')!;
    assert.equal(via.item.symbol, 'ext4_da_writepage');
    assert.match(via.item.detail, /reached in the scenarios of ext4_da_aops/);
    assert.equal(via.ranges[0].line, lineOf(text, 'ret = block_write_full_page(page, ext4_da_get_block_write, wbc);'));
  });

  it('through in-file helpers: the writepage → helper → primitive chain the scenarios ran', () => {
    const names = incomingCalls(nav, 'nav_get_block').map((c) => c.item.name);
    assert.deepEqual(names.sort(), ['nav_write_helper → block_write_full_page', 'nav_writepage → nav_write_helper → block_write_full_page']);
    const out = outgoingCalls(nav, 'nav_writepage').map((c) => c.item.name);
    assert.deepEqual(out.sort(), ['nav_write_helper', 'nav_write_helper → block_write_full_page → nav_get_block']);
  });

  it('outgoing calls of a writepage include the callbacks its primitives invoke', () => {
    const out = outgoingCalls(r, 'ext4_da_writepage').map((c) => c.item.name);
    assert.ok(out.includes('block_write_full_page → ext4_da_get_block_write'), out.join('; '));
    assert.ok(out.includes('nobh_writepage → ext4_da_get_block_write'), out.join('; '));
    assert.equal(hierarchyItem(r, 'ext4_da_get_block_write')?.detail, 'get_block callback');
  });

  it('the outline groups each table with its members and marks the writepage entry', () => {
    const syms = documentSymbols(r);
    const da = syms.find((s) => s.name === 'ext4_da_aops');
    assert.equal(da?.kind, 'table');
    assert.deepEqual(da?.children.map((c) => c.name), ['.readpage = ext4_readpage', '.writepage = ext4_da_writepage', '.writepages = ext4_da_writepages', '.sync_page = block_sync_page', '.write_begin = ext4_da_write_begin', '.write_end = ext4_ordered_write_end']);
    assert.match(da!.children[1].detail, /^writepage entry, \d+ scenarios$/);
    assert.equal(da!.children[0].detail, '');
    assert.ok(syms.some((s) => s.kind === 'function' && s.name === 'ext4_da_get_block_write' && s.detail === 'get_block callback'));
  });

  it('malformed C still gives an index (partial) and never throws', () => {
    const bad = analyzeSource('static int f(struct page *p) { return g(p, f; }\nstruct x t = { .a = f, .b = };', 'bad.c');
    assert.ok(bad.symbols);
    assert.doesNotThrow(() => {
      for (let l = 1; l <= 3; l++) for (let c = 1; c < 40; c++) targetAt(bad, l, c);
      documentSymbols(bad);
      incomingCalls(bad, 'f');
    });
  });
});
