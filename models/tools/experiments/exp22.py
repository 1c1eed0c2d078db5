"""exp22: the category tree's terms widened by pretrained word vectors (exp21's word2vec, W2V=…). Each tree term
(TaxonomyPrior's pieces owned by one class) that has a vector brings its k nearest words (cosine ≥ s, 2-6
characters) as terms of the same class; a word that two classes would claim, or that is already a term, is left
out. Then the shipped density block (weight 2) counts the widened terms. Dev, external raw, union; `--fin` adds
the held-out half, printed for the record only."""
import os, sys, collections, numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exp21 import *
base = build()
vocab = sorted(index)               # words with a vector, 2-6 characters, normalised form
V = M[[index[w] for w in vocab]]
def widened(k, s):
    claims = collections.defaultdict(set)
    for t, c in base.items():
        if t not in index: continue
        sims = V @ M[index[t]]
        for j in np.argsort(-sims)[:k + 1]:
            if sims[j] >= s and vocab[j] != t and vocab[j] not in base: claims[vocab[j]].add(c)
    extra = {w: next(iter(cs)) for w, cs in claims.items() if len(cs) == 1}
    out = dict(base); out.update(extra)
    return out, len(extra)
def fit2(train, terms):
    m, dec = fit_shipped(train, terms, lambda: LinearSVC(C=1.0))
    return lambda texts: m.classes_[np.argmax(dec(texts), axis=1)]
if __name__ == '__main__':
    sets = measure_sets()
    print(len(base), 'tree terms,', sum(t in index for t in base), 'with a vector', flush=True)
    for k, s in [(3, 0.6), (5, 0.6), (10, 0.6), (5, 0.7), (10, 0.5)]:
        terms, n = widened(k, s)
        report('k %d s %s +%d terms' % (k, s, n), lambda tr: fit2(tr, terms), sets)
