"""Taxonomy prior: for each of the 7 classes, how many of its own terms the text holds (the 2..4-character pieces
of its taxonomy level-2/level-3 names that belong to that class alone), appended to the shipped features.
`feats` is the first shape tried (every piece, L2-normalised: d267c51); `density` is the shipped one (distinct
terms by forward maximum matching / sqrt(length), weight 2: TaxonomyPrior in Swift). Also sweeps piece lengths and
counted matches, and runs the control with the terms' classes shuffled. Settings are chosen on dev; the segmented
10 % splits that also decided the shape were run with the Swift CLI (docs/classifier.md)."""
import os, sys, csv, collections
sys.path.insert(0,os.path.dirname(os.path.abspath(__file__)))
from exp2 import *
import numpy as np
from scipy.sparse import csr_matrix
here=os.path.dirname(os.path.abspath(__file__))
tax=list(csv.DictReader(open(os.path.join(here,'../../../../shared/data/appeals/taxonomy.csv'),encoding='utf-8')))
classes=sorted({l for _,l in fintrain})
def build(minL=2,maxL=4,full=False):
    """term -> class, for pieces owned by one predicted class only (TaxonomyPrior.terms in Swift)."""
    owner=collections.defaultdict(set)
    for r in tax:
        if r['level1'] not in classes: continue
        for name in (r['level2'],r['level3']):
            if name in ('其他',''): continue
            n=norm(name)
            if full: owner[n].add(r['level1'])
            for L in range(minL,min(maxL,len(n))+1):
                for i in range(len(n)-L+1): owner[n[i:i+L]].add(r['level1'])
    return {t:next(iter(c)) for t,c in owner.items() if len(c)==1}
def feats(texts,terms,w,mode='bin'):
    rows=[]
    for t in texts:
        s=norm(t); v=[0.0]*len(classes)
        for term,c in terms.items():
            k=s.count(term) if mode=='count' else (1 if term in s else 0)
            v[classes.index(c)]+=k
        if mode=='count': v=[np.log1p(x) for x in v]
        n=sum(x*x for x in v)**0.5 or 1
        rows.append([w*x/n for x in v])
    return csr_matrix(np.array(rows))
def fmm_counts(s,terms):
    v=[0.0]*len(classes); seen=set(); i=0
    while i<len(s):
        m=0
        for L in (4,3,2):
            if i+L<=len(s) and s[i:i+L] in terms: m=L; break
        if m and s[i:i+m] not in seen:
            seen.add(s[i:i+m]); v[classes.index(terms[s[i:i+m]])]+=1
        i+=max(m,1)
    return v
def density(texts,terms,w):
    rows=[]
    for t in texts:
        s=norm(t)[:1000]; L=max(len(s),1)**0.5
        rows.append([w*x/L for x in fmm_counts(s,terms)])
    return csr_matrix(np.array(rows))
class ShippedFeatures:
    """The shipped features with the density block (weight w), fitted on the training texts: `fit(texts)` gives the
    training matrix, `transform(texts)` any other's."""
    def __init__(self, terms, w=2.0):
        self.terms, self.w = terms, w
        self.blocks = [TfidfVectorizer(analyzer='char', ngram_range=(1, 3), sublinear_tf=True, preprocessor=norm),
                       TfidfVectorizer(analyzer=fmm, sublinear_tf=True),
                       TfidfVectorizer(analyzer='char', ngram_range=(1, 3), sublinear_tf=True, preprocessor=lambda t: norm(t)[:20])]
    def fit(self, texts):
        return hstack([b.fit_transform(texts) for b in self.blocks] + [density(texts, self.terms, self.w)]).tocsr()
    def transform(self, texts):
        return hstack([b.transform(texts) for b in self.blocks] + [density(texts, self.terms, self.w)]).tocsr()
def shipped_matrices(train, tests, terms):
    """The shipped features with the density block fitted on `train` [(text, label)]: (training matrix, [matrix of
    each list of texts in `tests`])."""
    f = ShippedFeatures(terms)
    return f.fit([t for t, _ in train]), [f.transform(T) for T in tests]
def protocol_matrices(terms, fin=False):
    """The matrices of the measures that choose: dev (A1 trained on devtrain, B1 = devtest) and the union (A2 trained
    on union_train, B2 = devtest, B3 = the external raw messages), with their labels; with `fin` also the held-out
    half (A4, B4), for the record. Returns (Ex, union_train, A1, B1, A2, B2, B3, ydev, yext, A4, B4)."""
    Ex, union_train = external_split()
    A1, (B1,) = shipped_matrices(devtrain, [[t for t, _ in devtest]], terms)
    A2, (B2, B3) = shipped_matrices(union_train, [[t for t, _ in devtest], [t for t, _ in Ex]], terms)
    A4, (B4,) = shipped_matrices(fintrain, [[t for t, _ in fintest]], terms) if fin else (None, (None,))
    return Ex, union_train, A1, B1, A2, B2, B3, [l for _, l in devtest], [l for _, l in Ex], A4, B4
def protocol_scores(ydev, yext, pd, pu, pe):
    """'dev … | ext … | union …' macro-F1: `pd` predicted on dev by the dev model, `pu` and `pe` on dev and on the
    external raw messages by the union model."""
    return 'dev %.3f | ext %.3f | union %.3f' % (f1_score(ydev, pd, average='macro'), f1_score(yext, pe, average='macro'),
                                                  f1_score(ydev + yext, list(pu) + list(pe), average='macro'))
def shipped_protocol_scores(terms, make=lambda: LinearSVC(C=1.0, random_state=0)):
    """`protocol_scores` of `make`'s model (the shipped SVM by default) on the shipped features with the density
    block of `terms`: dev trained on devtrain, dev and external raw messages by the union model."""
    Ex, union_train, A1, B1, A2, B2, B3, ydev, yext, _, _ = protocol_matrices(terms, False)
    pd = make().fit(A1, [l for _, l in devtrain]).predict(B1)
    m = make().fit(A2, [l for _, l in union_train])
    return protocol_scores(ydev, yext, pd, m.predict(B2), m.predict(B3))
def fit_shipped(train, terms, make=lambda: LinearSVC(C=1.0, random_state=0)):
    """A model on the shipped features with the density block: (model, decision function of texts)."""
    f = ShippedFeatures(terms)
    m = make().fit(f.fit([t for t, _ in train]), [l for _, l in train])
    return m, lambda texts: m.decision_function(f.transform(texts))
def fit_shipped_with(train, terms, extra):
    """The shipped SVM on the shipped features, the density block and one more block `extra(texts)` (a sparse
    matrix, fitted by the caller on `train`): a function from texts to predicted labels."""
    f = ShippedFeatures(terms)
    X = [t for t, _ in train]
    m = LinearSVC(C=1.0, random_state=0).fit(hstack([f.fit(X), extra(X)]).tocsr(), [l for _, l in train])
    return lambda texts: m.predict(hstack([f.transform(texts), extra(texts)]).tocsr())
def external_split():
    """The external raw messages (exp12, part 3) and the training rows without the twins of any raw message:
    (external [(raw text, label)], training rows)."""
    E = external_raw(dedup)
    iE = twin_index([x for x, _ in E])
    return E, dedup([(s['text'], s['category']) for s in seg if key(s) not in tH and key(s) not in tR and twin(iE, s['text']) is None])
def measure_sets():
    """(name, train, test): dev, external raw, their union; with `--fin` the held-out half, for the record."""
    E, extrain = external_split()
    sets = [('dev', devtrain, devtest), ('ext', extrain, E), ('union', extrain, devtest + E)]
    if '--fin' in sys.argv: sets.append(('held-out (record only)', fintrain, fintest))
    return sets
def report(label, predictor, sets):
    """Prints macro-F1 on every set; `predictor(train)` returns a function from texts to labels."""
    out = []
    for name, tr, te in sets:
        p = predictor(tr)([t for t, _ in te])
        out.append('%s %.3f' % (name, f1_score([l for _, l in te], p, average='macro')))
    print(label, ' | '.join(out), flush=True)
CACHE={}
def go(train,test,terms,w,mode='bin',C=1.0):
    if id(train) not in CACHE: CACHE[id(train)]=shipped_features(train,test)
    A,B=CACHE[id(train)]
    if w>0:
        f=(lambda texts:density(texts,terms,w)) if mode=='density' else (lambda texts:feats(texts,terms,w,mode))
        A=hstack([A,f([t for t,_ in train])]).tocsr(); B=hstack([B,f([t for t,_ in test])]).tocsr()
    m=LinearSVC(C=C).fit(A,[l for _,l in train]); p=m.predict(B)
    return f1_score([l for _,l in test],p,average='macro')
if __name__=="__main__":
    shipped=build()
    print(len(shipped),'terms (2-4)',flush=True)
    for w in (0,0.3,0.6,1.0):
        print('2-4 bin w',w,'dev %.3f'%go(devtrain,devtest,shipped,w),'fin %.3f'%go(fintrain,fintest,shipped,w),flush=True)
    for w in (0.5,1.0,2.0,3.0):
        print('2-4 density w',w,'dev %.3f'%go(devtrain,devtest,shipped,w,'density'),'fin %.3f'%go(fintrain,fintest,shipped,w,'density'),flush=True)
    import random
    for seed in range(2,8):
        vals=list(shipped.values()); random.Random(seed).shuffle(vals)
        shuffled=dict(zip(shipped,vals))
        print('shuffled classes, seed',seed,'dev %.3f'%go(devtrain,devtest,shuffled,1.0),'fin %.3f'%go(fintrain,fintest,shuffled,1.0),flush=True)
    for (a,b,full) in [(2,2,False),(2,3,False),(3,4,False),(2,6,False),(99,99,True)]:
        terms=build(a,b,full)
        for mode in ('bin','count'):
            for w in (0.5,1.0,2.0):
                print(a,b,full,len(terms),mode,w,'dev %.3f'%go(devtrain,devtest,terms,w,mode),'fin %.3f'%go(fintrain,fintest,terms,w,mode),flush=True)
