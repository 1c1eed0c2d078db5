"""exp27: gapped character bigrams, a block meant to bridge the two forms of the labelled data. The segmented file
drops stop words, so "小区的停车位" trains as "小区停车位": its bigram 区停 never occurs in raw text, where 区的 and
的停 stand instead. A gapped bigram pairs each character with the characters `lo` to `gap` places after it (a~b;
run: 1–2, 2 and 2–3 places), so 区~停 occurs in both forms. Block of weight w (sublinear TF-IDF, L2) on top of the shipped
features and the density block; dev, external raw and their union (`--fin` adds the held-out half for the record).
No message text is written."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exp16 import *
terms = build()
def gapped(gap, lo=1):
    def an(t):
        s = norm(t)[:1000]
        return [s[i] + '~' + s[i + d] for i in range(len(s)) for d in range(lo, gap + 1) if i + d < len(s)]
    return an
fin = '--fin' in sys.argv
grid = [a for a in sys.argv[1:] if not a.startswith('--')] or ['2:1:0.5', '2:1:1', '2:2:0.5', '2:2:1', '3:2:0.5']
Ex, union_train, A1, B1, A2, B2, B3, ydev, yext, A4, B4 = protocol_matrices(terms, fin)
def add(train, tests, A, Bs, gap, lo, w):
    """The matrices with the gapped-bigram block of weight `w` fitted on `train` appended."""
    if w == 0: return A, Bs
    v = TfidfVectorizer(analyzer=gapped(gap, lo), sublinear_tf=True)
    G = v.fit_transform([t for t, _ in train]) * w
    return hstack([A, G]).tocsr(), [hstack([B, v.transform(T) * w]).tocsr() for B, T in zip(Bs, tests)]
def predict(train, A, Bs):
    m = LinearSVC(C=1.0, random_state=0).fit(A, [l for _, l in train])
    return [m.predict(B) for B in Bs]
for setting in ['0:1:0'] + grid:
    gap, lo, w = setting.split(':'); gap, lo, w = int(gap), int(lo), float(w)
    (pd,) = predict(devtrain, *add(devtrain, [[t for t, _ in devtest]], A1, [B1], gap, lo, w))
    pu, pe = predict(union_train, *add(union_train, [[t for t, _ in devtest], [t for t, _ in Ex]], A2, [B2, B3], gap, lo, w))
    line = 'gap %d from %d w %.2f: %s' % (gap, lo, w, protocol_scores(ydev, yext, pd, pu, pe))
    if fin:
        (pf,) = predict(fintrain, *add(fintrain, [[t for t, _ in fintest]], A4, [B4], gap, lo, w))
        line += ' | held-out (record) %.3f' % f1_score([l for _, l in fintest], pf, average='macro')
    print(line, flush=True)
