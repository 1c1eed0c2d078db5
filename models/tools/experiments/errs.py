import os
import sys; sys.path.insert(0,os.path.dirname(os.path.abspath(__file__)))
from exp2 import *
X=[t for t,_ in fintrain]; y=[l for _,l in fintrain]
bs=[TfidfVectorizer(analyzer='char',ngram_range=(1,3),sublinear_tf=True,preprocessor=norm),TfidfVectorizer(analyzer=fmm,sublinear_tf=True),TfidfVectorizer(analyzer='char',ngram_range=(1,3),sublinear_tf=True,preprocessor=lambda t:norm(t)[:20])]
A=hstack([b.fit_transform(X) for b in bs]).tocsr()
m=LinearSVC(C=1).fit(A,y)
B=hstack([b.transform([rawtext(r) for r in H]) for b in bs]).tocsr()
p=m.predict(B)
for r,q in zip(H,p):
    if q!=r['category']: print(r['id'],r['category'],'->',q,'|',r['title'][:40],'|',r['detail'][:80].replace('\n',' '))
