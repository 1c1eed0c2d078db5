"""exp30: the shape of the shipped blocks, on top of the density block: character 1-4-grams in the text block
(`c14`), rare n-grams dropped (`mindf2`: min_df 2 in every block), plain term frequency (`rawtf`), and a fourth block
of dictionary words of the title (`headwords`: the first 20 characters). Dev, external raw and union
(`python3 exp30.py VARIANT`)."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exp16 import *
import exp16
variant = sys.argv[1] if len(sys.argv) > 1 else 'none'
class Variant(ShippedFeatures):
    def __init__(self, terms, w=2.0):
        super().__init__(terms, w)
        sub = variant != 'rawtf'
        mindf = 2 if variant == 'mindf2' else 1
        hi = 4 if variant == 'c14' else 3
        self.blocks = [TfidfVectorizer(analyzer='char', ngram_range=(1, hi), sublinear_tf=sub, preprocessor=norm, min_df=mindf),
                       TfidfVectorizer(analyzer=fmm, sublinear_tf=sub, min_df=mindf),
                       TfidfVectorizer(analyzer='char', ngram_range=(1, 3), sublinear_tf=sub, preprocessor=lambda t: norm(t)[:20], min_df=mindf)]
        if variant == 'headwords':
            self.blocks.append(TfidfVectorizer(analyzer=lambda t: fmm(norm(t)[:20]), sublinear_tf=True))
exp16.ShippedFeatures = Variant
print(variant, shipped_protocol_scores(build()), flush=True)
