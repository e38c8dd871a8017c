// Every C fixture's inline `// expect:` comments are the exact set of findings the engine must
// produce on it: nothing missing, nothing extra.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeSource } from '../../src/engine';
import { compareWithExpectations, engineReady, FIXTURES, readExpectations, SAMPLE } from './helpers';

function cFixtures(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return cFixtures(p);
    return d.name.endsWith('.c') ? [p] : [];
  });
}

describe('fixtures: findings match the inline expectations', () => {
  before(engineReady);
  // The sample workspace's C files carry their expectations too (inode.c, inode-fixed.c, ...).
  const files = [...cFixtures(FIXTURES), ...cFixtures(SAMPLE)];
  it('there are fixtures', () => assert.ok(files.length >= 2));
  for (const file of files) {
    it(path.relative(path.dirname(FIXTURES), file), () => {
      const text = fs.readFileSync(file, 'utf8');
      const result = analyzeSource(text, file);
      assert.deepEqual(result.diagnostics.filter((d) => d.severity === 'error'), []);
      const problems = compareWithExpectations(result, readExpectations(text));
      assert.deepEqual(problems, [], problems.join('\n'));
    });
  }
});
