// SARIF of kpr scenarios, diff, patch and series validated against the official SARIF 2.1.0
// schema (the OASIS rtm.5 schema as shipped in @microsoft/jest-sarif), rule docs, the $kpr
// problem matcher of package.json on real CLI output.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { main } from '../../src/cli/main';
import { PROBLEM_LINE } from '../../src/cli/ciFormats';
import { RULE_DOCS } from '../../src/cli/ruleDocs';
import { RULE_IDS } from '../../src/engine';
import { buildFixtureRepo, type FixtureRepo, git } from './gitFixture';
import { ROOT, SAMPLE } from './helpers';

async function kpr(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, (s) => (out += s), (s) => (err += s));
  return { code, out, err };
}

// The engine's wall-clock budget cuts runs on a loaded machine; lift it for whole-document checks.
const NO_WALL_CLOCK = ['--time-ms', '600000'];

const SCHEMA = path.join(path.dirname(require.resolve('@microsoft/jest-sarif/package.json')), 'lib', 'schemas', 'sarif-2.1.0-rtm.5.json');
const PRE = path.join(SAMPLE, 'inode.c');
const POST = path.join(SAMPLE, 'inode-fixed.c');
const PATCH = path.join(SAMPLE, 'handle-page-without-buffers.patch');

describe('SARIF 2.1.0 of every command, and the $kpr problem matcher', function () {
  this.timeout(300_000);
  let repo: FixtureRepo;
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false }) // the schema's language pattern is not valid in unicode mode;
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(fs.readFileSync(SCHEMA, 'utf8')));

  before(() => {
    repo = buildFixtureRepo();
  });
  after(() => fs.rmSync(repo.dir, { recursive: true, force: true }));

  function valid(doc: unknown, what: string): void {
    const ok = validate(doc);
    assert.ok(ok, `${what}: ${JSON.stringify(validate.errors?.slice(0, 5), null, 1)}`);
  }

  it('the schema validator rejects a broken log (the test can fail)', () => {
    assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] }), false);
    assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: { name: 'kpr', rules: [{ id: 'x', helpUri: 'docs/rules.md#x' }] } }, results: [] }] }), false, 'a relative helpUri is not a uri');
  });

  let scenarios: { runs: { tool: { driver: { version: string; rules: { id: string; helpUri: string; shortDescription: { text: string }; fullDescription: { text: string }; help: { text: string } }[] } }; results: { codeFlows?: unknown[]; ruleId: string }[] }[] };
  it('kpr scenarios --sarif: valid; rules with absolute helpUri, descriptions and help; driver version; code flows', async () => {
    const r = await kpr('scenarios', PRE, '--sarif');
    scenarios = JSON.parse(r.out);
    valid(scenarios, 'scenarios');
    const driver = scenarios.runs[0].tool.driver;
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    assert.equal(driver.version, pkg.version);
    assert.deepEqual(driver.rules.map((x) => x.id), [...RULE_IDS]);
    const docs = fs.readFileSync(path.join(ROOT, 'docs', 'rules.md'), 'utf8');
    for (const rule of driver.rules) {
      assert.match(rule.helpUri, /^https:\/\/[^ ]+\/docs\/rules\.md#[a-z-]+$/);
      assert.ok(docs.includes(`## ${rule.id}\n`), `docs/rules.md has a section ${rule.id}`);
      assert.ok(rule.shortDescription.text && rule.fullDescription.text && rule.help.text);
      assert.equal(rule.shortDescription.text, RULE_DOCS[rule.id as keyof typeof RULE_DOCS].short);
    }
    const res = scenarios.runs[0].results;
    assert.ok(res.some((x) => x.ruleId === 'foreign-credits'));
    assert.ok(res.every((x) => (x.codeFlows?.length ?? 0) === 1));
  });

  it('kpr diff --sarif and kpr patch --sarif: valid, with baselineState new / absent', async () => {
    for (const argv of [['diff', PRE, POST, '--sarif'], ['patch', PATCH, '--base', PRE, '--sarif']]) {
      const r = await kpr(...argv);
      const doc = JSON.parse(r.out);
      valid(doc, argv[0]);
      const states = new Set(doc.runs[0].results.map((x: { baselineState: string }) => x.baselineState));
      assert.ok(states.has('new') && states.has('absent'), `${argv[0]}: ${[...states].join(', ')}`);
      const fixed = doc.runs[0].results.find((x: { ruleId: string; baselineState: string }) => x.ruleId === 'foreign-credits' && x.baselineState === 'absent');
      assert.ok(fixed, argv[0]);
      assert.equal(fixed.level, 'note');
    }
  });

  it('kpr series --sarif (and --merge): valid; unchanged for a finding older than the range, new for one introduced in it', async () => {
    const r = await kpr('series', `${repo.hashes.cosmetic}..${repo.hashes.rename}`, '--repo', repo.dir, ...NO_WALL_CLOCK, '--path', 'fs/ext4/inode.c', '--sarif');
    const doc = JSON.parse(r.out);
    valid(doc, 'series');
    const states = new Set(doc.runs[0].results.map((x: { baselineState: string }) => x.baselineState));
    assert.deepEqual([...states], ['unchanged']);
    const all = await kpr('series', `${repo.hashes.base}..${repo.hashes.fix}`, '--repo', repo.dir, ...NO_WALL_CLOCK, '--path', 'fs/ext4/inode.c', '--sarif');
    const d2 = JSON.parse(all.out);
    valid(d2, 'series');
    const s2 = new Set(d2.runs[0].results.map((x: { baselineState: string }) => x.baselineState));
    assert.ok(s2.has('absent') && s2.has('new'), [...s2].join(', '));
  });

  it('package.json contributes $kpr: its regexp is the CLI\'s, and matches every located line of real CLI output', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const m = pkg.contributes.problemMatchers.find((x: { name: string }) => x.name === 'kpr');
    assert.equal(m.pattern.regexp, PROBLEM_LINE.source);
    const re = new RegExp(m.pattern.regexp);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kpr-pm-'));
    const patch = path.join(tmp, 'fix.patch');
    fs.writeFileSync(patch, git(repo.dir, 'format-patch', '-1', '--stdout', repo.hashes.fix));
    const outputs = [
      await kpr('scenarios', PRE),
      await kpr('scenarios', PRE, '--format', 'b4'),
      await kpr('scenarios', path.join(SAMPLE, 'hostile.c')),
      await kpr('diff', PRE, POST),
      await kpr('diff', PRE, POST, '--format', 'b4'),
      await kpr('patch', PATCH, '--base', PRE),
      await kpr('patch', path.join(SAMPLE, 'broken.patch'), '--base', PRE),
      await kpr('patch', patch, '--repo', repo.dir),
      await kpr('series', `${repo.hashes.base}..${repo.hashes.fix}`, '--repo', repo.dir),
    ];
    let matched = 0;
    for (const o of outputs) {
      for (const line of o.out.split('\n')) {
        // A line that reports something at a place: FILE:LINE[:COL]: SEVERITY: ...
        if (!/^(?:ERROR: |WARNING: )?\S.*?:\d+(?::\d+)?: (error|warning|info|note): /.test(line)) continue;
        const g = re.exec(line);
        assert.ok(g, `not matched by $kpr: ${line}`);
        const [, file, ln, , severity, message, code] = g;
        // Paths of a patch are the patch's own (relative to the tree it applies to: the repository, or sample/).
        assert.ok(fs.existsSync(file) || fs.existsSync(path.join(repo.dir, file)) || fs.existsSync(path.join(SAMPLE, file)), `file ${file} of: ${line}`);
        assert.ok(Number(ln) >= 1);
        assert.ok(['error', 'warning', 'info'].includes(severity));
        assert.ok(message.length > 0);
        assert.ok(RULE_IDS.includes(code as never) || code.startsWith('input:'), code);
        matched++;
      }
    }
    assert.ok(matched > 40, `${matched} located lines`);
    fs.rmSync(tmp, { recursive: true, force: true });
  });
});
