#!/usr/bin/env python3
"""Compares the C++ and cel-js verdicts (true, false or error) of the cases in DIR; prints each
disagreeing rule with an example, and how often each rule failed. Exit 1 on a disagreement."""
import collections, json, sys
d = sys.argv[1]
cases = [json.loads(l) for l in open(d + '/cases.jsonl')]
cpp = [l.strip() for l in open(d + '/cpp.out')]
js = [l.strip() for l in open(d + '/js.out')]
assert len(cases) == len(cpp) == len(js), (len(cases), len(cpp), len(js))
cat = lambda s: s.split()[0]
agree, bad, verdicts = collections.Counter(), collections.defaultdict(list), collections.defaultdict(set)
for c, a, b in zip(cases, cpp, js):
    verdicts[(c['message'], c['rule'])].add(cat(a))
    if cat(a) == cat(b):
        agree[cat(a)] += 1
    else:
        bad[(c['message'], cat(a), cat(b))].append((c, a, b))
print(f"{len(cases)} cases over {len(verdicts)} rules; agreeing: {dict(agree)}")
for (message, a, b), v in sorted(bad.items(), key=lambda x: -len(x[1])):
    c, ao, bo = v[0]
    print(f"{len(v):6d} C++ {a}, cel-js {b}: {message}\n       self={json.dumps(c['self'])[:300]}\n"
          f"       C++: {ao[:100]}\n       cel-js: {bo[:100]}")
never_false = [m for (m, r), v in verdicts.items() if 'false' not in v]
if never_false:
    print(f"{len(never_false)} rules never failed on these cases (test them by hand):")
    for m in never_false:
        print("  " + m[:110])
sys.exit(1 if bad else 0)
