"""exp11: k-nearest neighbours (cosine, same TF-IDF features) alone and mixed with the SVM's scores."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exp2 import *
import numpy as np
from sklearn.svm import LinearSVC
from scipy.sparse import hstack

def evaluate(train, test):
    A, B = shipped_features(train, test)
    y = np.array([l for _, l in train]); yt = [l for _, l in test]
    m = LinearSVC(C=1.0).fit(A, y)
    labels = list(m.classes_)
    svm = m.decision_function(B)
    sims = (B @ A.T).toarray() / 3.0  # three L2-normalised blocks
    out = {'svm': f1_score(yt, [labels[i] for i in svm.argmax(1)], average='macro')}
    for k in (5, 10, 20):
        idx = np.argsort(-sims, axis=1)[:, :k]
        votes = np.zeros((len(test), len(labels)))
        for r in range(len(test)):
            for j in idx[r]:
                votes[r, labels.index(y[j])] += sims[r, j]
        votes /= np.maximum(votes.sum(1, keepdims=True), 1e-9)
        out['knn%d' % k] = f1_score(yt, [labels[i] for i in votes.argmax(1)], average='macro')
        for a in (0.5, 1.0, 2.0):
            mix = svm + a * votes
            out['svm+%.1fknn%d' % (a, k)] = f1_score(yt, [labels[i] for i in mix.argmax(1)], average='macro')
    return out

dev = evaluate(devtrain, devtest)
fin = evaluate(fintrain, fintest)
for key in dev:
    print('%-16s dev %.3f fin %.3f' % (key, dev[key], fin[key]), flush=True)
