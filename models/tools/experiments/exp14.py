"""exp14: dense latent-semantic (LSA) features learned without labels from every local text (the labelled
training rows, the unlabelled raw messages of hotspot-corpus.csv and replies.csv, and the government replies),
appended to the shipped sparse features. Unlabelled rows that are twins of a test message are dropped.
Prints dev, fin and grouped 5-fold CV macro-F1 per setting."""
import os, sys, numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exp2 import *
from sklearn.decomposition import TruncatedSVD
from sklearn.preprocessing import normalize
from scipy.sparse import csr_matrix
hot = list(csv.DictReader(open(D + 'hotspot-corpus.csv'))); rep = list(csv.DictReader(open(D + 'replies.csv')))
iH = twin_index([rawtext(r) for r in H]); iR = twin_index([rawtext(r) for r in R])
U = [(rawtext(r), r.get('reply', '')) for r in hot + rep]
uH = [twin_raw(iH, t) is not None for t, _ in U]; uR = [twin_raw(iR, t) is not None for t, _ in U]
def unl(keep):
    out = []
    for (t, rp), k in zip(U, keep):
        if k: out.append(t); rp and out.append(rp)
    return out
Udev = unl([not a and not b for a, b in zip(uH, uR)]); Ufin = unl([not a for a in uH])
print('unlabelled texts dev', len(Udev), 'fin', len(Ufin), flush=True)
import time
def protocol(train, test, Upool):
    t0 = time.time()
    X = [t for t, _ in train]; y = [l for _, l in train]; Xt = [t for t, _ in test]; yt = [l for _, l in test]
    blocks = [TfidfVectorizer(analyzer='char', ngram_range=(1, 3), sublinear_tf=True, preprocessor=norm),
              TfidfVectorizer(analyzer=fmm, sublinear_tf=True),
              TfidfVectorizer(analyzer='char', ngram_range=(1, 3), sublinear_tf=True, preprocessor=lambda t: norm(t)[:20])]
    A = hstack([b.fit_transform(X) for b in blocks]).tocsr(); B = hstack([b.transform(Xt) for b in blocks]).tocsr()
    words = {}
    def tok(t):
        if t not in words: words[t] = fmm(t[:3000])
        return words[t]
    v = TfidfVectorizer(analyzer=tok, sublinear_tf=True, min_df=2)
    M = v.fit_transform(X + Upool)
    svd = TruncatedSVD(400, random_state=0, algorithm='randomized', n_iter=5).fit(M)
    DA = svd.transform(v.transform(X)); DB = svd.transform(v.transform(Xt))
    print('features in %.0f s' % (time.time() - t0), flush=True)
    out = {}
    for k, w in [(0, 0), (100, 0.5), (200, 0.5), (200, 1.0), (400, 0.5), (400, 1.0)]:
        if k:
            a = hstack([A, csr_matrix(normalize(DA[:, :k]) * w)]).tocsr(); b = hstack([B, csr_matrix(normalize(DB[:, :k]) * w)]).tocsr()
        else: a, b = A, B
        out[(k, w)] = f1_score(yt, LinearSVC(C=1.0).fit(a, y).predict(b), average='macro')
        print('  k %3d w %.1f  %.3f' % (k, w, out[(k, w)]), flush=True)
    return out
print('dev'); protocol(devtrain, devtest, Udev)
print('fin'); protocol(fintrain, fintest, Ufin)
