"""exp26: exp18's raw-form examples measured where exp18 could not: on raw messages. The external raw messages (raw
messages of hotspot-corpus.csv and replies.csv whose segmented twin carries one label, none a twin of a raw-file
message) are cut in two folds (three seeded cuts); a model trained without the twins of the raw file and of the
test fold, with or without the other fold's messages in raw form, is tested on the test fold. Also dev with all
of them added. No message text is written."""
import os, sys, random
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exp16 import *
terms = build()
rawIdx = twin_index([rawtext(r) for r in raw])
E = [(t, l) for t, l in external_raw(dedup) if twin_raw(rawIdx, t) is None]
print(len(E), 'external raw messages (no raw-file twin)', flush=True)
iE = twin_index([t for t, _ in E])
base = [s for s in seg if key(s) not in tH and key(s) not in tR]
segTwinOf = {key(s): twins(iE, s['text']) for s in base}
def run(train, test):
    m, dec = fit_shipped(train, terms)
    return f1_score([l for _, l in test], m.classes_[dec([t for t, _ in test]).argmax(1)], average='macro')
# Near-duplicate external messages (re-sent copies) stay in one fold: groups by raw-to-raw twins.
group = list(range(len(E)))
def root(i):
    while group[i] != i: i = group[i]
    return i
for i, (t, _) in enumerate(E):
    for j in twins(iE, raw_tokens(t)):
        group[root(j)] = root(i)
groups = collections.defaultdict(list)
for i in range(len(E)): groups[root(i)].append(i)
groups = sorted(groups.values())
print(len(groups), 'groups of near-duplicates', flush=True)
for cut in ((1, 2, 3) if '--no-folds' not in sys.argv else ()):
    order = list(range(len(groups))); random.Random(cut).shuffle(order)
    folds = [set(), set()]
    for n, g in enumerate(order): folds[n % 2].update(groups[g])
    for k in (0, 1):
        test, other = folds[k], folds[1 - k]
        train = dedup([(s['text'], s['category']) for s in base if not (segTwinOf.get(key(s), set()) & test)])
        a = run(train, [E[j] for j in sorted(test)])
        b = run(dedup(train + [E[j] for j in sorted(other)]), [E[j] for j in sorted(test)])
        print('cut %d fold %d (%d test): without %.3f | + other fold raw form %.3f' % (cut, k, len(test), a, b), flush=True)
print('dev: without %.3f | + all %d in raw form %.3f' % (run(devtrain, devtest), len(E), run(dedup(devtrain + E), devtest)), flush=True)
if '--fin' in sys.argv:
    hIdx = twin_index([rawtext(r) for r in H])
    Ef = [(t, l) for t, l in external_raw(dedup) if twin_raw(hIdx, t) is None]
    print('held-out (record): without %.3f | + %d in raw form %.3f' % (run(fintrain, fintest), len(Ef), run(dedup(fintrain + Ef), fintest)), flush=True)
