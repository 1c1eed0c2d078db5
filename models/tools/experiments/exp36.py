"""exp36: a tail block. Citizens often end with what they ask for and of whom ("请教育局…", "希望物业…"), as they
begin with the matter (the head block reads the first 20 characters). Character 1-3-grams of the last N normalised
characters as a fourth TF-IDF block with its own L2 norm, weight a, on top of the shipped features. Dev, external
raw and their union (the measures that choose); `--fin` adds the held-out half, printed for the record only."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exp16 import *

class TailFeatures(ShippedFeatures):
    """The shipped features plus the tail's character 1-3-grams, weight `a`."""
    def __init__(self, terms, n, a):
        super().__init__(terms)
        self.a = a
        self.tail = TfidfVectorizer(analyzer='char', ngram_range=(1, 3), sublinear_tf=True,
                                    preprocessor=lambda t: norm(t)[-n:])
    def fit(self, texts):
        return hstack([super().fit(texts), self.a * self.tail.fit_transform(texts)]).tocsr()
    def transform(self, texts):
        return hstack([super().transform(texts), self.a * self.tail.transform(texts)]).tocsr()

def fit_tail(train, terms, n, a):
    f = TailFeatures(terms, n, a)
    m = LinearSVC(C=1.0, random_state=0).fit(f.fit([t for t, _ in train]), [l for _, l in train])
    return lambda texts: m.predict(f.transform(texts))

if __name__ == '__main__':
    terms = build()
    sets = measure_sets()
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    grid = args[0].split(',') if args else ['30:0', '30:0.5', '30:1', '50:0.5', '50:1']
    for g in grid:
        n, a = g.split(':')
        report('tail ' + g, lambda tr: fit_tail(tr, terms, int(n), float(a)), sets)
