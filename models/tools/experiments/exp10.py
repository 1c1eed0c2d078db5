"""exp10: raw-message rows up-weighted in training (do the raw file's labelling conventions carry more weight?).

dev: 2-fold cross-validation over the 220 non-held-out raw messages (training: segmented minus every raw twin,
plus one fold of raw rows with weight w; test: the other fold). fin: the shipped protocol with raw rows weighted w.
"""
import os, sys, pickle, random
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exp2 import *
from sklearn.svm import LinearSVC
from scipy.sparse import hstack

def run_w(seg_rows, raw_rows, test, w, C=1.0):
    X = [t for t, _ in seg_rows] + [t for t, _ in raw_rows]
    y = [l for _, l in seg_rows] + [l for _, l in raw_rows]
    sw = [1.0] * len(seg_rows) + [w] * len(raw_rows)
    blocks = [TfidfVectorizer(analyzer='char', ngram_range=(1, 3), sublinear_tf=True, preprocessor=norm),
              TfidfVectorizer(analyzer=fmm, sublinear_tf=True),
              TfidfVectorizer(analyzer='char', ngram_range=(1, 3), sublinear_tf=True, preprocessor=lambda t: norm(t)[:20])]
    A = hstack([b.fit_transform(X) for b in blocks]).tocsr()
    B = hstack([b.transform([t for t, _ in test]) for b in blocks]).tocsr()
    m = LinearSVC(C=C); m.fit(A, y, sample_weight=sw)
    return f1_score([l for _, l in test], m.predict(B), average='macro')

segdev = dedup([(s['text'], s['category']) for s in seg if key(s) not in tH and key(s) not in tR])
segfin = dedup([(s['text'], s['category']) for s in seg if key(s) not in tH])
Rrows = [(rawtext(r), r['category']) for r in R]
random.Random(7).shuffle(Rrows)
folds = [Rrows[:110], Rrows[110:]]
for w in (1, 2, 4, 8):
    dev = sum(run_w(segdev, folds[i], folds[1 - i], w) for i in (0, 1)) / 2
    fin = run_w(segfin, Rrows, fintest, w)
    print('w=%d dev(2-fold) %.3f fin %.3f' % (w, dev, fin), flush=True)
