"""exp35: the relative weights of the shipped feature blocks. Each block (character 1-3-grams, dictionary words,
the head's 1-3-grams) has its own L2 norm, so the three weigh the same; here each is scaled (`c:w:h`, the density
block unchanged at 2) in case one of them deserves more or less than the others on raw text. Dev, external raw and
their union (the measures that choose); `--fin` adds the held-out half, printed for the record only."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exp16 import *

class WeightedFeatures(ShippedFeatures):
    """The shipped features with each TF-IDF block scaled by its weight."""
    def __init__(self, terms, weights):
        super().__init__(terms)
        self.weights = weights
    def fit(self, texts):
        return hstack([wt * b.fit_transform(texts) for wt, b in zip(self.weights, self.blocks)]
                      + [density(texts, self.terms, self.w)]).tocsr()
    def transform(self, texts):
        return hstack([wt * b.transform(texts) for wt, b in zip(self.weights, self.blocks)]
                      + [density(texts, self.terms, self.w)]).tocsr()

def fit_weighted(train, terms, weights):
    f = WeightedFeatures(terms, weights)
    m = LinearSVC(C=1.0, random_state=0).fit(f.fit([t for t, _ in train]), [l for _, l in train])
    return lambda texts: m.predict(f.transform(texts))

if __name__ == '__main__':
    terms = build()
    sets = measure_sets()
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    grid = args[0].split(',') if args else ['1:1:1', '1:1.5:1', '1:0.7:1', '1:1:0.6', '1:1:1.4', '0.8:1:1', '1.25:1:1']
    for g in grid:
        weights = [float(x) for x in g.split(':')]
        report(g, lambda tr: fit_weighted(tr, terms, weights), sets)
