"""exp18: raw-form training examples from the unlabelled files. Messages of hotspot-corpus.csv and replies.csv whose
segmented twin carries one label (exp12, part 3) are added to training in their raw form, in addition to (or instead
of) their segmented twin; messages that are twins of any raw-file message are left out, so dev and held-out stay
unseen. The density block of exp16 is on. No message text is written."""
import os, sys, csv
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exp16 import *
terms = build()
ext = []; extSegKeys = set()
rawIdx = twin_index([rawtext(r) for r in raw])
for name in ('hotspot-corpus.csv', 'replies.csv'):
    rows = list(csv.DictReader(open(D + name)))
    idx = twin_index([rawtext(r) for r in rows])
    labels = collections.defaultdict(set); segof = collections.defaultdict(list)
    for s in seg:
        m = twin(idx, s['text'])
        if m is not None: labels[m].add(s['category']); segof[m].append(key(s))
    for m, c in labels.items():
        if len(c) != 1 or twin_raw(rawIdx, rawtext(rows[m])) is not None: continue
        if any(k in tH or k in tR for k in segof[m]): continue
        ext.append((rawtext(rows[m]), next(iter(c)))); extSegKeys.update(segof[m])
ext = dedup(ext)
print(len(ext), 'raw-form examples', flush=True)
def score(train, test, C=1.0):
    X = [t for t, _ in train]; y = [l for _, l in train]
    A, B = shipped_features(train, test)
    A = hstack([A, density(X, terms, 2.0)]).tocsr(); B = hstack([B, density([t for t, _ in test], terms, 2.0)]).tocsr()
    m = LinearSVC(C=C).fit(A, y)
    return f1_score([l for _, l in test], m.predict(B), average='macro')
without = lambda rows: [(t, l) for t, l in rows]
devNoTwin = dedup([(s['text'], s['category']) for s in seg if key(s) not in tH and key(s) not in tR and key(s) not in extSegKeys])
finNoTwin = dedup([(s['text'], s['category']) for s in seg if key(s) not in tH and key(s) not in extSegKeys] + [(rawtext(r), r['category']) for r in R])
print('baseline            dev %.3f | fin %.3f' % (score(devtrain, devtest), score(fintrain, fintest)), flush=True)
print('+ raw form (both)   dev %.3f | fin %.3f' % (score(devtrain + ext, devtest), score(fintrain + ext, fintest)), flush=True)
print('raw form instead    dev %.3f | fin %.3f' % (score(devNoTwin + ext, devtest), score(finNoTwin + ext, fintest)), flush=True)
