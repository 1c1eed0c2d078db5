"""exp34: more of the category tree as features, on top of the shipped features and the shipped 7-class density
block. `other:w` adds, for each of the 8 first-level classes the labels never use (国土资源, 民政, 政法 …), the
density of the terms that class alone owns among all 15 (the SVM learns where those matters go); `l2:w` adds one
density feature per level-2 node (118), counting the terms that node alone owns (its own name and its level-3
names), so the SVM can weigh each sub-tree. Dev, external raw and their union (the measures that choose); `--fin`
adds the held-out half, printed for the record only."""
import os, sys, collections
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exp16 import *

def owned_terms(group, keep, minL=2, maxL=4):
    """term -> group key, for the 2..4-character pieces of level-2/3 names owned by one group only; groups that
    `keep` rejects are counted for ownership but get no terms."""
    owner = collections.defaultdict(set)
    for r in tax:
        for name in (r['level2'], r['level3']):
            if name in ('其他', ''): continue
            n = norm(name)
            for L in range(minL, min(maxL, len(n)) + 1):
                for i in range(len(n) - L + 1): owner[n[i:i + L]].add(group(r))
    return {t: next(iter(g)) for t, g in owner.items() if len(g) == 1 and keep(next(iter(g)))}

def density_block(terms, w):
    """The shipped density shape over any grouping: distinct terms by forward maximum matching / sqrt(length)."""
    keys = sorted(set(terms.values())); col = {k: i for i, k in enumerate(keys)}
    def f(texts):
        rows = []
        for t in texts:
            s = norm(t)[:1000]; v = [0.0] * len(keys); seen = set(); i = 0
            while i < len(s):
                m = 0
                for L in (4, 3, 2):
                    if i + L <= len(s) and s[i:i + L] in terms: m = L; break
                if m and s[i:i + m] not in seen:
                    seen.add(s[i:i + m]); v[col[terms[s[i:i + m]]]] += 1
                i += max(m, 1)
            L = max(len(s), 1) ** 0.5
            rows.append([w * x / L for x in v])
        return csr_matrix(np.array(rows))
    return f, len(keys)

if __name__ == '__main__':
    terms = build()
    other = owned_terms(lambda r: r['level1'], lambda k: k not in classes)
    l2 = owned_terms(lambda r: r['level1'] + '/' + r['level2'], lambda k: True)
    print(len(other), 'terms of the 8 other classes;', len(l2), 'terms of level-2 nodes', flush=True)
    sets = measure_sets()
    grid = sys.argv[1].split(',') if len(sys.argv) > 1 and ':' in sys.argv[1] else \
        ['none:0', 'other:0.5', 'other:1', 'other:2', 'l2:0.5', 'l2:1', 'l2:2']
    for g in grid:
        shape, w = g.split(':'); w = float(w)
        if shape == 'none':
            report(g, lambda tr: fit_shipped_with(tr, terms, lambda texts: csr_matrix((len(texts), 0))), sets)
            continue
        f, n = density_block(other if shape == 'other' else l2, w)
        report('%s (%d features)' % (g, n), lambda tr: fit_shipped_with(tr, terms, f), sets)
