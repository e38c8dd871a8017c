// The kpr CLI in-process: exit codes, compiler-style lines, one JSON document, usage errors.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { FIXTURES, ROOT, SAMPLE } from './helpers';

async function kpr(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, (s) => (out += s), (s) => (err += s));
  return { code, out, err };
}

const PRE = path.join(SAMPLE, 'inode.c');
const POST = path.join(SAMPLE, 'inode-fixed.c');

describe('kpr CLI', () => {
  it('prints compiler-style findings and exits 1 when there are errors', async () => {
    const r = await kpr('scenarios', PRE);
    assert.equal(r.code, 1);
    assert.match(r.out, new RegExp(`${PRE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:167:8: error: .*\\[foreign-credits\\]`));
    assert.match(r.out, /ext4_da_aops → ext4_da_writepage/);
    // A row whose caller enters through ->write_begin names that entry; the legend explains every cell word.
    assert.match(r.out, /^  write-syscall → ext4_da_write_begin +- +!ok\+err/m);
    assert.match(r.out, /^  kswapd +ok/m);
    const legend = /^legend: (.*)$/m.exec(r.out)?.[1] ?? '';
    const cells = r.out.split('\n').filter((l) => /^  \S/.test(l) && !/^  +mapped-dirty/.test(l)).flatMap((l) => l.trim().split(/ {2,}/).slice(1));
    for (const word of new Set(cells.flatMap((c) => c.replace(/^[!~]/, '').replace(/\*$/, '').split('+')))) assert.ok(legend.includes(word), `"${word}" is not in the legend: ${legend}`);
  });

  it('exits 0 when only a filter with no error-level finding is run', async () => {
    const r = await kpr('scenarios', POST, '--aops', 'ext4_ordered_aops', '--caller', 'kswapd');
    assert.equal(r.code, 0, r.out);
  });

  it('--json prints exactly one JSON document with the documented keys', async () => {
    const r = await kpr('scenarios', PRE, '--json', '--caller', 'reclaim-in-write-begin');
    const doc = JSON.parse(r.out);
    assert.deepEqual(Object.keys(doc).sort(), ['bindings', 'callBindings', 'callbacks', 'diagnostics', 'entries', 'file', 'filesystem', 'functions', 'runs', 'summary', 'symbols', 'timing', 'unmodelled']);
    assert.ok(doc.runs.every((x: { caller: string }) => x.caller === 'reclaim-in-write-begin'));
    const run = doc.runs.find((x: { aops: string; page: string }) => x.aops === 'ext4_da_aops' && x.page === 'delayed-dirty');
    assert.ok(run.findings.some((f: { rule: string; line: number }) => f.rule === 'foreign-credits' && f.line === 167));
    for (const k of ['aops', 'entry', 'caller', 'page', 'paths', 'truncated', 'outcomes', 'findings']) assert.ok(k in run, k);
  });

  it('--json keeps every shown path with its trace; text makes none (path traces on demand)', async () => {
    const json = JSON.parse((await kpr('scenarios', PRE, '--json')).out);
    const shown = json.runs.flatMap((x: { pathDetails: { trace: unknown[]; replay?: number[] }[] }) => x.pathDetails);
    assert.ok(shown.length > 0 && shown.every((p: { trace: unknown[]; replay?: number[] }) => p.trace.length > 0 && p.replay === undefined));
    // The text lists the same findings whether or not the paths' traces are made.
    const text = await kpr('scenarios', PRE);
    const { analyzeSource } = await import('../../src/engine');
    const { readFileSync } = await import('node:fs');
    const recorded = analyzeSource(readFileSync(PRE, 'utf8'), PRE);
    const lines = text.out.split('\n');
    for (const f of recorded.runs.flatMap((x) => x.findings)) assert.ok(lines.some((l) => l.includes(`:${f.line}:${f.column}: `) && l.endsWith(`[${f.rule}]`)), `${f.rule} at ${f.line}`);
  });

  it('--sarif prints SARIF 2.1.0', async () => {
    const r = await kpr('scenarios', PRE, '--sarif');
    const doc = JSON.parse(r.out);
    assert.equal(doc.version, '2.1.0');
    assert.ok(doc.runs[0].results.some((x: { ruleId: string }) => x.ruleId === 'foreign-credits'));
  });

  it('callbacks lists what each callback passes as create', async () => {
    const r = await kpr('callbacks', POST);
    assert.equal(r.code, 0);
    assert.match(r.out, /get_block callback ext4_normal_get_block_write\n {2}passes create = 0 /);
  });

  it('exits 2 with a clear message on usage errors, 3 on unreadable input', async () => {
    for (const argv of [['scenarios'], ['scenarios', PRE, '--bogus'], ['scenarios', PRE, '--caller', 'nobody'], ['frob'], ['scenarios', FIXTURES], ['scenarios', PRE, '--steps=-3'], ['patch', 'x.patch', '--base', '--json'], ['scenarios', PRE, '--jobs', '2'], ['scenarios', PRE, '--format', 'xml'], ['scenarios', PRE, '--json', '--sarif']]) {
      const r = await kpr(...argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.err, /^kpr: /);
      assert.doesNotMatch(r.err, /at .*\.js:\d+/);
    }
    const unreadable = await kpr('scenarios', '/nonexistent/x.c');
    assert.equal(unreadable.code, 3);
    assert.match(unreadable.err, /^kpr: \/nonexistent\/x\.c: cannot read \(no such file\)/);
  });

  it('parseArgs: --base --json is an error, not a file named --json; -- and - are positionals; --version', async () => {
    const r = await kpr('patch', 'x.patch', '--base', '--json');
    assert.match(r.err, /--base needs a value/);
    const dash = await kpr('scenarios', '--', '--weird.c');
    assert.equal(dash.code, 3);
    assert.match(dash.err, /--weird\.c: cannot read/);
    const v = await kpr('--version');
    assert.equal(v.code, 0);
    assert.match(v.out, /^kpr \d+\.\d+\.\d+\n$/);
    const inline = await kpr('scenarios', PRE, '--caller=kswapd', '--json');
    assert.ok(JSON.parse(inline.out).runs.every((x: { caller: string }) => x.caller === 'kswapd'));
  });

  it('ends quietly when the reader closes the pipe (| head)', () => {
    const r = spawnSync('sh', ['-c', `node '${path.join(ROOT, 'bin', 'kpr.js')}' scenarios '${PRE}' --sarif | head -c 10`], { encoding: 'utf8' });
    assert.equal(r.stdout.length, 10);
    assert.equal(r.stderr, '');
  });

  it('--format b4 and github print one line per finding', async () => {
    const b4 = await kpr('scenarios', PRE, '--format', 'b4');
    assert.equal(b4.code, 1);
    const lines = b4.out.trimEnd().split('\n');
    assert.ok(lines.every((l) => /^(ERROR|WARNING): /.test(l)), b4.out);
    assert.ok(lines.some((l) => l.startsWith('ERROR: ') && l.includes(':167:8: error: ') && l.endsWith('[foreign-credits]')));
    const gh = await kpr('scenarios', PRE, '--format', 'github');
    const ghl = gh.out.trimEnd().split('\n');
    assert.equal(ghl.length, lines.length);
    assert.ok(ghl.every((l) => /^::(error|warning|notice) file=[^,]+,line=\d+,col=\d+(,endLine=\d+)?(,endColumn=\d+)?,title=kpr [a-z-]+::[^\n]+$/.test(l)), gh.out);
    const clean = await kpr('scenarios', POST, '--aops', 'ext4_ordered_aops', '--caller', 'kswapd', '--format', 'b4');
    assert.equal(clean.code, 0);
    assert.equal(clean.out, '');
  });
});
