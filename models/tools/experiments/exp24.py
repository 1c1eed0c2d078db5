"""exp24: per-class decision offsets for macro-F1. The shipped model's seven decision values plus an offset per
class, the offsets found by coordinate ascent (grid 0.05, ±0.5, three passes) to maximise macro-F1 on one set of
raw messages, then applied to another: fitted on dev (220 raw, dev model) and applied to the external raw
messages (ext model), and the reverse; also offsets fitted on out-of-fold decisions over the segmented training
rows (5 folds). Both models are trained without the twins of the messages they score. The held-out half is
printed for the record only (`--fin`): offsets fitted on dev, applied to the shipped-protocol model."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exp16 import *
from sklearn.model_selection import StratifiedKFold
terms = build()
def fit(train): return fit_shipped(train, terms)
def macro(D, y, b, cls): return f1_score(y, cls[np.argmax(D + b, axis=1)], average='macro')
def offsets(D, y, cls):
    b = np.zeros(D.shape[1])
    for _ in range(3):
        for k in range(len(b)):
            best, bv = macro(D, y, b, cls), b[k]
            for v in np.arange(-0.5, 0.501, 0.05):
                b[k] = v; s = macro(D, y, b, cls)
                if s > best + 1e-9: best, bv = s, v
            b[k] = bv
    return b
def oof(train, folds=5):
    y = np.array([l for _, l in train]); D = np.zeros((len(train), 7))
    for a, t in StratifiedKFold(folds, shuffle=True, random_state=1).split(np.zeros(len(y)), y):
        _, dec = fit([train[i] for i in a]); D[t] = dec([train[i][0] for i in t])
    return D, list(y)
E, extrain = external_split()
mdev, ddev = fit(devtrain); cls = mdev.classes_
Ddev, ydev = ddev([t for t, _ in devtest]), [l for _, l in devtest]
mext, dext = fit(extrain); assert list(mext.classes_) == list(cls)
Dext, yext = dext([t for t, _ in E]), [l for _, l in E]
z = np.zeros(7)
bd, be = offsets(Ddev, ydev, cls), offsets(Dext, yext, cls)
print('classes', list(cls))
print('offsets fitted on dev', np.round(bd, 2), 'dev itself %.3f -> %.3f' % (macro(Ddev, ydev, z, cls), macro(Ddev, ydev, bd, cls)))
print('offsets fitted on ext', np.round(be, 2), 'ext itself %.3f -> %.3f' % (macro(Dext, yext, z, cls), macro(Dext, yext, be, cls)))
print('dev-fitted on ext: %.3f -> %.3f' % (macro(Dext, yext, z, cls), macro(Dext, yext, bd, cls)), flush=True)
print('ext-fitted on dev: %.3f -> %.3f' % (macro(Ddev, ydev, z, cls), macro(Ddev, ydev, be, cls)), flush=True)
Do, yo = oof(devtrain); bo = offsets(Do, yo, cls)
print('segmented out-of-fold offsets', np.round(bo, 2), 'oof %.3f -> %.3f' % (macro(Do, yo, z, cls), macro(Do, yo, bo, cls)))
print('seg-fitted on dev: %.3f -> %.3f | on ext: %.3f -> %.3f' % (macro(Ddev, ydev, z, cls), macro(Ddev, ydev, bo, cls), macro(Dext, yext, z, cls), macro(Dext, yext, bo, cls)), flush=True)
if '--fin' in sys.argv:
    mf, df = fit(fintrain); Df, yf = df([t for t, _ in fintest]), [l for _, l in fintest]
    print('held-out (record): %.3f | dev offsets %.3f | ext offsets %.3f | seg offsets %.3f' % (macro(Df, yf, z, cls), macro(Df, yf, bd, cls), macro(Df, yf, be, cls), macro(Df, yf, bo, cls)))
