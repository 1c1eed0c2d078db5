"""exp27: gapped character bigrams, a block meant to bridge the two forms of the labelled data. The segmented file
drops stop words, so "小区的停车位" trains as "小区停车位": its bigram 区停 never occurs in raw text, where 区的 and
的停 stand instead. A gapped bigram pairs each character with the next `gap` characters (a~b for b one or two
places after a), so 区~停 occurs in both forms. Block of weight w (sublinear TF-IDF, L2) on top of the shipped
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
Ex, union_train = external_split()
ydev, yext = [l for _, l in devtest], [l for _, l in Ex]
def mats(train, tests):
    A, Bs = shipped_matrices(train, tests, terms)
    return A, Bs
base = {}
base['dev'] = mats(devtrain, [[t for t, _ in devtest]])
base['union'] = mats(union_train, [[t for t, _ in devtest], [t for t, _ in Ex]])
if fin: base['fin'] = mats(fintrain, [[t for t, _ in fintest]])
def add(train, tests, A, Bs, gap, lo, w):
    if w == 0: return A, Bs
    v = TfidfVectorizer(analyzer=gapped(gap, lo), sublinear_tf=True)
    G = v.fit_transform([t for t, _ in train]) * w
    return hstack([A, G]).tocsr(), [hstack([B, v.transform(T) * w]).tocsr() for B, T in zip(Bs, tests)]
for setting in ['0:1:0'] + grid:
    gap, lo, w = setting.split(':'); gap, lo, w = int(gap), int(lo), float(w)
    A, (B1,) = add(devtrain, [[t for t, _ in devtest]], *base['dev'], gap, lo, w)
    pd = LinearSVC(C=1.0, random_state=0).fit(A, [l for _, l in devtrain]).predict(B1)
    A, (B2, B3) = add(union_train, [[t for t, _ in devtest], [t for t, _ in Ex]], *base['union'], gap, lo, w)
    m = LinearSVC(C=1.0, random_state=0).fit(A, [l for _, l in union_train])
    pu, pe = m.predict(B2), m.predict(B3)
    line = 'gap %d from %d w %.2f: dev %.3f | ext %.3f | union %.3f' % (gap, lo, w, f1_score(ydev, pd, average='macro'),
        f1_score(yext, pe, average='macro'), f1_score(ydev + yext, list(pu) + list(pe), average='macro'))
    if fin:
        A, (B4,) = add(fintrain, [[t for t, _ in fintest]], *base['fin'], gap, lo, w)
        pf = LinearSVC(C=1.0, random_state=0).fit(A, [l for _, l in fintrain]).predict(B4)
        line += ' | held-out (record) %.3f' % f1_score([l for _, l in fintest], pf, average='macro')
    print(line, flush=True)
