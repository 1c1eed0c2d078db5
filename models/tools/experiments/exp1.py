import os
import sys; sys.path.insert(0,os.path.dirname(os.path.abspath(__file__)))
from common import *
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC
from sklearn.metrics import f1_score
from scipy.sparse import hstack
# twins of H and of R in segmented
iH=twin_index([rawtext(r) for r in H]); iR=twin_index([rawtext(r) for r in R])
segH=[s for s in seg if twin(iH,s['text']) is not None]
segR=[s for s in seg if twin(iR,s['text']) is not None]
print(len(segH),len(segR))
import pickle
pickle.dump((set(s['id']+s['text'][:30] for s in segH), set(s['id']+s['text'][:30] for s in segR)), open(os.path.join(os.path.dirname(os.path.abspath(__file__)),'twins.pkl'),'wb'))
