import re, json, sys
def annotate(path, marks):
    lines = open(path).read().split('\n')
    lines = [re.sub(r' ?// expect(-also)?:.*$', '', l) for l in lines]
    targets = []
    for needle, nth, exp in marks:
        idx = [i for i,l in enumerate(lines) if l.strip() == needle]
        assert len(idx) > nth, (path, needle, idx)
        targets.append((idx[nth], exp))
    for i, exp in targets:
        lines[i] += ' // ' + ' ; '.join('expect: ' + e for e in exp)
    open(path, 'w').write('\n'.join(lines))
spec = json.load(open(sys.argv[1]))
for path, marks in spec.items():
    annotate(path, marks)
