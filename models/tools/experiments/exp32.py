"""exp32: m3e-small distilled into static word vectors (the model2vec idea), a shape Swift can afford per appeal:
each dictionary word (the shipped dictionary, 2-6 characters) and each single character is run through m3e-small
alone ([CLS] word [SEP], mean of the last layer); PCA to D dimensions over the words; a text's vector is the
mean of the vectors of the words that forward maximum matching finds (characters outside any word count as
themselves), each weighted by its idf over the training texts, L2-normalised, times w, appended to the shipped
features and the density block. Dev, external raw and their union; `--fin` adds the held-out half (record only)."""
import os, sys, collections, numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exp16 import *
from m3e import embed
from scipy.sparse import csr_matrix

terms = build()
singles = sorted({c for s in seg for c in norm(s['text']) if 0x4E00 <= ord(c) <= 0x9FFF})
vocab = sorted(DICT) + singles
V = embed(vocab, 16)
print(len(DICT), 'words +', len(singles), 'characters', flush=True)
mean = V.mean(0)
U, S, Vt = np.linalg.svd(V - mean, full_matrices=False)
row = {w: i for i, w in enumerate(vocab)}

def pieces(text):
    s = norm(text)[:1000]; out = []; i = 0
    while i < len(s):
        m = 0
        for L in range(min(6, len(s) - i), 1, -1):
            if s[i:i + L] in DICT: m = L; break
        if m: out.append(s[i:i + m]); i += m
        else:
            if s[i] in row: out.append(s[i])
            i += 1
    return out

def fit(train, D, w, weighted=True):
    P = (V - mean) @ Vt[:D].T
    X = [t for t, _ in train]
    df = collections.Counter()
    for t in X: df.update(set(pieces(t)))
    n = len(X); idf = {p: np.log((1 + n) / (1 + c)) + 1 for p, c in df.items()}
    top = np.log(1 + n) + 1
    def block(texts):
        out = np.zeros((len(texts), D), np.float32)
        for r, t in enumerate(texts):
            c = collections.Counter(pieces(t))
            if not c: continue
            ks = list(c)
            wt = np.array([(1 + np.log(c[k])) * (idf.get(k, top) if weighted else 1) for k in ks], np.float32)
            v = (P[[row[k] for k in ks]] * wt[:, None]).sum(0)
            out[r] = w * v / max(np.linalg.norm(v), 1e-9)
        return csr_matrix(out)
    return fit_shipped_with(train, terms, block)

if __name__ == '__main__':
    sets = measure_sets()
    grid = [g.split(':') for g in (sys.argv[1] if len(sys.argv) > 1 and ':' in sys.argv[1] else
            '128:0.3,128:0.6,128:1,256:0.6,64:0.6').split(',')]
    for D, w in grid:
        report('D %s w %s' % (D, w), lambda tr: fit(tr, int(D), float(w)), sets)
