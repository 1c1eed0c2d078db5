"""exp37: sentences pooled at inference. A raw message often tells several matters in turn; the full text's
decision values are mixed with the pooled decision values of its sentences (split at 。！？；!?; and line breaks,
sentences of at least 6 characters): (1 - a) * full + a * pool, pool = mean or max over the sentences. One
model per measure, trained as for the shipped features. Dev, external raw and their union (the measures that
choose); `--fin` adds the held-out half, printed for the record only."""
import os, sys, re
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exp16 import *

SPLIT = re.compile(r'[。！？；!?;\n]+')

def sentences(text):
    parts = [p for p in SPLIT.split(text) if len(norm(p)) >= 6]
    return parts or [text]

def fit_pooled(train, terms, mode, a):
    m, dec = fit_shipped(train, terms)
    def predict(texts):
        F = dec(texts)
        flat, owner = [], []
        for i, t in enumerate(texts):
            for s in sentences(t):
                flat.append(s); owner.append(i)
        S = dec(flat)
        owner = np.array(owner)
        P = np.zeros_like(F)
        for i in range(len(texts)):
            rows = S[owner == i]
            P[i] = rows.mean(axis=0) if mode == 'mean' else rows.max(axis=0)
        return m.classes_[np.argmax((1 - a) * F + a * P, axis=1)]
    return predict

if __name__ == '__main__':
    terms = build()
    sets = measure_sets()
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    grid = args[0].split(',') if args else ['mean:0', 'mean:0.2', 'mean:0.4', 'max:0.2', 'max:0.4']
    for g in grid:
        mode, a = g.split(':')
        report('pool ' + g, lambda tr: fit_pooled(tr, terms, mode, float(a)), sets)
