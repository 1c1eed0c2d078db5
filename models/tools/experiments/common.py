import os
import csv, re, random, collections, numpy as np
D=os.path.join(os.path.dirname(os.path.abspath(__file__)),'..','..','..','..','shared','data','appeals','')
def norm(t):
    out=[]
    for ch in t:
        v=ord(ch)
        if 0xFF01<=v<=0xFF5E: v-=0xFEE0
        if 0x41<=v<=0x5A: v+=32
        if (0x30<=v<=0x39) or (0x61<=v<=0x7A) or (0x4E00<=v<=0x9FFF) or (0x3400<=v<=0x4DBF) or (0xF900<=v<=0xFAFF):
            out.append(chr(v))
    return ''.join(out)
raw=list(csv.DictReader(open(D+'appeals-train-raw.csv')))
seg=list(csv.DictReader(open(D+'appeals-train-segmented.csv')))
held=[l.split(',')[0].strip() for l in open(os.path.join(os.path.dirname(os.path.abspath(__file__)),'..','..','heldout-ids.txt')) if l.strip() and not l.startswith('#')]
held=set(held)
H=[r for r in raw if r['id'] in held]
R=[r for r in raw if r['id'] not in held]
def grams_norm(text):
    s=norm(text); g=set()
    for n in (2,3):
        for i in range(len(s)-n+1): g.add(s[i:i+n])
    return g
def twin_index(msgs):
    idx=collections.defaultdict(list)
    for m,t in enumerate(msgs):
        for g in grams_norm(t): idx[g].append(m)
    return idx
def token_grams(text):
    # the character trigrams inside each white-space token (a two-character token counts as itself)
    g=set()
    for tok in text.split():
        s=norm(tok)
        if len(s)==2: g.add(s)
        for i in range(len(s)-2): g.add(s[i:i+3])
    return g
def twin_counts(idx, text, ming=5):
    """(number of token grams of `text`, Counter message -> grams it shares with `text`), or None under `ming` grams."""
    g=token_grams(text)
    if len(g)<ming: return None
    hits=collections.Counter()
    for x in g:
        for m in idx.get(x,()): hits[m]+=1
    return len(g), hits
def twin(idx, text, thr=0.8, ming=5):
    found=twin_counts(idx, text, ming)
    if found is None: return None
    n, hits=found
    best=None
    for m,c in hits.items():
        # ties go to the first message, as in HoldoutMatcher (set order varies with the string hash seed)
        if c>=thr*n and (best is None or c>best[1] or (c==best[1] and m<best[0])): best=(m,c)
    return best and best[0]
def twins(idx, text, thr=0.8, ming=5):
    """Every message `text` is a twin of (twin() gives the best one only)."""
    found=twin_counts(idx, text, ming)
    return set() if found is None else {m for m, c in found[1].items() if c>=thr*found[0]}
def raw_tokens(text):
    """An unsegmented message as twin() reads it: the character trigrams of its normalised text stand for its tokens."""
    n = norm(text)
    return ' '.join(n[i:i + 3] for i in range(0, max(1, len(n) - 2)))
def twin_raw(idx, text):
    """twin() for an unsegmented message."""
    return twin(idx, raw_tokens(text))
def rawtext(r): return r['title']+' '+r['detail']
def external_raw(dedup, with_titles=False):
    """Raw messages of hotspot-corpus.csv and replies.csv whose segmented twin carries one label (exp12, part 3),
    deduplicated with `dedup`: [(raw text, label)], or [(title, raw text, label)] with `with_titles`."""
    ext = []
    for name in ('hotspot-corpus.csv', 'replies.csv'):
        rows = list(csv.DictReader(open(D + name)))
        idx = twin_index([rawtext(r) for r in rows])
        labels = collections.defaultdict(set)
        for s in seg:
            m = twin(idx, s['text'])
            if m is not None: labels[m].add(s['category'])
        ext += [(rawtext(rows[m]), next(iter(c)), rows[m]['title']) for m, c in labels.items() if len(c) == 1]
    kept = {t for t, _ in dedup([(t, l) for t, l, _ in ext])}
    out, seen = [], set()
    for t, l, title in ext:
        if t in kept and t not in seen:
            seen.add(t); out.append((title, t, l) if with_titles else (t, l))
    return out
def max_match(text, vocab, maxlen=6, limit=1000):
    """The words of `vocab` (2..maxlen characters) in the first `limit` normalised characters of `text`, by forward
    maximum matching: the longest word at each position, else one character on."""
    s = norm(text)[:limit]; out = []; i = 0
    while i < len(s):
        m = 0
        for L in range(min(maxlen, len(s) - i), 1, -1):
            if s[i:i+L] in vocab: m = L; break
        if m: out.append(s[i:i+m]); i += m
        else: i += 1
    return out
