import os
import sys; sys.path.insert(0,os.path.dirname(os.path.abspath(__file__)))
from exp2 import *
import jieba, logging; jieba.setLogLevel(logging.WARNING)
def jw(t):
    if t.count(' ')>5 and len(t)/ (t.count(' ')+1) < 4: w=[norm(x) for x in t.split()]
    else: w=[norm(x) for x in jieba.lcut(t)]
    return [x for x in w if x]
def jw_all(t): return [x for x in (norm(y) for y in jieba.lcut(t)) if x]
def run3(train,test,an,char=True):
    X=[t for t,_ in train]; y=[l for _,l in train]; Xt=[t for t,_ in test]; yt=[l for _,l in test]
    bs=[TfidfVectorizer(analyzer=an,sublinear_tf=True)]
    if char: bs+=[TfidfVectorizer(analyzer='char',ngram_range=(1,3),sublinear_tf=True,preprocessor=norm),TfidfVectorizer(analyzer='char',ngram_range=(1,3),sublinear_tf=True,preprocessor=lambda t:norm(t)[:20])]
    A=hstack([b.fit_transform(X) for b in bs]).tocsr(); B=hstack([b.transform(Xt) for b in bs]).tocsr()
    return ['%.3f'%f1_score(yt,LinearSVC(C=C).fit(A,y).predict(B),average='macro') for C in (0.3,1.0)]
for name,an in (('given+jieba',jw),('jieba-all',jw_all)):
    for ch in (False,True):
        print(name,'char' if ch else '', 'dev',run3(devtrain,devtest,an,ch),'fin',run3(fintrain,fintest,an,ch),flush=True)
