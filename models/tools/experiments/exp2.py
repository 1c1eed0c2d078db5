import os
import sys, pickle; sys.path.insert(0,os.path.dirname(os.path.abspath(__file__)))
from common import *
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from scipy.sparse import hstack
tH,tR=pickle.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)),'twins.pkl'),'rb'))
key=lambda s:s['id']+s['text'][:30]
def dedup(rows):
    seen=set(); out=[]
    for t,y in rows:
        n=norm(t)
        if n in seen: continue
        seen.add(n); out.append((t,y))
    return out
devtrain=dedup([(s['text'],s['category']) for s in seg if key(s) not in tH and key(s) not in tR])
devtest=[(rawtext(r),r['category']) for r in R]
fintrain=dedup([(s['text'],s['category']) for s in seg if key(s) not in tH]+[(rawtext(r),r['category']) for r in R])
fintest=[(rawtext(r),r['category']) for r in H]
# dictionary from segmented tokens
cnt=collections.Counter()
for s in seg:
    for tok in s['text'].split():
        n=norm(tok)
        if 2<=len(n)<=6 and all(0x4E00<=ord(c)<=0x9FFF for c in n): cnt[n]+=1
DICT={w for w,c in cnt.items() if c>=2}
MAXL=6
def fmm(text):
    s=norm(text); i=0; out=[]
    while i<len(s):
        for L in range(min(MAXL,len(s)-i),1,-1):
            if s[i:i+L] in DICT: out.append(s[i:i+L]); i+=L; break
        else: i+=1
    return out
def words_seg(text):
    # for training text with spaces: use given tokens? we use fmm on each token for consistency
    return fmm(text)
def run(train,test,cfg,C=1.0):
    X=[t for t,_ in train]; y=[l for _,l in train]
    Xt=[t for t,_ in test]; yt=[l for _,l in test]
    blocks=[]
    blocks.append(TfidfVectorizer(analyzer='char',ngram_range=(1,4 if 'char4' in cfg else 3),sublinear_tf=True,preprocessor=norm,min_df=1))
    if 'words' in cfg: blocks.append(TfidfVectorizer(analyzer=fmm,sublinear_tf=True))
    if 'wbigram' in cfg: blocks.append(TfidfVectorizer(analyzer=lambda t:[a+'|'+b for a,b in zip(fmm(t),fmm(t)[1:])],sublinear_tf=True))
    if 'head' in cfg: blocks.append(TfidfVectorizer(analyzer='char',ngram_range=(1,3),sublinear_tf=True,preprocessor=lambda t:norm(t)[:20]))
    A=hstack([b.fit_transform(X) for b in blocks]).tocsr()
    B=hstack([b.transform(Xt) for b in blocks]).tocsr()
    if cfg.get('model')=='lr': m=LogisticRegression(C=C*10,max_iter=2000)
    else: m=LinearSVC(C=C,loss='squared_hinge',class_weight='balanced' if 'balanced' in cfg else None)
    m.fit(A,y); p=m.predict(B)
    return f1_score(yt,p,average='macro')
def shipped_features(train,test):
    """The shipped feature set (character 1-3-grams, dictionary words, head block) fitted on train: (A, B)."""
    X=[t for t,_ in train]
    blocks=[TfidfVectorizer(analyzer='char',ngram_range=(1,3),sublinear_tf=True,preprocessor=norm),
            TfidfVectorizer(analyzer=fmm,sublinear_tf=True),
            TfidfVectorizer(analyzer='char',ngram_range=(1,3),sublinear_tf=True,preprocessor=lambda t:norm(t)[:20])]
    A=hstack([b.fit_transform(X) for b in blocks]).tocsr()
    B=hstack([b.transform([t for t,_ in test]) for b in blocks]).tocsr()
    return A,B
if __name__=="__main__":
    for cfg in [{}, {'words':1}, {'words':1,'head':1}, {'words':1,'head':1,'wbigram':1}]:
        for C in (0.3,1.0):
            print(sorted(cfg), C, 'dev %.3f'%run(devtrain,devtest,cfg,C), 'fin %.3f'%run(fintrain,fintest,cfg,C), flush=True)
