// Dev aid: prints the findings of `kpr scenarios FILE --json` grouped per line as expect:
// comments, for a human to review before pinning them in a fixture. Usage: node ... FILE
import { execFileSync } from 'node:child_process';
const file = process.argv[2];
let out;
try { out = execFileSync('node', ['bin/kpr.js', 'scenarios', file, '--json'], { encoding: 'utf8', maxBuffer: 1 << 30 }); } catch (e) { out = e.stdout; }
const doc = JSON.parse(out);
const by = new Map();
for (const r of doc.runs) for (const f of r.findings) {
  const k = `${f.line}|${f.rule}|${f.severity}`;
  if (!by.has(k)) by.set(k, []);
  by.get(k).push(`${r.aops}:${r.caller}:${r.page}`);
}
for (const [k, pats] of [...by].sort((a, b) => parseInt(a[0]) - parseInt(b[0]))) {
  const [line, rule, sev] = k.split('|');
  console.log(`${line}\t${rule} ${sev} ${pats.join(',')}`);
}
