import os
import sys, pickle; sys.path.insert(0,os.path.dirname(os.path.abspath(__file__)))
from exp2 import *
stopall=pickle.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)),'stop.pkl'),'rb'))
def mk(stop):
    STOP=set(stop); DS=DICT|STOP
    def strip(text):
        s=norm(text); i=0; out=[]
        while i<len(s):
            for L in range(min(6,len(s)-i),0,-1):
                w=s[i:i+L]
                if L==1 or w in DS:
                    if w not in STOP: out.append(w)
                    i+=L; break
        return ' '.join(out)
    return strip
variants={
 'kept0_len<=2': [w for w in stopall if len(w)<=2 and not w.isdigit() and w!='a'],
 'all': stopall,
 'top60': [w for w in stopall if not w.isdigit() and w!='a'][:60],
}
for name,stop in variants.items():
    strip=mk(stop)
    dt=[(strip(t),y) for t,y in devtest]; ft=[(strip(t),y) for t,y in fintest]
    ftr=[(strip(t) if i>=len(fintrain)-len(R) else t,y) for i,(t,y) in enumerate(fintrain)]
    cfg={'words':1,'head':1}
    print(name,len(stop),'dev %.3f'%run(devtrain,dt,cfg,1.0),'fin %.3f'%run(ftr,ft,cfg,1.0),flush=True)
