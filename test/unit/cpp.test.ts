// The kernel-tree preprocessor on C text: the C99 standard's own macro examples, the GNU
// extensions kernel headers use, conditionals on a configuration, includes in a tree of
// the kernel's layout (test/fixtures/tree), and bad input located, never thrown.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { preprocess, type SourceHost } from '../../src/engine/cpp';
import { configMacros, DEFAULT_CONFIG, treeDefines } from '../../src/engine/tree/config';
import { isKernelTree, treeHost, treeLayout } from '../../src/engine/tree/layout';
import { main } from '../../src/cli/main';
import { FIXTURES } from './helpers';

/** A host over an in-memory set of files. */
function memHost(files: Record<string, string>): SourceHost {
  return { read: (f) => files[f] };
}

function run(text: string, defines: Record<string, string> = {}) {
  const r = preprocess('/t.c', memHost({ '/t.c': text }), { includeDirs: [], defines });
  return { text: r.units[0].text, r };
}

const squash = (s: string) => s.replace(/\s+/g, '');

const TREE = path.join(FIXTURES, 'tree');
const treeLay = treeLayout(TREE);
const treeFiles = treeHost(treeLay, configMacros({ ...DEFAULT_CONFIG }));

describe('kernel-tree preprocessor', function () {
  it('expands C99 6.10.3.5 example 3 as the standard says', function () {
    const src = [
      '#define x 3',
      '#define f(a) f(x * (a))',
      '#undef x',
      '#define x 2',
      '#define g f',
      '#define z z[0]',
      '#define h g(~',
      '#define m(a) a(w)',
      '#define w 0,1',
      '#define t(a) a',
      '#define p() int',
      '#define q(x) x',
      '#define r(x,y) x ## y',
      '#define str(x) # x',
      'f(y+1) + f(f(z)) % t(t(g)(0) + t)(1);',
      'g(x+(3,4)-w) | h 5) & m',
      '(f)^m(m);',
      'p() i[q()] = { q(1), r(2,3), r(4,), r(,5), r(,) };',
      'char c[2][6] = { str(hello), str() };',
    ].join('\n');
    const { text, r } = run(src);
    assert.deepEqual(r.diagnostics, []);
    const lines = text.split('\n');
    assert.equal(squash(lines[14]), squash('f(2 * (y+1)) + f(2 * (f(2 * (z[0])))) % f(2 * (0)) + t(1);'));
    assert.equal(squash(lines[15] + lines[16]), squash('f(2 * (2+(3,4)-0,1)) | f(2 * (~ 5)) & f(2 * (0,1))^m(0,1);'));
    assert.equal(squash(lines[17]), squash('int i[] = { 1, 23, 4, 5, };'));
    assert.equal(squash(lines[18]), squash('char c[2][6] = { "hello", "" };'));
  });

  it('expands C99 6.10.3.5 example 4 (stringizing and pasting) and 7 (variadic)', function () {
    const src = [
      '#define str(s) # s',
      '#define xstr(s) str(s)',
      '#define INCFILE(n) vers ## n',
      '#define glue(a, b) a ## b',
      '#define xglue(a, b) glue(a, b)',
      '#define HIGHLOW "hello"',
      '#define LOW LOW ", world"',
      'glue(HIGH, LOW);',
      'xglue(HIGH, LOW)',
      'xstr(INCFILE(2).h)',
      '#define showlist(...) puts(#__VA_ARGS__)',
      '#define report(test, ...) ((test)?puts(#test): printf(__VA_ARGS__))',
      'showlist(The first, second, and third items.);',
      'report(x>y, "x is %d but y is %d", x, y);',
    ].join('\n');
    const lines = run(src).text.split('\n');
    assert.equal(squash(lines[7]), squash('"hello";'));
    assert.equal(squash(lines[8]), squash('"hello" ", world"'));
    assert.equal(lines[9].trim(), '"vers2.h"');
    assert.equal(squash(lines[12]), squash('puts("The first, second, and third items.");'));
    assert.equal(squash(lines[13]), squash('((x>y)?puts("x>y"): printf("x is %d but y is %d", x, y));'));
  });

  it('drops the comma of `, ## __VA_ARGS__` when there are no variadic arguments (GNU), and takes named variadics', function () {
    const src = ['#define dbg(fmt, ...) printk(fmt, ##__VA_ARGS__)', '#define e(fmt, args...) printk(fmt, ## args)', 'dbg("a");', 'dbg("b %d", 1);', 'e("c");', 'e("d %d %d", 1, 2);'].join('\n');
    const lines = run(src).text.split('\n');
    assert.equal(squash(lines[2]), 'printk("a");');
    assert.equal(squash(lines[3]), 'printk("b%d",1);');
    assert.equal(squash(lines[4]), 'printk("c");');
    assert.equal(squash(lines[5]), 'printk("d%d%d",1,2);');
  });

  it('leaves a macro whose body uses typeof as a call in the text (the C grammar cannot read typeof(expr)), and expands it in #if', function () {
    const src = ['#define container_of(ptr, type, member) ({ const typeof(((type *)0)->member) *__mptr = (ptr); (type *)((char *)__mptr - 8); })', '#define T typeof(1)', '#define ONE 1', 'x = container_of(p, struct foo, list);', 'int ONE_ = ONE;'].join('\n');
    const lines = run(src).text.split('\n');
    assert.equal(lines[3], 'x = container_of(p, struct foo, list);');
    assert.equal(squash(lines[4]), 'intONE_=1;');
  });

  it('never expands a macro inside its own expansion', function () {
    const { text, r } = run(['#define foo foo + 1', '#define a b', '#define b a', 'foo; a; b;'].join('\n'));
    assert.equal(squash(text.split('\n')[3]), 'foo+1;a;b;');
    assert.deepEqual(r.diagnostics, []);
  });

  it('evaluates #if / #elif on the configuration: defined, arithmetic, unknown identifiers as 0', function () {
    const src = [
      '#if defined(CONFIG_EXT4DEV_FS) || defined CONFIG_EXT4_FS',
      'int ext4 = 1;',
      '#elif CONFIG_UNKNOWN + 1 == 1',
      'int unknown_is_zero = 1;',
      '#else',
      'int neither = 1;',
      '#endif',
      '#if (1 << 12) == 4096 && -1 < 0 && 0x10 == 020 && \'A\' == 65 && (2 ? 3 : 4) == 3',
      'int arith = 1;',
      '#endif',
      '#ifndef CONFIG_JBD2_DEBUG',
      'int no_debug = 1;',
      '#endif',
    ].join('\n');
    const off = run(src).text;
    assert.match(off, /int unknown_is_zero = 1;/);
    assert.doesNotMatch(off, /int ext4|neither/);
    assert.match(off, /int arith = 1;/);
    assert.match(off, /int no_debug = 1;/);
    const on = run(src, { CONFIG_EXT4_FS: '1' }).text;
    assert.match(on, /int ext4 = 1;/);
    assert.doesNotMatch(on, /unknown_is_zero/);
  });

  it('keeps every line where it was, and unexpanded tokens in their columns', function () {
    const src = ['#define N 8', 'static int a[N];', '\tint   keep_columns = 1;  /* a comment */', '#ifdef X', 'int gone;', '#endif', 'int last;'].join('\n');
    const { text } = run(src);
    const lines = text.split('\n');
    assert.equal(lines[0], '');
    assert.equal(lines[1], 'static int a[8];');
    assert.equal(lines[2], '\tint   keep_columns = 1;'.replace('\t', ' '));
    assert.equal(lines[4], '');
    assert.equal(lines[6], 'int last;');
  });

  it('reports bad input at its line and goes on: #error, unterminated #if, bad #if, wrong argument count, missing include', function () {
    const src = [
      '#if 1 +',
      '#endif',
      '#define two(a, b) a b',
      'two(1);',
      '#include "nowhere.h"',
      '#error stop here',
      '#bogus',
      '#ifdef OPEN',
      'int after;',
    ].join('\n');
    const { r } = run(src);
    const at = (line: number) => r.diagnostics.filter((d) => d.line === line).map((d) => `${d.severity}: ${d.message}`);
    assert.match(at(1).join(), /error: #if: .*ends too early/);
    assert.match(at(4).join(), /macro two takes 2 argument\(s\), 1 given/);
    assert.match(at(5).join(), /warning: #include "nowhere.h": not found/);
    assert.match(at(6).join(), /error: #error stop here/);
    assert.match(at(7).join(), /unknown directive #bogus/);
    assert.match(at(8).join(), /unterminated #if/);
  });

  it('stops an exploding macro with a located diagnostic, not a hang', function () {
    const defs = ['#define A0 x'];
    for (let i = 1; i <= 19; i++) defs.push(`#define A${i} A${i - 1} A${i - 1}`);
    const { r } = run([...defs, 'A19;'].join('\n'));
    assert.ok(r.diagnostics.some((d) => d.line === 21 && /macro expansion stopped/.test(d.message)), JSON.stringify(r.diagnostics));
  });

  it('preprocesses a buffer.c of a kernel-layout tree: includes found, include_next, BUFFER_FNS functions, page_buffers', function () {
    assert.ok(isKernelTree(TREE));
    assert.equal(treeLay.version?.text, '2.6.27-kpr');
    assert.deepEqual(treeLay.includeDirs, ['arch/x86/include', 'include']);
    const r = preprocess('fs/buffer.c', treeFiles, {
      includeDirs: treeLay.includeDirs,
      defines: treeDefines(),
      emit: (f) => f === 'fs/buffer.c' || f === 'include/linux/buffer_head.h',
    });
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(
      r.files.map((f) => f.file),
      ['fs/buffer.c', 'include/linux/buffer_head.h', 'include/linux/compiler.h', 'include/linux/bug.h', 'arch/x86/include/asm/bitops.h', 'include/asm/bitops.h', 'include/asm-generic/bitops.h', 'include/linux/fs.h', 'include/linux/version.h'],
    );
    assert.ok(r.macros.get('ARCH_HAS_FAST_BITOPS') && r.macros.get('GENERIC_ASM_BITOPS'), 'include_next reached the generic header');
    const header = r.units.find((u) => u.file === 'include/linux/buffer_head.h')!;
    const bufferFnsLine = header.text.split('\n').findIndex((l) => /set_buffer_uptodate/.test(l)) + 1;
    assert.ok(bufferFnsLine > 0, header.text);
    // The generated functions sit on the line of the BUFFER_FNS invocation.
    assert.match(fs.readFileSync(path.join(TREE, 'include/linux/buffer_head.h'), 'utf8').split('\n')[bufferFnsLine - 1], /^BUFFER_FNS\(Uptodate, uptodate\)/);
    assert.match(squash(header.text), /staticinlineintbuffer_mapped\(conststructbuffer_head\*bh\)\{returntest_bit\(BH_Mapped,&\(bh\)->b_state\);\}/);
    assert.match(squash(header.text), /staticinlineinttest_set_buffer_dirty\(/);
    assert.deepEqual(header.expansions.get(bufferFnsLine), ['BUFFER_FNS']);

    const c = r.units.find((u) => u.file === 'fs/buffer.c')!;
    const lines = c.text.split('\n');
    const src = fs.readFileSync(path.join(TREE, 'fs/buffer.c'), 'utf8').split('\n');
    assert.equal(lines.length, src.length + (src[src.length - 1] === '' ? 0 : 1));
    const lineOf = (re: RegExp) => src.findIndex((l) => re.test(l));
    assert.match(squash(lines[lineOf(/BUG_ON\(!PageLocked/)]), /do\{if\(__builtin_expect\(!!\(!PageLocked\(page\)\),0\)\)do\{panic\("BUGat%s:%d","fs\/buffer.c",\d+\);\}while\(0\);\}while\(0\);/);
    assert.match(squash(lines[lineOf(/head = page_buffers/)]), /head=\(\{do\{.*PagePrivate\(page\).*\(\(structbuffer_head\*\)page_private\(page\)\);\}\);/);
    assert.match(squash(lines[lineOf(/pr_debug\("done/)]), /^printk\("<7>""done\\n"\);$/);
    assert.equal(squash(lines[lineOf(/tree_checks = TREE_CHECKS/)]), 'staticconstinttree_checks=1+1;', 'LINUX_VERSION_CODE of the generated version.h, from the Makefile');
    // Lines without a macro keep their text and columns.
    assert.equal(lines[lineOf(/^\tbh = head;/)], src[lineOf(/^\tbh = head;/)].replace(/\t/g, ' '));
    assert.match(lines[lineOf(/BUG_ON\(!PageLocked/)], new RegExp(`"fs/buffer.c", ${lineOf(/BUG_ON\(!PageLocked/) + 1}\\)`), '__LINE__ is the invocation line');
  });

  it('kpr cpp: the file as the tree mode sees it, modelled macros kept as calls; --expand-all, --kconfig, --json; a file outside a tree is a usage error', async function () {
    const file = path.join(TREE, 'fs/buffer.c');
    const run = async (...argv: string[]) => {
      let out = '';
      let err = '';
      const code = await main(['cpp', ...argv], (x) => (out += x), (x) => (err += x));
      return { code, out, err };
    };
    const kept = await run(file);
    assert.equal(kept.code, 0, kept.err);
    const src = fs.readFileSync(file, 'utf8').split('\n');
    const at = (out: string, re: RegExp) => out.split('\n')[src.findIndex((l) => re.test(l))];
    assert.equal(at(kept.out, /BUG_ON\(!PageLocked/).trim(), 'BUG_ON(!PageLocked(page));');
    assert.equal(at(kept.out, /head = page_buffers/).trim(), 'head = page_buffers(page);');
    const all = await run(file, '--expand-all');
    assert.match(at(all.out, /head = page_buffers/), /\(\{ do \{/);
    const nobug = await run(file, '--expand-all', '--kconfig', 'BUG=n');
    assert.doesNotMatch(at(nobug.out, /BUG_ON\(!PageLocked/), /panic/);
    assert.equal(squash(at(nobug.out, /tree_checks = TREE_CHECKS/)), 'staticconstinttree_checks=0+1;');
    const json = await run(file, '--json', '--tree', TREE);
    const j = JSON.parse(json.out);
    assert.equal(j.file, 'fs/buffer.c');
    assert.equal(j.tree.version, '2.6.27-kpr');
    assert.ok(j.files.length >= 8);
    const outside = await run(path.join(FIXTURES, 'lock-order', fs.readdirSync(path.join(FIXTURES, 'lock-order'))[0]));
    assert.equal(outside.code, 2);
    assert.match(outside.err, /not inside a kernel tree: give the tree with --tree DIR/);
    const bad = await run(file, '--kconfig', 'nonsense');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--kconfig nonsense: expected KEY=y\|m\|n\|VALUE/);
  });
});
