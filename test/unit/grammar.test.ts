// syntaxes/kpr-report.tmLanguage.json: valid, contributed, and its rules match the lines kpr prints.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { engineReady, ROOT, SAMPLE } from './helpers';

interface Rule {
  match?: string;
}

describe('kpr report grammar', () => {
  before(engineReady);
  const grammar = JSON.parse(fs.readFileSync(path.join(ROOT, 'syntaxes', 'kpr-report.tmLanguage.json'), 'utf8')) as { scopeName: string; repository: Record<string, Rule> };
  const rules = Object.fromEntries(Object.entries(grammar.repository).map(([k, r]) => [k, new RegExp(r.match ?? '', 'm')]));

  it('is contributed for the kpr-report language', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    assert.ok(pkg.contributes.languages.some((l: { id: string }) => l.id === 'kpr-report'));
    assert.ok(pkg.contributes.grammars.some((g: { scopeName: string; path: string }) => g.scopeName === grammar.scopeName && fs.existsSync(path.join(ROOT, g.path))));
  });

  it('matches the finding lines, table headings and the count line of kpr scenarios', async () => {
    let out = '';
    await main(['scenarios', path.join(SAMPLE, 'inode.c')], (s) => (out += s), () => undefined);
    const lines = out.split('\n');
    const findings = lines.filter((l) => /: (error|warning): /.test(l));
    assert.ok(findings.length > 0);
    for (const l of findings) assert.match(l, rules.finding);
    assert.ok(lines.some((l) => rules.entry.test(l)), 'no "aops → writepage (...)" heading matched');
    assert.ok(lines.some((l) => rules.summary.test(l)), 'no "N findings in M scenarios" line matched');
  });
});
