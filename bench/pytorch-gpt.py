"""The words GPT in PyTorch eager, one thread, for bench/pytorch.mjs: the same model, initial weights, batches
and optimizer as tinytrain's run, so tokens/s and held-out loss compare like for like.

    /usr/bin/python3 bench/pytorch-gpt.py <task> <config.json>

task: train-rate (tokens/s), generate (µs per token, cache-less), quality (2,000 steps, held-out loss, samples).
The config (written by bench/pytorch.mjs) names the initial weights (tinytrain's own, saved as safetensors and
loaded with tools/tinytrain_torch.py), the token streams and the seed. Prints one JSON line to stdout.

The batches are tinytrain's: its model seeds splitmix64 with seed ^ 0x7F4A7C15D1B54A32 and draws each window start
as rng_below(tokens - T) (Lemire's multiply-shift with rejection, src/core/rng.c); this file draws the same.
"""
import json
import math
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import tinytrain_torch  # noqa: E402

M64 = (1 << 64) - 1


class Rng:
    """splitmix64 as src/core/rng.c: seed, u32 (the high half of next64) and below(n)."""

    def __init__(self, seed):
        self.state = (seed * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) & M64

    def u32(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & M64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return (z ^ (z >> 31)) >> 32

    def below(self, n):
        m = self.u32() * n
        low = m & 0xFFFFFFFF
        if low < n:
            threshold = ((1 << 32) - n) % n
            while low < threshold:
                m = self.u32() * n
                low = m & 0xFFFFFFFF
        return m >> 32


def read_tokens(path):
    with open(path, "rb") as f:
        return torch.frombuffer(bytearray(f.read()), dtype=torch.uint8).long()


class Trainer:
    def __init__(self, cfg):
        self.net = tinytrain_torch.to_torch(cfg["init"]).train()
        spec = self.net.tinytrain_spec
        self.T = spec["input"][0]
        o = spec["optimizer"]
        self.opt = torch.optim.AdamW(self.net.parameters(), lr=o["lr"], betas=(o.get("beta1", 0.9), o.get("beta2", 0.999)),
                                     eps=o.get("eps", 1e-8), weight_decay=o.get("weight_decay", 0.01))
        self.tokens = read_tokens(cfg["train"])
        self.rng = Rng((spec.get("seed", 1) ^ 0x7F4A7C15D1B54A32) & M64)
        self.batch = cfg["batch"]
        self.offsets = torch.arange(self.T + 1)

    def steps(self, n):
        T, loss_sum = self.T, 0.0
        for _ in range(n):
            starts = torch.tensor([self.rng.below(len(self.tokens) - T) for _ in range(self.batch)])
            windows = self.tokens[starts[:, None] + self.offsets]
            logits = self.net(windows[:, :T])
            loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), windows[:, 1:].reshape(-1))
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            self.opt.step()
            loss_sum += loss.item()
        return loss_sum / max(n, 1)

    @torch.no_grad()
    def evaluate(self, tokens):
        """Mean loss over the fixed windows k*T .. k*T + T, as tinytrain's evaluateTokens."""
        T = self.T
        n = (len(tokens) - 1) // T
        self.net.eval()
        total = 0.0
        for at in range(0, n, 256):
            k = torch.arange(at, min(n, at + 256))
            windows = tokens[k[:, None] * T + self.offsets]
            logits = self.net(windows[:, :T])
            total += torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), windows[:, 1:].reshape(-1),
                                                       reduction="sum").item()
        self.net.train()
        return total / (n * T)

    @torch.no_grad()
    def sample(self, prompt, count, temperature=1.0, seed=1, lines=None):
        """count tokens after prompt (or fewer: up to the lines-th newline), recomputing the window for each (no
        cache); a full window keeps its last T/2 tokens, as tinytrain's generation does."""
        self.net.eval()
        g = torch.Generator().manual_seed(seed)
        context, out = list(prompt)[-self.T:], []
        for _ in range(count):
            logits = self.net(torch.tensor([context]))[0, -1]
            if temperature == 0:
                nxt = int(logits.argmax())
            else:
                nxt = int(torch.multinomial(torch.softmax(logits / temperature, -1), 1, generator=g))
            out.append(nxt)
            if lines is not None and nxt == 0:
                lines -= 1
                if lines == 0:
                    break
            if len(context) == self.T:
                context = context[self.T // 2:]
            context.append(nxt)
        self.net.train()
        return out


def train_rate(cfg):
    tr = Trainer(cfg)
    tokens_per_step = tr.batch * tr.T
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < cfg["settle"]:
        tr.steps(5)
    # BENCH_CLOCK=cpu: rates from this process's CPU time (one thread), as common.mjs does for Node
    clock = time.process_time if cfg.get("clock") == "cpu" else time.perf_counter
    rates, start = [], time.perf_counter()
    while len(rates) < 3 or time.perf_counter() - start < cfg["time"]:
        c0 = clock()
        loss = tr.steps(5)
        rates.append(5 * tokens_per_step / (clock() - c0))
    rates.sort()
    return {"value": rates[len(rates) // 2], "chunks": len(rates), "loss": loss}


def generate(cfg):
    tr = Trainer(cfg)
    prompt = tr.tokens[:tr.T].tolist()
    with torch.no_grad():
        tr.net.eval()
        x = torch.tensor([prompt])
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < cfg["settle"]:
            tr.net(x)
        prefill = []
        for _ in range(21):
            c0 = time.perf_counter()
            tr.net(x)
            prefill.append(1e6 * (time.perf_counter() - c0))
    per_token = []
    for rep in range(5):
        c0 = time.perf_counter()
        tr.sample(prompt, 200, 1.0, rep + 1)
        per_token.append(1e6 * (time.perf_counter() - c0) / 200)
    return {"value": sorted(per_token)[2], "prefill": sorted(prefill)[10]}


def quality(cfg):
    tr = Trainer(cfg)
    t0 = time.perf_counter()
    last = min(100, cfg["steps"])
    tr.steps(cfg["steps"] - last)
    loss = tr.steps(last)  # the mean over the last 100 steps, as bench/tinytrain.mjs reports it
    seconds = time.perf_counter() - t0
    heldout = tr.evaluate(read_tokens(cfg["heldout"]))
    text = tr.sample([0], 100 * cfg["lines"], 1.0, cfg["seed"], cfg["lines"])
    return {"value": heldout, "seconds": seconds, "trainLoss": loss, "sample": text}


def main():
    task, path = sys.argv[1], sys.argv[2]
    with open(path) as f:
        cfg = json.load(f)
    torch.set_num_threads(1)
    torch.manual_seed(cfg.get("seed", 1))
    out = {"train-rate": train_rate, "generate": generate, "quality": quality}[task](cfg)
    out["torch"] = torch.__version__
    out["threads"] = torch.get_num_threads()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
