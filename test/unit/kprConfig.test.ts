// The one configuration (.kpr.json): validation with located problems, layering with origins,
// the JSON schema the extension contributes in step with the keys, and `kpr config --print`.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { CONFIG_KEYS, configAnalyzeOptions, parseConfigText, resolveConfig } from '../../src/shared/kprConfig';
import { ROOT, SAMPLE } from './helpers';

async function kpr(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, (s) => (out += s), (s) => (err += s));
  return { code, out, err };
}

describe('.kpr.json', () => {
  it('parses values and suppressions; bad parts become located problems and are left out', () => {
    const c = parseConfigText(JSON.stringify({ budgets: { stepsPerPath: 100, pathsPerRun: -1 }, scenarios: { callers: ['kswapd', 'nobody'] }, colour: 'blue', suppressions: [{ rule: 'kernel-bug', function: 'f', reason: 'r' }, { rule: 'nope', function: 'f' }, { rule: 'kernel-bug', function: 'g' }] }));
    assert.deepEqual(c.values, { 'budgets.stepsPerPath': 100 });
    assert.deepEqual(c.problems.map((p) => [p.path, p.severity]), [
      ['budgets.pathsPerRun', 'error'],
      ['scenarios.callers', 'error'],
      ['colour', 'warning'],
      ['suppressions[1].rule', 'error'],
      ['suppressions[2].reason', 'warning'],
    ]);
    assert.equal(c.suppressions.length, 2);
    assert.match(parseConfigText('{').problems[0].message, /not valid JSON/);
  });

  it('layers: later wins key by key, with the origin of each value', () => {
    const e = resolveConfig([
      { origin: 'a/.kpr.json', values: { 'budgets.stepsPerPath': 10, 'mount.nobh': true } },
      { origin: 'setting', values: { 'budgets.stepsPerPath': 20 } },
    ]);
    assert.equal(e.values['budgets.stepsPerPath'], 20);
    assert.equal(e.origins['budgets.stepsPerPath'], 'setting');
    assert.equal(e.origins['mount.nobh'], 'a/.kpr.json');
    assert.equal(e.origins['budgets.callDepth'], 'default');
    assert.deepEqual(configAnalyzeOptions(e).mount, { nobh: true });
  });

  it('the contributed JSON schema has exactly the keys the parser knows', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas', 'kpr.schema.json'), 'utf8'));
    const keys: string[] = [];
    const walk = (props: Record<string, { properties?: Record<string, unknown>; type?: string }>, prefix: string) => {
      for (const [k, v] of Object.entries(props)) {
        const p = prefix ? `${prefix}.${k}` : k;
        if (p === '$schema' || p === 'suppressions') continue;
        if (v.type === 'object' && v.properties) walk(v.properties as never, p);
        else keys.push(p);
      }
    };
    walk(schema.properties, '');
    assert.deepEqual(keys.sort(), [...CONFIG_KEYS].sort());
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    assert.deepEqual(pkg.contributes.jsonValidation, [{ fileMatch: '.kpr.json', url: './schemas/kpr.schema.json' }]);
  });

  describe('kpr with a config file', () => {
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpr-config-'));
      fs.mkdirSync(path.join(dir, 'fs', 'ext4'), { recursive: true });
      fs.copyFileSync(path.join(SAMPLE, 'inode.c'), path.join(dir, 'fs', 'ext4', 'inode.c'));
      fs.writeFileSync(path.join(dir, '.kpr.json'), JSON.stringify({ budgets: { stepsPerPath: 5000 }, diagnostics: { severity: { 'kernel-bug': 'off' } }, suppressions: [{ rule: 'foreign-credits', function: 'ext4_da_get_block_write', reason: 'tracked upstream' }] }));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('config --print shows each value and where it came from (file, command line, default)', async () => {
      const file = path.join(dir, 'fs', 'ext4', 'inode.c');
      const r = await kpr('config', '--print', file, '--paths', '64');
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, new RegExp(`config file: ${path.join(dir, '.kpr.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      assert.match(r.out, /budgets\.stepsPerPath\s+5000\s+\(.*\.kpr\.json\)/);
      assert.match(r.out, /budgets\.pathsPerRun\s+64\s+\(command line\)/);
      assert.match(r.out, /budgets\.callDepth\s+32\s+\(default\)/);
      assert.match(r.out, /diagnostics\.severity\.kernel-bug\s+"off"/);
      assert.match(r.out, /foreign-credits in ext4_da_get_block_write: tracked upstream/);
    });

    it('scenarios read it upward from the file: severities and suppressions apply to text, JSON and SARIF', async () => {
      const file = path.join(dir, 'fs', 'ext4', 'inode.c');
      const r = await kpr('scenarios', file);
      assert.doesNotMatch(r.out, /\[kernel-bug\]|\[foreign-credits\]/);
      assert.match(r.out, /\[alloc-under-page-lock\]/);
      assert.match(r.out, /^suppressed: 1 finding \(--json lists them under runs\[\]\.suppressed\)$/m);
      assert.match(r.out, /^  foreign-credits in ext4_da_get_block_write \(line \d+, \d+ scenarios?\): suppressions of .*\.kpr\.json: tracked upstream$/m);
      const j = JSON.parse((await kpr('scenarios', file, '--json')).out);
      assert.ok(j.runs.some((x: { suppressed?: { rule: string }[] }) => x.suppressed?.some((f) => f.rule === 'foreign-credits')));
      const s = JSON.parse((await kpr('scenarios', file, '--sarif')).out);
      const sup = s.runs[0].results.filter((x: { suppressions?: unknown[] }) => x.suppressions);
      assert.ok(sup.length > 0 && sup.every((x: { ruleId: string; suppressions: { kind: string; justification: string }[] }) => x.ruleId === 'foreign-credits' && x.suppressions[0].kind === 'external' && x.suppressions[0].justification === 'tracked upstream'));
    });

    it('a --config that cannot be read is a usage error', async () => {
      const r = await kpr('scenarios', path.join(SAMPLE, 'inode.c'), '--config', path.join(dir, 'missing.json'));
      assert.equal(r.code, 2);
      assert.match(r.err, /--config .*missing\.json: cannot read \(no such file\)/);
    });
  });
});
