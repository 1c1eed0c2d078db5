import os
import sys, pickle; sys.path.insert(0,os.path.dirname(os.path.abspath(__file__)))
from exp2 import *
hot=list(csv.DictReader(open(D+'hotspot-corpus.csv'))); rep=list(csv.DictReader(open(D+'replies.csv')))
iH=twin_index([rawtext(r) for r in H]); iR=twin_index([rawtext(r) for r in R])
U=[rawtext(r) for r in hot+rep]
U=list(dict.fromkeys(U))
uH=[twin_raw(iH,t) is not None for t in U]; uR=[twin_raw(iR,t) is not None for t in U]
print('unlabelled',len(U),'twins of H',sum(uH),'twins of R',sum(uR),flush=True)
def feats(train, extra):
    X=[t for t,_ in train]+extra
    blocks=[TfidfVectorizer(analyzer='char',ngram_range=(1,3),sublinear_tf=True,preprocessor=norm),
            TfidfVectorizer(analyzer=fmm,sublinear_tf=True),
            TfidfVectorizer(analyzer='char',ngram_range=(1,3),sublinear_tf=True,preprocessor=lambda t:norm(t)[:20])]
    for b in blocks: b.fit(X)
    return lambda T: hstack([b.transform(T) for b in blocks]).tocsr()
def selftrain(train,test,Upool,thr,rounds=1,idf_on_u=True):
    X=[t for t,_ in train]; y=[l for _,l in train]
    f=feats(train,Upool if idf_on_u else [])
    A=f(X); m=LinearSVC(C=1.0).fit(A,y)
    base=f1_score([l for _,l in test],m.predict(f([t for t,_ in test])),average='macro')
    res=[base]
    UX=f(Upool)
    for r in range(rounds):
        sc=m.decision_function(UX); srt=np.sort(sc,1); marg=srt[:,-1]-srt[:,-2]
        pl=m.classes_[sc.argmax(1)]; sel=marg>thr
        from scipy.sparse import vstack
        m=LinearSVC(C=1.0).fit(vstack([A,UX[sel]]),y+list(pl[sel]))
        res.append(f1_score([l for _,l in test],m.predict(f([t for t,_ in test])),average='macro'))
    return res, int(sel.sum())
Udev=[t for t,a,b in zip(U,uH,uR) if not a and not b]
Ufin=[t for t,a in zip(U,uH) if not a]
for thr in (0.0,0.5,1.0):
    print(thr,'dev',selftrain(devtrain,devtest,Udev,thr,2),'fin',selftrain(fintrain,fintest,Ufin,thr,2),flush=True)
