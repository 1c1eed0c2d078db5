"""exp31: a pretrained Chinese transformer's sentence embeddings (m3e-small, see m3e.py) on top of the shipped
features. Shapes: `lr` logistic regression on the embeddings alone; `svm:w` the embedding as a dense block of
weight w appended to the shipped features and the density block, one linear SVM. Dev, external raw and their union
(the measures that choose); `--fin` adds the held-out half, printed for the record only."""
import os, sys, numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exp16 import *

from m3e import embed
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

terms = build()
MAXLEN = int(os.environ.get('MAXLEN', '256'))

def fit(train, shape, w):
    X = [t for t, _ in train]; y = [l for _, l in train]
    if shape == 'lr':
        m = LogisticRegression(C=w, max_iter=3000).fit(embed(X, MAXLEN), y)
        return lambda texts: m.predict(embed(texts, MAXLEN))
    return fit_shipped_with(train, terms, lambda texts: csr_matrix(w * embed(texts, MAXLEN)))

if __name__ == '__main__':
    sets = measure_sets()
    allt = sorted({t for _, tr, te in sets for t, _ in tr + te})
    print(len(allt), 'texts to embed', flush=True)
    embed(allt, MAXLEN)
    grid = [g.split(':') for g in (sys.argv[1] if len(sys.argv) > 1 and ':' in sys.argv[1] else
            'svm:0,lr:10,lr:100,svm:0.3,svm:0.6,svm:1,svm:1.5').split(',')]
    for shape, w in grid:
        report('%s w %s' % (shape, w), lambda tr: fit(tr, shape, float(w)), sets)
