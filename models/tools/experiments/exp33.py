"""exp33: m3e-small (m3e.py) fine-tuned as a classifier (mean of the last layer, a linear layer on top; AdamW,
lr 1e-4 with linear decay, batch 32, EPOCHS epochs, the first MAXLEN tokens), in torch (`pip install torch
transformers`). Trained on the union protocol's rows (the segmented file without the twins of any raw or external
test message) and tested on the 220 raw dev messages and the 308 external raw ones; prints the fine-tuned model,
the shipped SVM on the same split, and their sum of standardised scores. `--fin` trains again on the shipped
protocol and prints the held-out half, for the record only. Takes ≈ 10-20 min an epoch on two cores."""
import os, sys, time, random, numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from exp16 import *
import torch
from transformers import BertModel, BertTokenizerFast
from m3e import DIR

MAXLEN = int(os.environ.get('MAXLEN', '128')); EPOCHS = int(os.environ.get('EPOCHS', '2'))
torch.manual_seed(0); random.seed(0)
tok = BertTokenizerFast(tokenizer_file=os.path.join(DIR, 'tokenizer.json'))

class Net(torch.nn.Module):
    def __init__(self, k):
        super().__init__()
        self.bert = BertModel.from_pretrained(DIR, add_pooling_layer=False)
        self.head = torch.nn.Linear(self.bert.config.hidden_size, k)
    def forward(self, ids, mask):
        h = self.bert(input_ids=ids, attention_mask=mask).last_hidden_state
        m = mask.unsqueeze(-1).float()
        return self.head((h * m).sum(1) / m.sum(1))

def batches(texts, size, shuffle):
    enc = tok(texts, truncation=True, max_length=MAXLEN)['input_ids']
    order = sorted(range(len(texts)), key=lambda i: len(enc[i]))
    groups = [order[i:i + size] for i in range(0, len(order), size)]
    if shuffle: random.shuffle(groups)
    for g in groups:
        T = max(len(enc[i]) for i in g)
        ids = torch.zeros(len(g), T, dtype=torch.long); mask = torch.zeros(len(g), T, dtype=torch.long)
        for r, i in enumerate(g):
            ids[r, :len(enc[i])] = torch.tensor(enc[i]); mask[r, :len(enc[i])] = 1
        yield g, ids, mask

def finetune(train):
    X = [t for t, _ in train]; y = torch.tensor([classes.index(l) for _, l in train])
    net = Net(len(classes)); opt = torch.optim.AdamW(net.parameters(), lr=1e-4, weight_decay=0.01)
    steps = EPOCHS * ((len(X) + 31) // 32); sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1 - s / steps)
    t0 = time.time(); n = 0
    for ep in range(EPOCHS):
        net.train()
        for g, ids, mask in batches(X, 32, True):
            loss = torch.nn.functional.cross_entropy(net(ids, mask), y[g])
            opt.zero_grad(); loss.backward(); opt.step(); sched.step(); n += 1
            if n % 50 == 0: print('step %d/%d loss %.3f %.0f s' % (n, steps, loss.item(), time.time() - t0), flush=True)
    net.eval()
    def scores(texts):
        out = np.zeros((len(texts), len(classes)), np.float32)
        with torch.no_grad():
            for g, ids, mask in batches(texts, 64, False): out[g] = net(ids, mask).numpy()
        return out
    return scores

def z(s): return (s - s.mean()) / s.std()

def run(train, tests, names):
    bert = finetune(train)
    _, svm = fit_shipped(train, build())
    ys = []
    for (texts, labels), name in zip(tests, names):
        b, s = bert(texts), svm(texts)
        ys.append((labels, b, s))
    for label, pick in (('fine-tuned m3e-small', lambda b, s: b), ('shipped SVM', lambda b, s: s),
                        ('sum of both, standardised', lambda b, s: z(b) + z(s))):
        out = []
        for (labels, b, s), name in zip(ys, names):
            predicted = [classes[i] for i in pick(b, s).argmax(1)]
            out.append('%s %.3f' % (name, f1_score(labels, predicted, average='macro')))
        if len(ys) == 2:
            L = ys[0][0] + ys[1][0]; P = np.vstack([pick(b, s) for _, b, s in ys])
            out.append('union %.3f' % f1_score(L, [classes[i] for i in P.argmax(1)], average='macro'))
        print(label, ' | '.join(out), flush=True)

if __name__ == '__main__':
    E, extrain = external_split()
    print(len(extrain), 'training rows (union protocol)', flush=True)
    dev = ([t for t, _ in devtest], [l for _, l in devtest])
    run(extrain, [dev, ([t for t, _ in E], [l for _, l in E])], ['dev', 'ext'])
    if '--fin' in sys.argv:
        run(fintrain, [([t for t, _ in fintest], [l for _, l in fintest])], ['held-out (record only)'])
