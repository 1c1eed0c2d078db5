"""exp21cv: exp21's word-vector blocks compared by exp13's 5-fold grouped cross-validation over the segmented
file (≈ 1,600 test messages per fold, near-duplicates kept in one fold): typical messages, where differences of
0.005 are visible. Prints macro-F1 per fold and the mean, for each setting given as shape:K:w."""
import os, sys, numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.argv, args = sys.argv[:1] + ['(no exp13 setting)'], sys.argv[1:]
import exp13  # noqa: F401 — builds the folds; the argv above matches none of its own settings
from exp21 import *
for spec in args:
    shape, K, w = spec.split(':'); K = int(K); w = float(w)
    scores = []
    for tr, te in exp13.folds:
        train = [exp13.rows[i] for i in tr]; test = [exp13.rows[i] for i in te]
        p = fit(train, shape, K, w)([t for t, _ in test])
        scores.append(f1_score([l for _, l in test], p, average='macro'))
    print('%-14s %.4f  (folds %s)' % (spec, np.mean(scores), ' '.join('%.3f' % s for s in scores)), flush=True)
