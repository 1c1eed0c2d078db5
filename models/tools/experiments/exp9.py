import os, sys, re; sys.path.insert(0,os.path.dirname(os.path.abspath(__file__)))
"""Distant supervision: label replies.csv messages by the department the government's reply names."""
from exp2 import *
DEPT={'劳动和社会保障':r'人社局|人力资源和社会保障|社保局|社保中心|医保局|劳动监察',
      '教育文体':r'教育局|教育厅|教体局|文旅广体|体育局|文化局|文广新',
      '城乡建设':r'住建局|住房和城乡建设|城管局|城管执法|规划局|自然资源和规划|住房保障|房产局|房屋交易|公积金',
      '环境保护':r'生态环境局|环保局|环境保护局|环境监测',
      '卫生计生':r'卫健委|卫生健康委|卫计委|卫生局|计生',
      '交通运输':r'交通运输局|交通局|运管|公路局|港航|交通运输厅',
      '商贸旅游':r'商务局|市场监督管理局|市场监管局|工商局|旅游局|食药监|质监局|物价局|发改委价格'}
rep=list(csv.DictReader(open(D+'replies.csv')))
iH=twin_index([rawtext(r) for r in H]); iR=twin_index([rawtext(r) for r in R])
def is_twin(idx,t):
    s=norm(t); return twin(idx,' '.join(s[i:i+3] for i in range(max(1,len(s)-2)))) is not None
weak=[]
for r in rep:
    hits={c for c,p in DEPT.items() if re.search(p,r['reply'][:400])}
    if len(hits)==1: weak.append((rawtext(r),hits.pop()))
print('weak labels',len(weak),collections.Counter(y for _,y in weak),flush=True)
wdev=[w for w in weak if not is_twin(iH,w[0]) and not is_twin(iR,w[0])]
wfin=[w for w in weak if not is_twin(iH,w[0])]
print(len(wdev),len(wfin),flush=True)
cfg={'words':1,'head':1}
print('base dev %.3f fin %.3f'%(run(devtrain,devtest,cfg),run(fintrain,fintest,cfg)),flush=True)
print('weak dev %.3f fin %.3f'%(run(devtrain+wdev,devtest,cfg),run(fintrain+wfin,fintest,cfg)),flush=True)
