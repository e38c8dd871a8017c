// A file whose vm_operations_struct's ->page_mkwrite no address_space_operations table of its own
// runs (ocfs2's mmap.c): the write fault's row, named for the vm_operations_struct, with what an
// aops table would tell (data mode, delalloc) guessed by the paths that ask.
import * as assert from 'node:assert/strict';
import { analyzeSource, type ScenarioResult } from '../../src/engine';
import { formatScenarios } from '../../src/cli/format';
import { buildMatrix } from '../../webview/model';
import { inputProblems } from '../../src/extension/patch/viewModel';
import { engineReady, fixture } from './helpers';

const MODE = (body: string): string => `
#include <linux/mm.h>
static int mf_page_mkwrite(struct vm_area_struct *vma, struct page *page)
{
	struct inode *inode = vma->vm_file->f_path.dentry->d_inode;
	int ret = 0;

	lock_page(page);
${body}
}
static struct vm_operations_struct mf_vm_ops = {
	.page_mkwrite	= mf_page_mkwrite,
};
`;

describe('vm_operations_struct rows (the write fault of a file without an aops table)', () => {
  let r: ScenarioResult;

  before(async () => {
    await engineReady();
    r = analyzeSource(fixture('entrypoints/vmops-page-mkwrite.c'), 'vmops-page-mkwrite.c');
  });

  it('runs the ->page_mkwrite of a vm_operations_struct under the write fault, the row named for the table', () => {
    assert.deepEqual(r.entries, []);
    assert.deepEqual(r.runs.map((x) => `${x.aops}/${x.entry}/${x.caller}/${x.page}`), ['vf_file_vm_ops/vf_page_mkwrite/page-fault/hole-clean']);
    assert.deepEqual(r.faultEntries?.map((f) => [f.vmOps, f.line, f.pageMkwrite, f.pageMkwriteLine]), [['vf_file_vm_ops', 43, 'vf_page_mkwrite', 18]]);
    // The write_begin of another file is an unmodelled call, and what rests on its result a warning.
    assert.ok(r.unmodelled.some((u) => u.name === 'vf_write_begin_nolock'));
    const findings = r.runs.flatMap((x) => x.findings);
    assert.deepEqual(findings.map((f) => `${f.rule} ${f.severity} ${f.line}`), ['page-lock-contract warning 40']);
    assert.ok(findings[0].assumptions?.some((a) => /vf_write_begin_nolock/.test(a.name)));
  });

  it('shows the row in the CLI matrix and in the panel, one cell per run', () => {
    const text = formatScenarios(r);
    assert.match(text, /^vf_file_vm_ops → vf_page_mkwrite \(line 18, vm_operations_struct: data mode and delalloc not known\)$/m);
    assert.match(text, /the write fault runs vf_file_vm_ops\.page_mkwrite vf_page_mkwrite/);
    const m = buildMatrix(r, { rule: 'all', severity: 'all' });
    assert.deepEqual(m.tables.map((t) => [t.title, t.callers, t.pages]), [['vf_file_vm_ops → vf_page_mkwrite (line 18)', ['page-fault'], ['hole-clean']]]);
    assert.equal(m.tables.flatMap((t) => t.rows.flat()).filter((c) => c.run).length, r.runs.length);
  });

  it("the patch view's note on a side without an aops table names the write fault it runs", () => {
    const r = analyzeSource(fixture('entrypoints/vmops-page-mkwrite.c'), 'vmops-page-mkwrite.c');
    const note = inputProblems('pre-image', r).find((p) => p.includes('no address_space_operations table'));
    assert.ok(note, inputProblems('pre-image', r).join('\n'));
    assert.match(note, /the write fault runs \w+\.page_mkwrite \w+/);
  });

  it('adds no row when an aops table of the file already runs the same ->page_mkwrite', () => {
    const both = analyzeSource(fixture('entrypoints/mkwrite-truncate.c'), 'mkwrite-truncate.c', { callers: ['page-fault'] });
    assert.equal(both.faultEntries, undefined);
    assert.deepEqual([...new Set(both.runs.map((x) => x.aops))], ['mt_aops']);
  });

  it('guesses the data mode: a finding of one mode is a warning naming it, one of every mode an error', () => {
    const one = analyzeSource(MODE('\tif (ext4_should_journal_data(inode))\n\t\treturn 0;\n\tunlock_page(page);\n\treturn 0;'), 'mode.c');
    const f1 = one.runs.flatMap((x) => x.findings);
    assert.deepEqual(f1.map((f) => `${f.rule} ${f.severity}`), ['page-lock-contract warning']);
    assert.ok(f1[0].assumptions?.some((a) => /data=/.test(a.assumed)), JSON.stringify(f1[0].assumptions));
    const every = analyzeSource(MODE('\tif (ext4_should_journal_data(inode))\n\t\tret = 1;\n\treturn ret;'), 'mode.c');
    assert.deepEqual(every.runs.flatMap((x) => x.findings).map((f) => `${f.rule} ${f.severity}`), ['page-lock-contract error']);
  });

  it("leaves mapping->a_ops unknown: the filesystem's aops of another file are unmodelled calls", () => {
    const src = MODE('\tunlock_page(page);\n\tret = inode->i_mapping->a_ops->write_begin(NULL, inode->i_mapping, 0, 4096, 0, &page, NULL);\n\treturn ret;');
    const a = analyzeSource(src, 'aops.c');
    assert.equal(a.runs.length, 1);
    assert.deepEqual(a.unmodelled.map((u) => u.name), ['(unknown(mapping->a_ops->write_begin))']);
  });

  it('guesses delalloc the same way', () => {
    const da = analyzeSource(MODE('\tif (test_opt(inode->i_sb, DELALLOC))\n\t\treturn 0;\n\tunlock_page(page);\n\treturn 0;'), 'da.c');
    const f = da.runs.flatMap((x) => x.findings);
    assert.deepEqual(f.map((x) => `${x.rule} ${x.severity}`), ['page-lock-contract warning']);
    assert.ok(f[0].assumptions?.some((a) => /-o delalloc/.test(a.assumed)), JSON.stringify(f[0].assumptions));
  });
});
