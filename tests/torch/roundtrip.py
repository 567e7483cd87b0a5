#!/usr/bin/python3
"""Weight files between tinytrain and real PyTorch, both ways, through tools/tinytrain_torch.py.

- tinytrain (Node + wasm) trains MLPs and the digits demo's MLP and CNN, saves; to_torch() loads the file and
  nn.Sequential predicts the same outputs (max abs diff <= 1e-5).
- torch trains an MLP and a small CNN; from_torch() writes F32, F16 and BF16 files; tinytrain loads them with
  Model.load, predicts the same outputs, and continues training (the loss goes down). The native CLI
  (build/tinytrain predict --logits), if built, agrees too.
- a 2-block GPT (embedding, position_embedding, residual attention and MLP blocks) built by the bridge, its
  torch initialisation written with from_torch: tinytrain's logits match torch's within 1e-5, and 50 AdamW steps
  on the same batches give the same loss at every step (relative 1e-4).
Run from anywhere with /usr/bin/python3 (torch 1.13). Ends with "torch roundtrip: N passed, N failed"."""
import json
import math
import os
import random
import struct
import subprocess
import sys
import tempfile

import torch
from torch import nn

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import tinytrain_torch as tt  # noqa: E402

NODE = os.environ.get("NODE", "node")
HELPER = os.path.join(ROOT, "tests", "torch", "roundtrip_node.mjs")
CLI = os.path.join(ROOT, "build", "tinytrain")
TOL = 1e-5
TMP = tempfile.mkdtemp(prefix="tt_roundtrip_")
results = []


def path(name):
    return os.path.join(TMP, "".join(c if c.isalnum() or c in "._" else "_" for c in name))


def write_f32(p, values):
    values = [float(v) for v in values]
    with open(p, "wb") as f:
        f.write(struct.pack("<%df" % len(values), *values))


def read_f32(p):
    with open(p, "rb") as f:
        b = f.read()
    return torch.tensor(struct.unpack("<%df" % (len(b) // 4), b), dtype=torch.float32)


def node(*args):
    r = subprocess.run([NODE, HELPER] + [str(a) for a in args], capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise RuntimeError("node %s failed:\n%s%s" % (args[0], r.stdout, r.stderr))
    return r.stderr


def check(name, ok, detail):
    results.append(ok)
    print("%s %s: %s" % ("ok    " if ok else "FAILED", name, detail), flush=True)


def run(name, fn):
    try:
        fn(name)
    except Exception as e:  # a crash in one case is a failure of that case, reported with its message
        check(name, False, "%s: %s" % (type(e).__name__, e))


def spiral(n, classes=3, seed=1):
    rnd = random.Random(seed)
    xs, ys = [], []
    for i in range(n):
        c = i % classes
        r = (i // classes) / (n // classes) * 2 + 0.1
        a = c * 2 * math.pi / classes + r * 1.8 + rnd.gauss(0, 0.1)
        xs += [r * math.cos(a), r * math.sin(a)]
        ys.append(c)
    return xs, ys


def torch_predict(net, x, shape):
    with torch.no_grad():
        return net(x.reshape([-1] + shape)).reshape(-1)


# ---- tinytrain -> torch --------------------------------------------------------------------------------

def tinytrain_to_torch(spec, xs, ys, epochs):
    def case(name):
        sp, xp, yp, fp, pp = (path(name + s) for s in (".json", ".x.f32", ".y.f32", ".safetensors", ".pred.f32"))
        with open(sp, "w") as f:
            json.dump(spec, f)
        write_f32(xp, xs)
        write_f32(yp, ys)
        node("train", sp, xp, yp, epochs, fp, pp)
        net = tt.to_torch(fp)
        got = torch_predict(net, read_f32(xp), spec["input"])
        want = read_f32(pp)
        diff = (got - want).abs().max().item()
        check(name, got.shape == want.shape and diff <= TOL,
              "max |torch - tinytrain| = %.3g over %d outputs (tol %g)" % (diff, want.numel(), TOL))
    return case


def digits_to_torch(which, n, epochs):
    def case(name):
        fp, xp, pp = path(name + ".safetensors"), path(name + ".x.f32"), path(name + ".pred.f32")
        info = node("digits", which, n, epochs, fp, xp, pp)
        net = tt.to_torch(fp)
        x, want = read_f32(xp), read_f32(pp)
        got = torch_predict(net, x, net.tinytrain_spec["input"])
        diff = (got - want).abs().max().item()
        scale = want.abs().max().item()
        check(name, diff <= TOL, "max |torch - tinytrain| = %.3g over %d logits (largest |logit| %.3g); %s" % (
            diff, want.numel(), scale, info.strip()))
    return case


# ---- torch -> tinytrain --------------------------------------------------------------------------------

def torch_to_tinytrain(make_net, input_shape, xs, ys, dtype):
    def case(name):
        torch.manual_seed(0)
        net = make_net()
        x = torch.tensor(xs, dtype=torch.float32).reshape([-1] + input_shape)
        y = torch.tensor(ys, dtype=torch.long)
        opt = torch.optim.Adam(net.parameters(), lr=0.01)
        for _ in range(60):  # a short full-batch training in torch
            opt.zero_grad()
            nn.functional.cross_entropy(net(x), y).backward()
            opt.step()
        fp = path(name + ".safetensors")
        tt.from_torch(net, fp, input_shape=input_shape if not isinstance(net[0], nn.Linear) else None,
                      loss="cross_entropy", optimizer={"type": "adam", "lr": 0.01}, dtype=dtype)
        # the reference: the torch module with the weights exactly as stored (rounded to F16/BF16)
        ref = tt.to_torch(fp)
        want = torch_predict(ref, x, input_shape)
        # the file holds the module's weights, exactly or rounded to nearest-even in the file's dtype
        tdt = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}[dtype]
        stored, orig = ref.state_dict(), net.state_dict()
        exact = all(torch.equal(stored[k], orig[k].to(tdt).float()) for k in orig)
        changed = sum(int((stored[k] != orig[k]).sum()) for k in orig)
        check(name + " (file holds the weights as %s)" % dtype, exact and (changed > 0) == (dtype != "F32"),
              "%d of %d weights changed by the rounding" % (changed, sum(v.numel() for v in orig.values())))
        xp, yp, pp, rp = (path(name + s) for s in (".x.f32", ".y.f32", ".pred.f32", ".report.json"))
        write_f32(xp, xs)
        write_f32(yp, ys)
        node("continue", fp, xp, yp, 5, pp, rp)
        got = read_f32(pp)
        diff = (got - want).abs().max().item()
        check(name, diff <= TOL, "Model.load predicts like torch: max diff %.3g (tol %g)" % (diff, TOL))
        with open(rp) as f:
            rep = json.load(f)
        check(name + " continues training", rep["after"] < rep["before"],
              "loss %.4f -> %.4f after 5 more epochs in tinytrain" % (rep["before"], rep["after"]))
        if os.path.exists(CLI):
            cp = path(name + ".csv")
            with open(cp, "w") as f:
                n_in = math.prod(input_shape)
                for i in range(len(ys)):
                    f.write(",".join("%.9g" % v for v in xs[i * n_in:(i + 1) * n_in]) + "\n")
            r = subprocess.run([CLI, "predict", "--model", fp, "--input", cp, "--logits"], capture_output=True,
                               text=True, timeout=300)
            if r.returncode != 0:
                check(name + " (native CLI)", False, r.stderr.strip())
            else:
                cli = torch.tensor([float(v) for line in r.stdout.split() for v in line.split(",")])
                d = (cli - want).abs().max().item()
                check(name + " (native CLI)", d <= TOL, "build/tinytrain predict --logits: max diff %.3g" % d)
    return case


# ---- a GPT, both ways ----------------------------------------------------------------------------------

GPT = {"input": [16], "layers": [
    {"type": "embedding", "vocab": 27, "dim": 64}, {"type": "position_embedding", "length": 16},
    {"type": "residual", "layers": [{"type": "layernorm"}, {"type": "attention", "heads": 4, "causal": True}]},
    {"type": "residual", "layers": [{"type": "layernorm"}, {"type": "dense", "units": 256}, {"type": "gelu"},
                                    {"type": "dense", "units": 64}]},
    {"type": "residual", "layers": [{"type": "layernorm"}, {"type": "attention", "heads": 4, "causal": True}]},
    {"type": "residual", "layers": [{"type": "layernorm"}, {"type": "dense", "units": 256}, {"type": "gelu"},
                                    {"type": "dense", "units": 64}]},
    {"type": "layernorm"}, {"type": "dense", "units": 27}],
    "loss": "cross_entropy", "optimizer": {"type": "adamw", "lr": 0.003}, "seed": 1}


def gpt_both_ways(name):
    steps, batch, T, V = 50, 8, 16, 27
    torch.manual_seed(0)
    net, _ = tt.build(GPT)
    fp = path(name + ".safetensors")
    tt.from_torch(net, fp, spec=GPT)
    # a token stream with some structure (each token mostly follows from the one before), cut into windows;
    # the label of a position is the next token
    gen = torch.Generator().manual_seed(7)
    stream = [0]
    for _ in range(steps * batch * (T + 1)):
        stream.append((stream[-1] * 5 + 3) % V if torch.rand(1, generator=gen).item() < 0.7
                      else int(torch.randint(0, V, (1,), generator=gen)))
    windows = torch.tensor(stream[:steps * batch * (T + 1)]).reshape(steps * batch, T + 1)
    x, y = windows[:, :T], windows[:, 1:]
    xp, yp, pp, lp = (path(name + s) for s in (".x.f32", ".y.f32", ".pred.f32", ".losses.f32"))
    trained = path(name + ".trained.safetensors")
    write_f32(xp, x.reshape(-1).tolist())
    write_f32(yp, y.reshape(-1).tolist())
    node("steps", fp, xp, yp, steps, pp, lp, trained)
    got, ours = read_f32(pp), read_f32(lp)
    with torch.no_grad():
        want = net(x[:batch]).reshape(-1)
    diff = (got - want).abs().max().item()
    check(name + ": logits", diff <= TOL, "max |tinytrain - torch| = %.3g over %d logits (tol %g)" % (
        diff, want.numel(), TOL))
    opt = torch.optim.AdamW(net.parameters(), lr=0.003)  # the spec's: betas, eps and weight_decay 0.01 as torch's
    net.train()
    theirs = []
    for i in range(steps):
        xb, yb = x[i * batch:(i + 1) * batch], y[i * batch:(i + 1) * batch]
        opt.zero_grad()
        loss = nn.functional.cross_entropy(net(xb).reshape(-1, V), yb.reshape(-1))
        loss.backward()
        opt.step()
        theirs.append(loss.item())
    theirs = torch.tensor(theirs)
    rel = ((ours - theirs).abs() / theirs.abs()).max().item()
    check(name + ": %d AdamW steps" % steps, rel <= 1e-4,
          "max relative loss difference %.3g over %d steps (tol 1e-4); loss %.4f -> %.4f" % (
              rel, steps, theirs[0].item(), theirs[-1].item()))
    greedy_both_ways(name, trained, stream[:5], 100)


def greedy_both_ways(name, trained, prompt, count):
    """tinytrain's greedy generation (its key/value cache) against torch recomputing the window for every token,
    with the same rule for a full window (keep its last T/2 tokens), from the same trained weights."""
    pr, ip = path(name + ".prompt.f32"), path(name + ".ids.f32")
    write_f32(pr, prompt)
    node("generate", trained, pr, count, ip)
    got = [int(v) for v in read_f32(ip).tolist()]
    net = tt.to_torch(trained)
    T = net.tinytrain_spec["input"][0]
    context, want = list(prompt)[-T:], []
    with torch.no_grad():
        for i in range(count):
            if want:
                context = context + [want[-1]] if len(context) < T else context[T - T // 2:] + [want[-1]]
            x = torch.tensor([context + [0] * (T - len(context))])  # causal: the padding is never seen
            want.append(int(torch.argmax(net(x)[0, len(context) - 1])))
    same = sum(a == b for a, b in zip(got, want))
    check(name + ": greedy generation of %d tokens" % count, got == want,
          "%d of %d ids as torch's greedy loop (first: %s)" % (same, count, " ".join(map(str, got[:12]))))


def main():
    xs, ys = spiral(150)
    mlp = {"input": [2], "layers": [{"type": "dense", "units": 16}, {"type": "tanh"}, {"type": "dense", "units": 16},
                                    {"type": "relu"}, {"type": "dense", "units": 3}],
           "loss": "cross_entropy", "optimizer": {"type": "adam", "lr": 0.01}, "seed": 1}
    run("tinytrain MLP -> torch", tinytrain_to_torch(mlp, xs, ys, 20))
    exotic = {"input": [2], "layers": [{"type": "dense", "units": 8}, {"type": "layernorm"}, {"type": "gelu"},
                                       {"type": "dense", "units": 8, "bias": False},
                                       {"type": "leaky_relu", "slope": 0.1}, {"type": "dropout", "rate": 0.2},
                                       {"type": "dense", "units": 8}, {"type": "silu"},
                                       {"type": "dense", "units": 2}, {"type": "sigmoid"}],
              "loss": "mse", "optimizer": {"type": "sgd", "lr": 0.1, "momentum": 0.9}, "seed": 3}
    targets = []
    for i in range(len(ys)):
        targets += [1.0 if ys[i] == 0 else 0.0, 0.5 + 0.1 * xs[2 * i]]
    run("tinytrain layernorm/gelu/leaky_relu/dropout/silu/sigmoid MLP (mse) -> torch",
        tinytrain_to_torch(exotic, xs, targets, 10))
    run("tinytrain digits MLP -> torch", digits_to_torch("mlp", 500, 2))
    run("tinytrain digits CNN -> torch", digits_to_torch("cnn", 300, 1))

    def make_mlp():
        return nn.Sequential(nn.Linear(2, 24), nn.Tanh(), nn.Linear(24, 3))

    for dtype in ("F32", "F16", "BF16"):
        run("torch MLP -> tinytrain (%s)" % dtype, torch_to_tinytrain(make_mlp, [2], xs, ys, dtype))

    # a small CNN on 8x8 images of the spiral points (a blob drawn where the point is)
    img, labels = [], []
    for i in range(90):
        px, py = xs[2 * i], ys[i]
        for r in range(8):
            for c in range(8):
                img.append(math.exp(-((r - 3.5 - 1.5 * px) ** 2 + (c - 3.5 - 1.5 * xs[2 * i + 1]) ** 2) / 4))
        labels.append(py)

    def make_cnn():
        return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 6, 3),
                             nn.ReLU(), nn.AvgPool2d(2), nn.Flatten(), nn.Linear(6, 3))

    run("torch CNN -> tinytrain (F32)", torch_to_tinytrain(make_cnn, [1, 8, 8], img, labels, "F32"))

    run("GPT (2 blocks) torch <-> tinytrain", gpt_both_ways)

    passed = sum(results)
    print("torch roundtrip: %d passed, %d failed" % (passed, len(results) - passed))
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
