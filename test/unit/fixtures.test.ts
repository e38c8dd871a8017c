// Every C fixture's inline `// expect:` comments are the exact set of findings the engine must
// produce on it: nothing missing, nothing extra.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeSource } from '../../src/engine';
import { compareWithExpectations, engineReady, FIXTURES, readExpectations, SAMPLE } from './helpers';

/** A C file without its header comment and its `// expect:` comments: what the code is. */
function codeOf(text: string): string[] {
  const lines = text.split('\n');
  const end = lines[0] === '/*' ? lines.indexOf(' */') + 1 : 0;
  return lines.slice(end).map((l) => l.replace(/\s*\/\/ expect:.*$/, ''));
}

/** The C fixtures, but not the kernel tree's (test/fixtures/tree: treeMode.test.ts runs those in their tree). */
function cFixtures(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return p === path.join(FIXTURES, 'tree') ? [] : cFixtures(p);
    return d.name.endsWith('.c') ? [p] : [];
  });
}

describe('fixtures: findings match the inline expectations', () => {
  before(engineReady);
  // test/fixtures/sample/ holds the demo workspace's C files with their expectations.
  const files = cFixtures(FIXTURES);
  it('there are fixtures', () => assert.ok(files.length >= 2));
  for (const file of files) {
    it(path.relative(path.dirname(FIXTURES), file), () => {
      const text = fs.readFileSync(file, 'utf8');
      // A fixture may ask for analysis options in its header: ` * kpr-options: {"pages": [...]}`.
      const opts = /^ \* kpr-options: (\{.*\})$/m.exec(text);
      const result = analyzeSource(text, file, opts ? JSON.parse(opts[1]) : {});
      assert.deepEqual(result.diagnostics.filter((d) => d.severity === 'error'), []);
      const problems = compareWithExpectations(result, readExpectations(text));
      assert.deepEqual(problems, [], problems.join('\n'));
    });
  }
});

describe('the demo sample is its fixture copy without the expectations', () => {
  const copies = cFixtures(path.join(FIXTURES, 'sample'));
  it('every C file of sample/ has a copy in test/fixtures/sample/, and back', () => {
    const demo = fs.readdirSync(SAMPLE).filter((f) => f.endsWith('.c')).sort();
    assert.deepEqual(copies.map((f) => path.basename(f)).sort(), demo);
  });
  for (const copy of copies) {
    const name = path.basename(copy);
    it(`sample/${name}: same code, line for line, no expect: comment and no fixture header`, () => {
      const demo = fs.readFileSync(path.join(SAMPLE, name), 'utf8');
      const fixture = fs.readFileSync(copy, 'utf8');
      assert.equal(demo.split('\n').length, fixture.split('\n').length, 'the same line count (findings keep their lines)');
      assert.deepEqual(codeOf(demo), codeOf(fixture));
      assert.doesNotMatch(demo, /expect:|fixture/i);
      assert.ok(readExpectations(fixture).length > 0, 'the fixture copy carries its expectations');
    });
  }
});
