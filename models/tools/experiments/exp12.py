"""exp12: is the held-out raw half a typical sample?  Three measurements under the same protocol (train without
the test messages' twins, test on messages never seen in any form):
  1. random segmented messages (227 at a time, twins removed exactly as for the raw hold-out), 4 seeds;
  2. the raw-file held-out half (raw text) and the segmented twins of the same messages;
  3. raw messages of hotspot-corpus.csv and replies.csv whose segmented twin carries a label ("external raw"),
     in raw text and in their segmented form.
Prints macro-F1 only; no message text is written."""
import os, sys, csv, random, pickle
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exp2 import *
HERE = os.path.dirname(os.path.abspath(__file__))
tH, tR = pickle.load(open(os.path.join(HERE, 'twins.pkl'), 'rb'))
CFG = {'words': 1, 'head': 1}
# 1. random segmented messages
base = [s for s in seg if key(s) not in tH and key(s) not in tR]
for seed in (1, 2, 3, 4):
    test = random.Random(seed).sample(base, 227)
    idx = twin_index([s['text'] for s in test])
    train = dedup([(s['text'], s['category']) for s in base if twin(idx, s['text']) is None])
    print('random segmented, seed %d: %.3f' % (seed, run(train, [(s['text'], s['category']) for s in test], CFG)), flush=True)
# 2. the held-out raw half, raw and segmented
twH = [(s['text'], s['category']) for s in seg if key(s) in tH]
print('held-out raw half: raw text %.3f, its segmented twins %.3f' % (run(fintrain, fintest, CFG), run(fintrain, twH, CFG)), flush=True)
# 3. external raw messages labelled through their segmented twin (one label only)
E = external_raw(dedup)
iE = twin_index([t for t, _ in E])
segE = [(s['text'], s['category']) for s in seg if twin(iE, s['text']) is not None]
train = dedup([(s['text'], s['category']) for s in seg if key(s) not in tH and twin(iE, s['text']) is None] +
              [(rawtext(r), r['category']) for r in R])
print('external raw (%d messages): raw text %.3f, segmented twins %.3f' % (len(E), run(train, E, CFG), run(train, segE, CFG)))
