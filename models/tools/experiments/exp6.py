import os
import sys; sys.path.insert(0,os.path.dirname(os.path.abspath(__file__)))
from exp2 import *
from seg import viterbi
def given_or_vit(t):
    return viterbi(t)
def wordsbi(t):
    w=viterbi(t); return w+[a+'|'+b for a,b in zip(w,w[1:])]
def wordsbi_given(t):
    if ' ' in t.strip() and t.count(' ')>5: w=[norm(x) for x in t.split() if norm(x)]
    else: w=viterbi(t)
    return w+[a+'|'+b for a,b in zip(w,w[1:])]
print(viterbi('A市西湖建筑集团占道施工有安全隐患 A3区大道西行便道，未管所路口至加油站路段'))
def run2(train,test,variant):
    X=[t for t,_ in train]; y=[l for _,l in train]; Xt=[t for t,_ in test]; yt=[l for _,l in test]
    bs=[TfidfVectorizer(analyzer='char',ngram_range=(1,3),sublinear_tf=True,preprocessor=norm),
        TfidfVectorizer(analyzer='char',ngram_range=(1,3),sublinear_tf=True,preprocessor=lambda t:norm(t)[:20])]
    if variant=='vit': bs.append(TfidfVectorizer(analyzer=viterbi,sublinear_tf=True))
    if variant=='vitbi': bs.append(TfidfVectorizer(analyzer=wordsbi,sublinear_tf=True))
    if variant=='given': bs.append(TfidfVectorizer(analyzer=wordsbi_given,sublinear_tf=True))
    if variant=='wordonly': bs=[TfidfVectorizer(analyzer=wordsbi,sublinear_tf=True)]
    A=hstack([b.fit_transform(X) for b in bs]).tocsr(); B=hstack([b.transform(Xt) for b in bs]).tocsr()
    out=[]
    for cw in (None,'balanced'):
        m=LinearSVC(C=1.0,class_weight=cw).fit(A,y); out.append('%.3f'%f1_score(yt,m.predict(B),average='macro'))
    return out
for v in ('vit','vitbi','given','wordonly'):
    print(v,'dev',run2(devtrain,devtest,v),'fin',run2(fintrain,fintest,v),flush=True)
