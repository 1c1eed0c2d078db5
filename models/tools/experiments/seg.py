import os
import sys, math; sys.path.insert(0,os.path.dirname(os.path.abspath(__file__)))
from common import *
tokcnt=collections.Counter()
for s in seg:
    for tok in s['text'].split():
        n=norm(tok)
        if n and len(n)<=8: tokcnt[n]+=1
TOT=sum(tokcnt.values()); LOGT=math.log(TOT)
VOC={w:math.log(c)-LOGT for w,c in tokcnt.items() if c>=2 or len(w)==1}
UNK=math.log(0.5)-LOGT
def viterbi(text):
    s=norm(text); n=len(s)
    best=[0.0]+[-1e18]*n; back=[0]*(n+1)
    for i in range(1,n+1):
        for L in range(1,min(8,i)+1):
            w=s[i-L:i]; lp=VOC.get(w)
            if lp is None:
                if L==1: lp=UNK
                else: continue
            v=best[i-L]+lp
            if v>best[i]: best[i]=v; back[i]=L
    out=[]; i=n
    while i>0: out.append(s[i-back[i]:i]); i-=back[i]
    return out[::-1]
