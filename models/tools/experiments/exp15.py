"""exp15: label-noise pruning (confident learning). Out-of-fold SVM scores (5 folds) over the training rows; a row
whose given label scores more than `delta` below the best other label is dropped (or relabelled), then the model is
retrained on the rest. dev and fin protocols as in exp2.
"""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exp2 import *
import numpy as np
from sklearn.model_selection import StratifiedKFold

def margins(A, y):
    y = np.array(y)
    classes = sorted(set(y))
    out = np.zeros(len(y))
    pred = np.empty(len(y), dtype=object)
    for tr, te in StratifiedKFold(5, shuffle=True, random_state=0).split(A, y):
        m = LinearSVC(C=1.0).fit(A[tr], y[tr])
        s = m.decision_function(A[te])
        for k, i in enumerate(te):
            gi = list(m.classes_).index(y[i])
            other = np.max(np.delete(s[k], gi))
            out[i] = s[k][gi] - other
            pred[i] = m.classes_[np.argmax(s[k])]
    return out, pred

def evaluate(train, test, name):
    A, B = shipped_features(train, test)
    y = [l for _, l in train]; yt = [l for _, l in test]
    mg, pred = margins(A, y)
    res = []
    for delta in (None, 1.0, 0.6, 0.3, 0.0):
        if delta is None:
            keep = np.arange(len(y)); yy = np.array(y)
        else:
            keep = np.where(mg >= -delta)[0]; yy = np.array(y)
        m = LinearSVC(C=1.0).fit(A[keep], yy[keep])
        f = f1_score(yt, m.predict(B), average='macro')
        res.append(('drop', delta, len(y) - len(keep), f))
        if delta is not None:
            y2 = np.array([pred[i] if mg[i] < -delta else y[i] for i in range(len(y))], dtype=object)
            m = LinearSVC(C=1.0).fit(A, y2)
            res.append(('relabel', delta, int((mg < -delta).sum()), f1_score(yt, m.predict(B), average='macro')))
    for r in res: print(name, '%-7s delta=%s changed=%d F1 %.3f' % r, flush=True)

evaluate(devtrain, devtest, 'dev')
evaluate(fintrain, fintest, 'fin')
