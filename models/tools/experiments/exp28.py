"""exp28: IDF from raw text too. The IDF of the shipped features comes from the training rows, nearly all of them
segmented with stop words dropped, so the characters of stop words (的, 了, 是 …) look rare and weigh heavily in
a raw message's vector, which the dispatcher's input is. Here the IDF of the three TF-IDF blocks is fitted on the
training rows plus unlabelled raw messages of hotspot-corpus.csv and replies.csv (no labels read; twins of any
test message left out): `idf` keeps the training vocabulary and takes only the IDF from the union, `vocab` also
takes the unlabelled messages' n-grams into the vocabulary (they get no weight but count in a vector's norm).
dev, external raw and their union; `--fin` adds the held-out half for the record. No message text is written."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exp16 import *
terms = build()
hot = list(csv.DictReader(open(D + 'hotspot-corpus.csv'))); rep = list(csv.DictReader(open(D + 'replies.csv')))
U = [rawtext(r) for r in hot + rep]
def pool(tests):
    """The unlabelled raw messages that are not a twin of any text in `tests` (nor the same text)."""
    idx = twin_index(tests); same = set(tests)
    return [t for t in U if t not in same and twin_raw(idx, t) is None]
class RawIDF(ShippedFeatures):
    def __init__(self, terms, extra, mode):
        super().__init__(terms); self.extra, self.mode = extra, mode
    def fit(self, texts):
        fitted = []
        for b in self.blocks:
            if self.mode == 'idf':
                vocab = TfidfVectorizer(**b.get_params()).fit(texts).vocabulary_
                b.set_params(vocabulary=vocab)
            b.fit(list(texts) + self.extra)
            fitted.append(b.transform(texts))
        return hstack(fitted + [density(texts, self.terms, self.w)]).tocsr()
def f1(train, tests, extra, mode):
    f = RawIDF(terms, extra, mode) if mode else ShippedFeatures(terms)
    m = LinearSVC(C=1.0, random_state=0).fit(f.fit([t for t, _ in train]), [l for _, l in train])
    return [m.predict(f.transform([t for t, _ in T])) for T in tests]
Ex, union_train = external_split()
ydev, yext = [l for _, l in devtest], [l for _, l in Ex]
rawAll = [rawtext(r) for r in raw]
Pdev = pool(rawAll); Punion = pool(rawAll + [t for t, _ in Ex])
print(len(U), 'unlabelled raw messages;', len(Pdev), 'in the dev pool,', len(Punion), 'in the union pool', flush=True)
for mode in (None, 'idf', 'vocab'):
    (pd,) = f1(devtrain, [devtest], Pdev, mode)
    pu, pe = f1(union_train, [devtest, Ex], Punion, mode)
    line = '%-8s %s' % (mode or 'shipped', protocol_scores(ydev, yext, pd, pu, pe))
    if '--fin' in sys.argv:
        (pf,) = f1(fintrain, [fintest], pool([rawtext(r) for r in H]), mode)
        line += ' | held-out (record) %.3f' % f1_score([l for _, l in fintest], pf, average='macro')
    print(line, flush=True)
