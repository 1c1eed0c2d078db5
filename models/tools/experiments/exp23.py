"""exp23: other linear learners on the shipped features (+ the density block): one-vs-rest L2-loss SVM (shipped),
Crammer-Singer multiclass SVM, multinomial logistic regression, averaged SGD (modified Huber). Measured on dev
and on the union of dev and the external raw messages (one model trained without the twins of either); the
held-out half is printed for the record only (`--fin`). No message text is written."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exp16 import *
from sklearn.linear_model import LogisticRegression, SGDClassifier
terms = build()
LEARNERS = {
    'ovr-svm C1 (shipped)': lambda: LinearSVC(C=1.0, random_state=0),
    'ovr-svm C1 balanced': lambda: LinearSVC(C=1.0, class_weight='balanced', random_state=0),
    'ovr-svm C0.5 balanced': lambda: LinearSVC(C=0.5, class_weight='balanced', random_state=0),
    'crammer-singer C0.1': lambda: LinearSVC(C=0.1, multi_class='crammer_singer', random_state=0),
    'crammer-singer C0.3': lambda: LinearSVC(C=0.3, multi_class='crammer_singer', random_state=0),
    'multinomial LR C10': lambda: LogisticRegression(C=10, max_iter=3000),
    'multinomial LR C30': lambda: LogisticRegression(C=30, max_iter=3000),
    'multinomial LR C100': lambda: LogisticRegression(C=100, max_iter=3000),
    'avg SGD modified_huber': lambda: SGDClassifier(loss='modified_huber', alpha=2e-5, average=True, max_iter=50, random_state=1),
}
fin = '--fin' in sys.argv
Ex, union_train, A1, B1, A2, B2, B3, ydev, yext, A4, B4 = protocol_matrices(terms, fin)
only = [a for a in sys.argv[1:] if not a.startswith('--')]
for name, make in LEARNERS.items():
    if only and not any(o in name for o in only): continue
    pd = make().fit(A1, [l for _, l in devtrain]).predict(B1)
    m = make().fit(A2, [l for _, l in union_train])
    pu, pe = m.predict(B2), m.predict(B3)
    line = '%-26s %s' % (name, protocol_scores(ydev, yext, pd, pu, pe))
    if fin:
        pf = make().fit(A4, [l for _, l in fintrain]).predict(B4)
        line += ' | held-out (record) %.3f' % f1_score([l for _, l in fintest], pf, average='macro')
    print(line, flush=True)
