import os
import sys, pickle; sys.path.insert(0,os.path.dirname(os.path.abspath(__file__)))
from exp2 import *
tH,tR=pickle.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)),'twins.pkl'),'rb'))
alltrain=dedup([(s['text'],s['category']) for s in seg if key(s) not in tH and key(s) not in tR])
alltest=[(rawtext(r),r['category']) for r in raw]
for cfg in ({'words':1,'head':1},):
    for C in (0.5,1.0):
        print(C,'all-raw %.3f'%run(alltrain,alltest,cfg,C),flush=True)
