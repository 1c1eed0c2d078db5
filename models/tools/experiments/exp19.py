"""exp19: the title read twice at inference. One model (the shipped features with the density block, trained as
for dev); each test message is scored on title + detail and on its title alone, and the two decision values are
mixed: (1 - a) * full + a * title. Measured on dev (220 raw) and on the external raw messages (exp12, part 3,
with their own titles); the held-out half is printed for the record only. No message text is written."""
import os, sys, csv
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exp16 import *
terms = build()
def fit(train): return fit_shipped(train, terms)
def sweep(name, train, tests):
    m, dec = fit(train)
    for tname, titles, fulls, y in tests:
        F, T = dec(fulls), dec(titles)
        out = []
        for a in (0, 0.1, 0.2, 0.3, 0.4, 0.5):
            p = m.classes_[np.argmax((1 - a) * F + a * T, axis=1)]
            out.append('a %.1f %.3f' % (a, f1_score(y, p, average='macro')))
        print(name, tname, ' | '.join(out), flush=True)
E = external_raw(dedup, with_titles=True)
iE = twin_index([x for _, x, _ in E])
sweep('dev-model', devtrain, [('dev', [r['title'] for r in R], [rawtext(r) for r in R], [r['category'] for r in R])])
extrain = dedup([(s['text'], s['category']) for s in seg if key(s) not in tH and key(s) not in tR and twin(iE, s['text']) is None])
sweep('ext-model', extrain, [('ext', [t for t, _, _ in E], [x for _, x, _ in E], [l for _, _, l in E])])
# The union of dev and the external messages, scored by one model trained without the twins of either.
train = dedup([(s['text'], s['category']) for s in seg if key(s) not in tH and key(s) not in tR and twin(iE, s['text']) is None])
sweep('union-model', train, [('dev + ext', [r['title'] for r in R] + [t for t, _, _ in E], [rawtext(r) for r in R] + [x for _, x, _ in E],
                              [r['category'] for r in R] + [l for _, _, l in E])])
sweep('fin-model', fintrain, [('held-out (record only)', [r['title'] for r in H], [rawtext(r) for r in H], [r['category'] for r in H])])
