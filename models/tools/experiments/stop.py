import os
import sys, pickle; sys.path.insert(0,os.path.dirname(os.path.abspath(__file__)))
from common import *
iR=twin_index([rawtext(r) for r in R])
dropped=collections.Counter(); kept=collections.Counter()
for s in seg:
    m=twin(iR,s['text'])
    if m is None: continue
    r=norm(rawtext(R[m])); toks=[norm(t) for t in s['text'].split() if norm(t)]
    i=0; 
    for t in toks:
        j=r.find(t,i)
        if j<0: continue
        if j>i and j-i<=4: dropped[r[i:j]]+=1
        kept[t]+=1
        i=j+len(t)
stop=[w for w,c in dropped.most_common() if c>=3 and kept[w]<c]
print(len(stop)); print(' '.join(stop[:300]))
pickle.dump(stop,open(os.path.join(os.path.dirname(os.path.abspath(__file__)),'stop.pkl'),'wb'))
