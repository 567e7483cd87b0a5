#!/usr/bin/python3
"""PyTorch reference values for tests/torch/check_ref.c.

Usage: /usr/bin/python3 tests/torch/gen_ref.py build/torch/ref.txt

For every case, inputs and parameters are drawn from a seeded generator and rounded to float32 (so that C and
torch start from the very same numbers); torch then computes in float64 and the results are stored rounded to
float32. Cases:
  layer  forward output y, and for an upstream gradient dy (loss = sum(y * dy)) the input grad dx and the
         parameter grads dw, db, with torch.nn modules of the same semantics as our layers
  loss   the mean loss and d(loss)/d(logits), from torch.nn.functional
  optim  the learning rate and the parameters after each of N steps of torch.optim (+ lr_scheduler, and
         clip_grad_norm_ when asked) fed a fixed sequence of gradients

File format (text, whitespace separated, one case after another):
  case <name> <layer|loss|optim>
  s <key> <word>          string parameter (layer type, loss name, optimizer, schedule)
  p <key> <number>        numeric parameter
  t <name> <count> v...   a float32 tensor, flattened in C order
  end
"""
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from tinytrain_torch import layer_table  # noqa: E402  (src/layers/layer_table.h, parsed)

torch.set_default_dtype(torch.float64)
out = []


def f32(t):
    """Rounds to float32 and back, so the value is exactly representable on the C side."""
    return t.float().double()


def rand(gen, *shape, scale=1.0):
    return f32(torch.randn(*shape, generator=gen) * scale)


def begin(name, kind, strings, numbers):
    out.append(f"case {name} {kind}")
    for k, v in strings.items():
        out.append(f"s {k} {v}")
    for k, v in numbers.items():
        out.append(f"p {k} {float(v)!r}")


def tensor(name, t):
    vals = t.detach().reshape(-1).float().tolist()
    out.append(f"t {name} {len(vals)} " + " ".join("%.9g" % v for v in vals))


def end():
    out.append("end")


# ---- layers -----------------------------------------------------------------------------------------------

B = 3


def layer_case(name, layer_type, in_shape, module, hp=None, token_vocab=None, seed=0, w=("weight",), b=("bias",)):
    """module: a float64 torch module computing the same function per batch (B, *in_shape). w, b: the names of
    the module's parameters that make up our layer's w and b, in order (flattened and concatenated)."""
    gen = torch.Generator().manual_seed(1000 + seed)
    if token_vocab is not None:
        x = torch.randint(0, token_vocab, (B, *in_shape), generator=gen).double()
    else:
        x = rand(gen, B, *in_shape)
        x.requires_grad_(True)
    # parameters: random (not the default init) and float32-exact, so gradients through them are exercised
    params = dict(module.named_parameters())
    with torch.no_grad():
        for p in params.values():
            p.copy_(rand(gen, *p.shape, scale=0.5))
    module.eval()  # dropout is the identity here: we compare inference
    if token_vocab is not None:
        y = module(x.long())
    else:
        y = module(x)
    dy = rand(gen, *y.shape)
    (y * dy).sum().backward()

    numbers = {"B": B, "rank": len(in_shape)}
    for i, d in enumerate(in_shape):
        numbers[f"d{i}"] = d
    numbers.update(hp or {})
    begin(name, "layer", {"type": layer_type}, numbers)
    tensor("x", x)
    for key, names in (("w", w), ("b", b)):
        if names and all(n in params for n in names):
            tensor(key, torch.cat([params[n].reshape(-1) for n in names]))
            tensor("d" + key, torch.cat([params[n].grad.reshape(-1) for n in names]))
    tensor("y", y)
    tensor("dy", dy)
    if token_vocab is None:
        tensor("dx", x.grad)
    end()


def conv(C, F_, k, stride, padding, bias):
    return nn.Conv2d(C, F_, k, stride=stride, padding=padding, bias=bias)


def conv_hp(F_, k, stride, padding, bias):
    hp = {"filters": F_, "kernel": k, "stride": stride, "bias": int(bias)}
    if padding == "same":
        hp["padding_same"] = 1
    else:
        hp["padding"] = padding
    return hp


class MHA(nn.Module):
    """nn.MultiheadAttention as self-attention, with a causal mask when asked: the reference for our attention."""

    def __init__(self, dim, heads, causal, bias):
        super().__init__()
        self.mha = nn.MultiheadAttention(dim, heads, bias=bias, batch_first=True)
        self.causal = causal

    def forward(self, x):
        T = x.shape[1]
        mask = torch.ones(T, T, dtype=torch.bool).triu(1) if self.causal else None
        return self.mha(x, x, x, attn_mask=mask, need_weights=False)[0]


class PositionTable(nn.Module):
    def __init__(self, length, dim):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(length, dim))

    def forward(self, x):
        return x + self.weight[: x.shape[1]]


# our attention's w: MultiheadAttention's parameters in state_dict() order (the biases missing without bias)
MHA_W = ("mha.in_proj_weight", "mha.in_proj_bias", "mha.out_proj.weight", "mha.out_proj.bias")


def attention_cases():
    for i, (T, D, H, causal, bias) in enumerate([(5, 8, 2, True, True), (5, 8, 2, False, True),
                                                 (7, 12, 3, True, False), (16, 16, 4, True, True),
                                                 (1, 4, 1, True, True), (6, 5, 5, False, True)]):
        layer_case("attention_T%d_D%d_H%d%s%s" % (T, D, H, "_causal" if causal else "", "" if bias else "_no_bias"),
                   "attention", [T, D], MHA(D, H, causal, bias), {"heads": H, "causal": int(causal), "bias": int(bias)},
                   seed=50 + i, w=[n for n in MHA_W if bias or "bias" not in n], b=())
    layer_case("position_embedding", "position_embedding", [4, 6], PositionTable(4, 6), {"length": 4}, seed=60)
    layer_case("position_embedding_longer_table", "position_embedding", [3, 5], PositionTable(7, 5), {"length": 7},
               seed=61)


def layer_cases():
    layer_case("dense_rank1", "dense", [5], nn.Linear(5, 4), {"units": 4, "bias": 1}, seed=1)
    layer_case("dense_rank2", "dense", [3, 5], nn.Linear(5, 4), {"units": 4, "bias": 1}, seed=2)
    layer_case("dense_no_bias", "dense", [6], nn.Linear(6, 3, bias=False), {"units": 3, "bias": 0}, seed=3)
    # longer reductions and sizes off any kernel tile
    layer_case("dense_wide", "dense", [67], nn.Linear(67, 33), {"units": 33, "bias": 1}, seed=4)
    layer_case("conv2d_wide", "conv2d", [8, 9, 9], conv(8, 16, 3, 1, 1, True), conv_hp(16, 3, 1, 1, True), seed=5)
    for i, (name, C, H, W, F_, k, s, p, bias) in enumerate([
        ("conv2d_pad1", 2, 6, 5, 3, 3, 1, 1, True),
        ("conv2d_stride2", 3, 7, 7, 4, 3, 2, 0, True),
        ("conv2d_stride2_pad1", 2, 6, 6, 3, 3, 2, 1, True),
        ("conv2d_same_k3", 2, 5, 6, 3, 3, 1, "same", True),
        ("conv2d_same_k4", 2, 5, 5, 2, 4, 1, "same", True),   # even kernel: the extra pad is bottom/right
        ("conv2d_no_bias", 3, 5, 4, 2, 2, 1, 0, False),
        ("conv2d_1x1", 4, 3, 3, 5, 1, 1, 0, True),
        ("conv2d_pad_ge_kernel", 2, 5, 6, 3, 2, 1, 2, True),  # the input gradient's adjoint crops
        ("conv2d_stride3_pad1", 2, 8, 7, 3, 3, 3, 1, True),   # a remainder row and column
        ("conv2d_digits2", 8, 14, 14, 16, 5, 1, "same", True),  # the digits CNN's second layer
    ]):
        layer_case(name, "conv2d", [C, H, W], conv(C, F_, k, s, p, bias), conv_hp(F_, k, s, p, bias), seed=10 + i)
    layer_case("maxpool2d_2", "maxpool2d", [2, 6, 6], nn.MaxPool2d(2), {"kernel": 2, "stride": 2}, seed=20)
    layer_case("maxpool2d_3_stride2", "maxpool2d", [2, 7, 7], nn.MaxPool2d(3, stride=2),
               {"kernel": 3, "stride": 2}, seed=21)
    layer_case("maxpool2d_2_odd_input", "maxpool2d", [1, 5, 7], nn.MaxPool2d(2), {"kernel": 2, "stride": 2},
               seed=22)
    layer_case("avgpool2d_2", "avgpool2d", [2, 6, 6], nn.AvgPool2d(2), {"kernel": 2, "stride": 2}, seed=23)
    layer_case("avgpool2d_3_stride2", "avgpool2d", [2, 7, 7], nn.AvgPool2d(3, stride=2),
               {"kernel": 3, "stride": 2}, seed=24)
    layer_case("flatten", "flatten", [2, 3, 4], nn.Flatten(), seed=30)
    layer_case("dropout_inference", "dropout", [7], nn.Dropout(0.5), {"rate": 0.5}, seed=31)
    layer_case("leaky_relu", "leaky_relu", [9], nn.LeakyReLU(0.1), {"slope": 0.1}, seed=33)
    layer_case("leaky_relu_default_slope", "leaky_relu", [9], nn.LeakyReLU(), {"slope": 0.01}, seed=42)
    # every activation of the table without fields, against its torch.nn module: a new one needs no line here
    plain = [r for r in layer_table() if "ACTIVATION" in r["traits"] and r["fields"] == "no_fields"]
    for i, r in enumerate(plain):
        layer_case(r["name"], r["name"], [2, 3, 4], getattr(nn, r["torch"])(), seed=50 + 2 * i)
        layer_case(r["name"] + "_rank1", r["name"], [9], getattr(nn, r["torch"])(), seed=51 + 2 * i)
    layer_case("softmax_rank1", "softmax", [6], nn.Softmax(dim=-1), seed=37)
    layer_case("softmax_rank2", "softmax", [3, 5], nn.Softmax(dim=-1), seed=38)
    layer_case("softmax_rank3", "softmax", [2, 3, 4], nn.Softmax(dim=-1), seed=43)
    layer_case("embedding", "embedding", [6], nn.Embedding(10, 4), {"vocab": 10, "dim": 4}, token_vocab=10,
               seed=39)
    layer_case("layernorm_rank1", "layernorm", [8], nn.LayerNorm(8, eps=1e-5), {"eps": 1e-5}, seed=40)
    layer_case("layernorm_rank2", "layernorm", [3, 6], nn.LayerNorm(6, eps=1e-5), {"eps": 1e-5}, seed=41)


# ---- losses -----------------------------------------------------------------------------------------------

def loss_case(name, loss, rows, cols, seed, scale=1.0):
    gen = torch.Generator().manual_seed(2000 + seed)
    logits = rand(gen, rows, cols, scale=scale).requires_grad_(True)
    if loss == "cross_entropy":
        targets = torch.randint(0, cols, (rows,), generator=gen)
        value = F.cross_entropy(logits, targets)
    elif loss == "mse":
        targets = rand(gen, rows, cols)
        value = F.mse_loss(logits, targets)
    else:
        targets = f32(torch.rand(rows, cols, generator=gen))
        if seed % 2:
            targets = targets.round()  # hard 0/1 labels
        value = F.binary_cross_entropy_with_logits(logits, targets)
    value.backward()
    begin(name, "loss", {"loss": loss}, {"rows": rows, "cols": cols})
    tensor("logits", logits)
    tensor("targets", targets.double())
    tensor("loss", value.reshape(1))
    tensor("dlogits", logits.grad)
    end()


def loss_cases():
    loss_case("mse", "mse", 4, 3, seed=1)
    loss_case("cross_entropy", "cross_entropy", 5, 4, seed=2)
    loss_case("cross_entropy_sequence", "cross_entropy", 12, 7, seed=3)   # rows = B*T for sequence outputs
    loss_case("cross_entropy_large_logits", "cross_entropy", 4, 5, seed=4, scale=300.0)
    loss_case("binary_cross_entropy_soft", "binary_cross_entropy", 4, 3, seed=6)
    loss_case("binary_cross_entropy_hard", "binary_cross_entropy", 5, 2, seed=7)
    loss_case("binary_cross_entropy_large_logits", "binary_cross_entropy", 3, 3, seed=9, scale=300.0)


# ---- optimizers -------------------------------------------------------------------------------------------

N_PARAMS = 6


def optim_case(name, opt, steps=5, seed=0, schedule="constant", warmup=0, step_size=0, gamma=0.1,
               total_steps=0, min_lr=0.0, clip_norm=0.0, grad_scale=1.0, **hp):
    gen = torch.Generator().manual_seed(3000 + seed)
    p0 = rand(gen, N_PARAMS)
    grads = [rand(gen, N_PARAMS, scale=grad_scale) for _ in range(steps)]
    p = nn.Parameter(p0.clone())
    lr = hp["lr"]
    if opt == "sgd":
        o = torch.optim.SGD([p], lr=lr, momentum=hp.get("momentum", 0.0), nesterov=bool(hp.get("nesterov", 0)),
                            weight_decay=hp.get("weight_decay", 0.0))
    else:
        cls = torch.optim.Adam if opt == "adam" else torch.optim.AdamW
        o = cls([p], lr=lr, betas=(hp.get("beta1", 0.9), hp.get("beta2", 0.999)), eps=hp.get("eps", 1e-8),
                weight_decay=hp.get("weight_decay", 0.0 if opt == "adam" else 0.01))

    # our schedule = torch's LinearLR warmup, then (SequentialLR) StepLR or CosineAnnealingLR
    main = None
    if schedule == "step":
        main = torch.optim.lr_scheduler.StepLR(o, step_size=step_size, gamma=gamma)
    elif schedule == "cosine":
        main = torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=total_steps, eta_min=min_lr)
    sched = main
    if warmup > 0:
        warm = torch.optim.lr_scheduler.LinearLR(o, start_factor=1.0 / warmup, end_factor=1.0,
                                                 total_iters=warmup - 1)
        rest = main or torch.optim.lr_scheduler.ConstantLR(o, factor=1.0, total_iters=0)
        sched = torch.optim.lr_scheduler.SequentialLR(o, [warm, rest], milestones=[warmup])

    lrs, traj = [], []
    for g in grads:
        p.grad = g.clone()
        if clip_norm > 0:
            torch.nn.utils.clip_grad_norm_([p], clip_norm)
        lrs.append(o.param_groups[0]["lr"])
        o.step()
        if sched:
            sched.step()
        traj.append(p.detach().clone())

    numbers = {"n": N_PARAMS, "steps": steps, "warmup": warmup, "step_size": step_size, "gamma": gamma,
               "total_steps": total_steps, "min_lr": min_lr, "clip_norm": clip_norm}
    numbers.update(hp)
    begin(name, "optim", {"optimizer": opt, "schedule": schedule}, numbers)
    tensor("p0", p0)
    tensor("grads", torch.stack(grads))
    tensor("lrs", torch.tensor(lrs))
    tensor("params", torch.stack(traj))
    end()


def optim_cases():
    optim_case("sgd", "sgd", seed=1, lr=0.1)
    optim_case("sgd_momentum", "sgd", seed=2, lr=0.1, momentum=0.9)
    optim_case("sgd_nesterov_weight_decay", "sgd", seed=3, lr=0.1, momentum=0.9, nesterov=1, weight_decay=0.01)
    optim_case("sgd_momentum_weight_decay", "sgd", seed=4, lr=0.05, momentum=0.8, weight_decay=0.05)
    optim_case("adam", "adam", seed=5, lr=0.01)
    optim_case("adam_l2_weight_decay", "adam", seed=6, lr=0.01, weight_decay=0.1)
    optim_case("adamw", "adamw", seed=7, lr=0.01, weight_decay=0.1, beta1=0.8, beta2=0.99, eps=1e-6)
    optim_case("sgd_warmup_constant", "sgd", seed=8, steps=6, lr=0.1, momentum=0.9, warmup=3)
    # cosine runs stop at warmup + total_steps + 1 updates: after that torch's CosineAnnealingLR climbs back up
    # (it is periodic) while ours stays at min_lr, by design
    optim_case("sgd_momentum_warmup_cosine", "sgd", seed=9, steps=8, lr=0.1, momentum=0.9, schedule="cosine",
               warmup=3, total_steps=4, min_lr=0.01)
    optim_case("adam_step_schedule", "adam", seed=10, steps=7, lr=0.01, schedule="step", step_size=2, gamma=0.5)
    optim_case("adamw_cosine", "adamw", seed=11, steps=6, lr=0.01, weight_decay=0.01, schedule="cosine",
               total_steps=5, min_lr=0.001)
    optim_case("adamw_clip_norm", "adamw", seed=12, steps=6, lr=0.01, weight_decay=0.01, clip_norm=2.0,
               grad_scale=1.5)
    optim_case("sgd_momentum_clip_norm", "sgd", seed=13, steps=5, lr=0.1, momentum=0.9, clip_norm=1.0)


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "build/torch/ref.txt"
    layer_cases()
    attention_cases()
    loss_cases()
    optim_cases()
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    print(f"gen_ref.py: wrote {sum(1 for l in out if l.startswith('case '))} cases to {path} "
          f"(torch {torch.__version__})")


if __name__ == "__main__":
    main()
