import os
import sys, pickle; sys.path.insert(0,os.path.dirname(os.path.abspath(__file__)))
from exp2 import *
from sklearn.linear_model import LogisticRegression, RidgeClassifier, SGDClassifier
from sklearn.naive_bayes import ComplementNB
def blocks3():
    return [TfidfVectorizer(analyzer='char',ngram_range=(1,3),sublinear_tf=True,preprocessor=norm),
            TfidfVectorizer(analyzer=fmm,sublinear_tf=True),
            TfidfVectorizer(analyzer='char',ngram_range=(1,3),sublinear_tf=True,preprocessor=lambda t:norm(t)[:20])]
def prep(train,test):
    X=[t for t,_ in train]; y=np.array([l for _,l in train]); Xt=[t for t,_ in test]; yt=[l for _,l in test]
    bs=blocks3(); A=hstack([b.fit_transform(X) for b in bs]).tocsr(); B=hstack([b.transform(Xt) for b in bs]).tocsr()
    return A,y,B,yt
def softmax(z):
    z=z-z.max(1,keepdims=True); e=np.exp(z); return e/e.sum(1,keepdims=True)
for name,(train,test) in {'dev':(devtrain,devtest),'fin':(fintrain,fintest)}.items():
    A,y,B,yt=prep(train,test)
    res={}
    svm=LinearSVC(C=1.0).fit(A,y); s1=svm.decision_function(B); res['svm']=s1
    svmb=LinearSVC(C=1.0,class_weight='balanced').fit(A,y); res['svm_bal']=svmb.decision_function(B)
    lr=LogisticRegression(C=30,max_iter=3000).fit(A,y); res['lr']=lr.predict_log_proba(B)
    rc=RidgeClassifier(alpha=1.0).fit(A,y); res['ridge']=rc.decision_function(B)
    # NB-SVM: log-count ratio per class, one-vs-rest
    Ab=(A>0).astype(np.float64); cls=svm.classes_
    nbs=[]
    for c in cls:
        p=np.asarray(Ab[y==c].sum(0)).ravel()+1; q=np.asarray(Ab[y!=c].sum(0)).ravel()+1
        r=np.log((p/p.sum())/(q/q.sum()))
        from scipy.sparse import diags
        m=LinearSVC(C=0.3).fit(A@diags(r),(y==c).astype(int))
        nbs.append(m.decision_function(B@diags(r)))
    res['nbsvm']=np.vstack(nbs).T
    cnb=ComplementNB(alpha=0.3).fit(A,y); res['cnb']=cnb.predict_log_proba(B) if hasattr(cnb,'predict_log_proba') else None
    for k,v in res.items():
        print(name,k,'%.3f'%f1_score(yt,cls[v.argmax(1)],average='macro'),flush=True)
    def z(v): return (v-v.mean(1,keepdims=True))/ (v.std()+1e-9)
    for combo in [('svm','nbsvm'),('svm','lr'),('svm','nbsvm','lr'),('svm','cnb'),('svm','nbsvm','cnb')]:
        v=sum(z(res[k]) for k in combo)
        print(name,'+'.join(combo),'%.3f'%f1_score(yt,cls[v.argmax(1)],average='macro'),flush=True)
