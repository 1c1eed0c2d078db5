"""exp29: place codes (A市, A3区, K9县: an ASCII letter and digits before 市/区/县) dropped from the text the features
read, in case the segmented file's "市" for "A市" splits raw and segmented n-grams; variant 'ascii' drops every ASCII
letter and digit. Twins are found with the unchanged normaliser."""
import os, sys, re
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common, exp2
from exp16 import *
import exp16
base = common.norm
variant = sys.argv[1] if len(sys.argv) > 1 else 'none'
code = re.compile(r'[a-z]+\d*(?=[市区县])')
def patched(t):
    s = base(t)
    if variant == 'codes': return code.sub('', s)
    if variant == 'ascii': return re.sub(r'[a-z0-9]+', '', s)
    return s
exp2.norm = patched; exp16.norm = patched
print(variant, shipped_protocol_scores(build()), flush=True)
