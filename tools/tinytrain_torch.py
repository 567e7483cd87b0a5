"""The bridge between tinytrain weight files and PyTorch (torch and the standard library only).

    import tinytrain_torch as tt
    net = tt.to_torch("model.safetensors")        # nn.Sequential with the weights, in eval mode
    logits = net(torch.tensor([[0.5, -1.0]]))    # same outputs as tinytrain's predict()

    net = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3))
    ... train it ...
    tt.from_torch(net, "model.safetensors", loss="cross_entropy")   # loads with Model.load(bytes)

A tinytrain file is standard safetensors: names "<i>.weight" / "<i>.bias" of the nn.Sequential index i, PyTorch
layouts, and __metadata__ = {"format": "tinytrain", "spec": "<spec JSON>"}. Each layer type maps to the torch.nn
module named in the repository's table of layers, src/layers/layer_table.h (read at import; layer_table() returns
it): dense -> Linear, conv2d -> Conv2d, ..., softmax -> Softmax(dim=-1), embedding -> Embedding (give it integer
token ids: x.long()), layernorm -> LayerNorm(last dim). A type without fields or parameters (relu, tanh, ...) maps
to its module built without arguments, so a new activation needs no code here. position_embedding ->
PositionEmbedding (its table is "weight"), attention -> SelfAttention (an nn.MultiheadAttention, batch_first, with
its own parameter names: "in_proj_weight", "out_proj.weight", ...), residual -> Residual (x + its nn.Sequential
"layers"(x), so "2.layers.1.in_proj_weight"): the bridge's own modules, below.

Command line:  python3 tinytrain_torch.py predict model.safetensors inputs.csv   (one line of outputs per row)
               python3 tinytrain_torch.py info model.safetensors
"""
import json
import math
import os
import struct
import sys

import torch
from torch import nn

__all__ = ["to_torch", "from_torch", "build", "spec_of", "read_safetensors", "write_safetensors", "layer_table",
           "PositionEmbedding", "SelfAttention", "Residual"]

_LAYER_TABLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "layers", "layer_table.h")


def layer_table(path=_LAYER_TABLE):
    """The lines of src/layers/layer_table.h in order, as dicts: name, fields (the spec.c field table),
    traits (a list of words), fused, torch (the torch.nn module's name)."""
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("TT_LAYER(") and line.endswith(")"):
                name, _, fields, traits, fused, module = [c.strip() for c in line[len("TT_LAYER("):-1].split(",")]
                rows.append({"name": name, "fields": fields, "traits": traits.split(), "fused": fused,
                             "torch": module})
    return rows


# Types without fields or parameters: their module takes no arguments (or, as Flatten and Softmax, gets the
# arguments that build() and spec_of() give it before these maps are consulted).
_PLAIN = {r["name"]: r["torch"] for r in layer_table()
          if r["fields"] == "no_fields" and "PARAMS" not in r["traits"] and hasattr(nn, r["torch"])}
_PLAIN_OF_MODULE = {getattr(nn, module): name for name, module in _PLAIN.items()}

_DTYPES = {"F32": (torch.float32, 4), "F16": (torch.float16, 2), "BF16": (torch.bfloat16, 2),
           "F64": (torch.float64, 8)}


# ---- safetensors without the safetensors package ------------------------------------------------------

def read_safetensors(path):
    """Returns (tensors: dict name -> float32 tensor, metadata: dict). Checks the framing like the C reader."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError("%s: %d bytes, shorter than the 8-byte header length" % (path, len(data)))
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8:
        raise ValueError("%s: header length %d exceeds the file size %d" % (path, n, len(data)))
    header = json.loads(data[8:8 + n].decode("utf-8"))
    body = data[8 + n:]
    meta = header.pop("__metadata__", {}) or {}
    tensors, spans = {}, []
    for name, info in header.items():
        if info["dtype"] not in _DTYPES:
            raise ValueError("%s: dtype %s is not supported" % (name, info["dtype"]))
        dtype, size = _DTYPES[info["dtype"]]
        begin, end = info["data_offsets"]
        count = math.prod(info["shape"])
        if not 0 <= begin <= end <= len(body) or end - begin != count * size:
            raise ValueError("%s: data_offsets %s do not fit shape %s" % (name, [begin, end], info["shape"]))
        raw = bytearray(body[begin:end])  # a writable copy for frombuffer
        t = torch.frombuffer(raw, dtype=dtype) if count else torch.empty(0, dtype=dtype)
        tensors[name] = t.reshape(info["shape"]).to(torch.float32)
        spans.append((begin, end))
    at = 0
    for begin, end in sorted(spans):
        if begin != at:
            raise ValueError("%s: tensors overlap or leave a gap at data byte %d" % (path, at))
        at = end
    if at != len(body):
        raise ValueError("%s: %d trailing bytes after the tensors" % (path, len(body) - at))
    return tensors, meta


def write_safetensors(path, tensors, metadata=None, dtype="F32"):
    """Writes name -> tensor (in the given order) as dtype F32, F16 or BF16 (little-endian)."""
    tdtype, size = _DTYPES[dtype]
    header = {"__metadata__": metadata} if metadata else {}
    blobs, at = [], 0
    for name, t in tensors.items():
        t = t.detach().to("cpu", tdtype).contiguous()
        # the bit patterns as integers, packed little-endian whatever the host (no numpy needed)
        ints = t.view({2: torch.int16, 4: torch.int32, 8: torch.int64}[size]).flatten().tolist()
        blob = struct.pack("<%d%s" % (len(ints), {2: "h", 4: "i", 8: "q"}[size]), *ints)
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [at, at + len(blob)]}
        blobs.append(blob)
        at += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # data 8-byte aligned, like the reference writer
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


# ---- the modules of tinytrain's sequence layers ---------------------------------------------------------

class PositionEmbedding(nn.Module):
    """position_embedding: adds a learned table weight [length, dim] to an input [..., T, dim], T <= length."""

    def __init__(self, length, dim):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(length, dim))
        nn.init.normal_(self.weight, std=0.02)

    def forward(self, x):
        return x + self.weight[: x.shape[-2]]


class SelfAttention(nn.MultiheadAttention):
    """attention: MultiheadAttention(dim, heads, bias=bias, batch_first=True) applied as mha(x, x, x), with a
    causal mask when causal (each position sees itself and the positions before it). Returns the output only."""

    def __init__(self, dim, heads, causal=True, bias=True):
        super().__init__(dim, heads, bias=bias, batch_first=True)
        self.causal = causal

    def forward(self, x):
        mask = None
        if self.causal:
            T = x.shape[-2]
            mask = torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1)  # True: may not attend
        return super().forward(x, x, x, attn_mask=mask, need_weights=False)[0]


class Residual(nn.Module):
    """residual: x + layers(x), layers an nn.Sequential."""

    def __init__(self, layers):
        super().__init__()
        self.layers = layers

    def forward(self, x):
        return x + self.layers(x)


# ---- spec -> nn.Sequential ----------------------------------------------------------------------------

def _modules(layers, shape, path):
    """The modules of a spec's layers array at `path` ("layers", "layers[2].layers") on an input of `shape`.
    Returns (modules, out_shape)."""
    mods = []
    for i, l in enumerate(layers):
        t = l["type"]
        if t == "dense":
            mods.append(nn.Linear(shape[-1], l["units"], bias=l.get("bias", True)))
            shape = shape[:-1] + [l["units"]]
        elif t == "conv2d":
            c, h, w = shape
            k, s, p = l["kernel"], l.get("stride", 1), l.get("padding", 0)
            if p == "same":
                lo, hi = (k - 1) // 2, k - 1 - (k - 1) // 2
                mods.append(nn.Conv2d(c, l["filters"], k, s, padding="same", bias=l.get("bias", True)))
            else:
                lo = hi = p
                mods.append(nn.Conv2d(c, l["filters"], k, s, padding=p, bias=l.get("bias", True)))
            shape = [l["filters"], (h + lo + hi - k) // s + 1, (w + lo + hi - k) // s + 1]
        elif t in ("maxpool2d", "avgpool2d"):
            k = l["size"]
            s = l.get("stride", k)
            mods.append((nn.MaxPool2d if t == "maxpool2d" else nn.AvgPool2d)(k, s))
            shape = [shape[0], (shape[1] - k) // s + 1, (shape[2] - k) // s + 1]
        elif t == "flatten":
            mods.append(nn.Flatten())
            shape = [math.prod(shape)]
        elif t == "dropout":
            mods.append(nn.Dropout(l.get("rate", 0.5)))
        elif t == "leaky_relu":
            mods.append(nn.LeakyReLU(l.get("slope", 0.01)))
        elif t == "softmax":
            mods.append(nn.Softmax(dim=-1))
        elif t == "embedding":
            mods.append(nn.Embedding(l["vocab"], l["dim"]))
            shape = shape + [l["dim"]]
        elif t == "layernorm":
            mods.append(nn.LayerNorm(shape[-1], eps=l.get("eps", 1e-5)))
        elif t == "position_embedding":
            mods.append(PositionEmbedding(l["length"], shape[-1]))
        elif t == "attention":
            mods.append(SelfAttention(shape[-1], l["heads"], l.get("causal", True), l.get("bias", True)))
        elif t == "residual":
            inner, out = _modules(l["layers"], shape, "%s[%d].layers" % (path, i))
            if out != shape:
                raise ValueError("%s[%d]: the inner layers' output %s must have the block's input shape %s" % (
                    path, i, out, shape))
            mods.append(Residual(nn.Sequential(*inner)))
        elif t in _PLAIN:
            mods.append(getattr(nn, _PLAIN[t])())
        else:
            raise ValueError("%s[%d].type: %r has no PyTorch equivalent here" % (path, i, t))
    return mods, shape


def build(spec):
    """The nn.Sequential a tinytrain spec describes (fresh PyTorch initialisation). Returns (module, out_shape)."""
    if isinstance(spec, str):
        spec = json.loads(spec)
    mods, shape = _modules(spec["layers"], list(spec["input"]), "layers")
    return nn.Sequential(*mods), shape


def to_torch(path, dtype=torch.float32):
    """Builds the nn.Sequential of a tinytrain .safetensors file and loads its weights (strictly: every name
    and shape must match). Returns the module in eval mode; its .tinytrain_spec holds the spec dict."""
    tensors, meta = read_safetensors(path)
    if meta.get("format") != "tinytrain" or "spec" not in meta:
        raise ValueError("%s has no tinytrain spec in its metadata; build the module yourself and call "
                         "load_state_dict(read_safetensors(path)[0])" % path)
    spec = json.loads(meta["spec"])
    net, _ = build(spec)
    net.load_state_dict(tensors, strict=True)
    net.tinytrain_spec = spec
    return net.to(dtype).eval()


# ---- nn.Sequential -> spec ----------------------------------------------------------------------------

def _pair(v, what):
    if isinstance(v, tuple):
        if len(set(v)) != 1:
            raise ValueError("%s %s: tinytrain supports square kernels and equal strides/padding only" % (what, v))
        return v[0]
    return v


def _layer_specs(model, input_shape):
    """The spec's layers of an nn.Sequential (input_shape: for Softmax's dim check)."""
    layers = []
    for i, m in enumerate(model):
        if isinstance(m, Residual):
            l = {"type": "residual", "layers": _layer_specs(m.layers, input_shape)}
        elif isinstance(m, PositionEmbedding):
            l = {"type": "position_embedding", "length": m.weight.shape[0]}
        elif isinstance(m, SelfAttention):
            l = {"type": "attention", "heads": m.num_heads}
            if not m.causal:
                l["causal"] = False
            if m.in_proj_bias is None:
                l["bias"] = False
        elif isinstance(m, nn.Linear):
            l = {"type": "dense", "units": m.out_features}
            if m.bias is None:
                l["bias"] = False
        elif isinstance(m, nn.Conv2d):
            if _pair(m.dilation, "dilation") != 1 or m.groups != 1 or m.padding_mode != "zeros":
                raise ValueError("%d: Conv2d with dilation, groups or non-zero padding has no tinytrain equivalent" % i)
            l = {"type": "conv2d", "filters": m.out_channels, "kernel": _pair(m.kernel_size, "kernel_size")}
            if _pair(m.stride, "stride") != 1:
                l["stride"] = _pair(m.stride, "stride")
            pad = m.padding if m.padding == "same" else _pair(m.padding, "padding")
            if pad not in (0, "valid"):
                l["padding"] = pad
            if m.bias is None:
                l["bias"] = False
        elif isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)):
            k = _pair(m.kernel_size, "kernel_size")
            s = _pair(m.stride, "stride") if m.stride is not None else k
            if _pair(m.padding, "padding") != 0 or m.ceil_mode:
                raise ValueError("%d: pooling with padding or ceil_mode has no tinytrain equivalent" % i)
            if isinstance(m, nn.AvgPool2d) and m.divisor_override:
                raise ValueError("%d: AvgPool2d(divisor_override) has no tinytrain equivalent" % i)
            l = {"type": "maxpool2d" if isinstance(m, nn.MaxPool2d) else "avgpool2d", "size": k}
            if s != k:
                l["stride"] = s
        elif isinstance(m, nn.Flatten):
            if m.start_dim != 1 or m.end_dim != -1:
                raise ValueError("%d: only Flatten() (start_dim=1) is supported" % i)
            l = {"type": "flatten"}
        elif isinstance(m, nn.Dropout):
            l = {"type": "dropout", "rate": m.p}
        elif isinstance(m, nn.LeakyReLU):
            l = {"type": "leaky_relu", "slope": m.negative_slope}
        elif isinstance(m, nn.GELU):
            if m.approximate != "none":
                raise ValueError("%d: GELU(approximate='tanh') has no tinytrain equivalent" % i)
            l = {"type": "gelu"}
        elif isinstance(m, nn.Softmax):
            if m.dim not in (-1, None) and m.dim != len(input_shape):
                raise ValueError("%d: only Softmax over the last dim is supported" % i)
            l = {"type": "softmax"}
        elif isinstance(m, nn.Embedding):
            l = {"type": "embedding", "vocab": m.num_embeddings, "dim": m.embedding_dim}
        elif isinstance(m, nn.LayerNorm):
            if len(m.normalized_shape) != 1 or not m.elementwise_affine:
                raise ValueError("%d: only LayerNorm(D) over the last dim with affine weights is supported" % i)
            l = {"type": "layernorm"}
            if m.eps != 1e-5:
                l["eps"] = m.eps
        else:
            if type(m) not in _PLAIN_OF_MODULE:
                raise ValueError("%d: %s has no tinytrain equivalent" % (i, type(m).__name__))
            l = {"type": _PLAIN_OF_MODULE[type(m)]}
        layers.append(l)
    return layers


def spec_of(model, input_shape=None, loss="cross_entropy", optimizer=None, seed=1):
    """The tinytrain spec of an nn.Sequential. input_shape is needed unless the first layer is Linear
    (its in_features) or Embedding (then give input_shape=[T])."""
    first = next(iter(model), None)
    if input_shape is None:
        if isinstance(first, nn.Linear):
            input_shape = [first.in_features]
        else:
            raise ValueError("input_shape is required when the first layer is not nn.Linear")
    layers = _layer_specs(model, input_shape)
    spec = {"input": list(input_shape), "layers": layers, "loss": loss,
            "optimizer": optimizer or {"type": "adam", "lr": 0.001}, "seed": seed}
    return spec


def from_torch(model, path, spec=None, input_shape=None, loss="cross_entropy", optimizer=None, dtype="F32"):
    """Writes an nn.Sequential as a tinytrain file (Model.load(bytes) in JS, `tinytrain info` natively).
    spec: the tinytrain spec (dict or JSON text); inferred from the module when None. dtype: F32, F16 or BF16.
    Returns the spec dict."""
    if spec is None:
        spec = spec_of(model, input_shape, loss, optimizer)
    elif isinstance(spec, str):
        spec = json.loads(spec)
    ref, _ = build(spec)
    state = model.state_dict()
    want = ref.state_dict()
    if list(state) != list(want) or any(state[k].shape != want[k].shape for k in want):
        raise ValueError("the module's parameters %s do not match the spec's %s" % (
            [(k, list(v.shape)) for k, v in state.items()], [(k, list(v.shape)) for k, v in want.items()]))
    write_safetensors(path, state, {"format": "tinytrain", "spec": json.dumps(spec, separators=(",", ":"))}, dtype)
    return spec


# ---- command line -------------------------------------------------------------------------------------

def _main(argv):
    if len(argv) == 3 and argv[0] == "predict":
        net = to_torch(argv[1])
        rows = []
        with open(argv[2]) as f:
            for line in f:
                if line.strip():
                    try:
                        rows.append([float(v) for v in line.split(",")])
                    except ValueError:
                        continue  # a header
        spec = net.tinytrain_spec
        n_in = math.prod(spec["input"])
        x = torch.tensor([r[:n_in] for r in rows], dtype=torch.float32).reshape([-1] + spec["input"])
        if spec["layers"][0]["type"] == "embedding":
            x = x.long()
        with torch.no_grad():
            y = net(x).reshape(len(rows), -1)
        for r in y.tolist():
            print(",".join("%.9g" % v for v in r))
        return 0
    if len(argv) == 2 and argv[0] == "info":
        net = to_torch(argv[1])
        print(json.dumps(net.tinytrain_spec))
        print(net)
        print("parameters: %d" % sum(p.numel() for p in net.parameters()))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
