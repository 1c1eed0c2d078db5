"""exp17: the category tree as training documents. Every level-2/level-3 row of taxonomy.csv whose level 1 is one
of the model's classes becomes a short labelled text ("level2 level3"), weighted w, added to training; on top of the
shipped density block (exp16). Measured on dev (220 raw), on the external raw messages labelled through their
segmented twin (exp12, part 3) and on random segmented messages (exp12, part 1); the held-out half is printed for
the record only. No message text is written."""
import os, sys, csv, random, pickle
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exp16 import *
from sklearn.svm import LinearSVC
HERE = os.path.dirname(os.path.abspath(__file__))
terms = build()
pseudo = [(r['level2'] + ' ' + r['level3'], r['level1']) for r in tax if r['level1'] in classes]
def score(train, test, w, C=1.0, block=2.0):
    X = [t for t, _ in train] + [t for t, _ in pseudo] * (1 if w > 0 else 0)
    y = [l for _, l in train] + [l for _, l in pseudo] * (1 if w > 0 else 0)
    sw = [1.0] * len(train) + [w] * (len(X) - len(train))
    A, B = shipped_features(list(zip(X, y)), test)
    if block > 0:
        A = hstack([A, density(X, terms, block)]).tocsr(); B = hstack([B, density([t for t, _ in test], terms, block)]).tocsr()
    m = LinearSVC(C=C).fit(A, y, sample_weight=sw)
    return f1_score([l for _, l in test], m.predict(B), average='macro')
# external raw set (exp12 part 3)
E = external_raw(dedup)
iE = twin_index([t for t, _ in E])
extrain = dedup([(s['text'], s['category']) for s in seg if key(s) not in tH and key(s) not in tR and twin(iE, s['text']) is None])
base = [s for s in seg if key(s) not in tH and key(s) not in tR]
segsets = []
for seed in (1, 2):
    test = random.Random(seed).sample(base, 400)
    idx = twin_index([s['text'] for s in test])
    segsets.append((dedup([(s['text'], s['category']) for s in base if twin(idx, s['text']) is None]), [(s['text'], s['category']) for s in test]))
print(len(pseudo), 'pseudo documents;', len(E), 'external raw', flush=True)
ws = [float(a) for a in sys.argv[1:]] or [0, 0.3, 1, 3]
for w in ws:
    r = [score(devtrain, devtest, w), score(extrain, E, w)] + [score(a, b, w) for a, b in segsets] + [score(fintrain, fintest, w)]
    print('w %.1f  dev %.3f  ext %.3f  seg1 %.3f  seg2 %.3f  | fin %.3f' % tuple([w] + r), flush=True)
