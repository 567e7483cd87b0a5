#!/usr/bin/env python3
"""Generator of the tanh kernels' coefficients (src/kernels/kernels.h, TT_TANH_*), kept so they can be re-derived.

tanh(x) for |x| <= 9 (tanh rounds to 1.0f beyond) is computed from t = tanh(x/2) by the double-angle formula
tanh x = 2t/(1 + t^2), with t = u*P(w)/Q(w), u = x/2, w = u^2, a rational fit of degree 3/3 in w on u in [0, 4.5].
Writing A = 2u*P(w) = x*P(z/4) and B = 2Q(w) (z = x^2), tanh x = 2AB/(A^2 + B^2): scaling both by 2 changes
nothing, and the powers of 4 fold into the coefficients exactly. The double angle damps the fit's error near 1
(d tanh / d t = (1 - t^2)/(1 + t^2) * tanh / t), which matters because the 0.5-ulp roundings of each Horner step
add up to several ulps when z is large.

The fit: linearised least squares for P - f*Q with f = tanh(u)/u (Sanathanan-Koerner weights 1/(f*Q)), then
Lawson reweighting towards minimax of the relative error; P(0) = Q(0) = 1 so tanh(x) = x for tiny x exactly.
Then the kernel's float32 operations are replayed with numpy to report the error it really has.

Usage: /usr/bin/python3 tools/fit_tanh.py   (numpy only; prints the #defines and the measured errors)
"""
import numpy as np

M, N, U = 3, 3, 4.5  # degrees of P and Q in w, half of the clamp


def fit():
    S = U * U
    u = np.unique(np.concatenate([np.linspace(0, U, 30001)[1:], np.geomspace(1e-4, 1, 2000)]))
    t = u * u / S  # fitted in w / S over [0, 1] for conditioning, rescaled afterwards
    f = np.tanh(u) / u
    Vp = np.stack([t**i for i in range(1, M + 1)], 1)
    Vq = np.stack([t**j for j in range(1, N + 1)], 1)
    Q = np.ones_like(t)
    w = np.ones_like(t)
    best = None
    for _ in range(400):
        A = np.concatenate([Vp, -f[:, None] * Vq], 1)
        W = w / (f * Q)
        sol = np.linalg.lstsq(A * W[:, None], (f - 1.0) * W, rcond=None)[0]
        P = Vp @ sol[:M] + 1
        Q = Vq @ sol[M:] + 1
        err = (P / Q - f) / f
        if best is None or np.abs(err).max() < best[0]:
            best = (np.abs(err).max(), sol.copy())
        w = w * np.abs(err) ** 0.3 + 1e-30
        w /= w.sum()
    e, sol = best
    p = np.concatenate([[1.0], sol[:M]]) / S ** np.arange(M + 1)
    q = np.concatenate([[1.0], sol[M:]]) / S ** np.arange(N + 1)
    return e, p, q


def kernel(x, P, Q):
    """The kernel's float32 operations on |x| (sign and NaN handling left out)."""
    f32 = np.float32
    a = np.minimum(np.abs(x), f32(2 * U)).astype(f32)
    z = (a * a).astype(f32)
    p = np.full_like(z, P[-1])
    for c in P[-2::-1]:
        p = ((p * z).astype(f32) + c).astype(f32)
    q = np.full_like(z, Q[-1])
    for c in Q[-2::-1]:
        q = ((q * z).astype(f32) + c).astype(f32)
    A = (a * p).astype(f32)
    AB = (A * q).astype(f32)
    den = ((A * A).astype(f32) + (q * q).astype(f32)).astype(f32)
    return np.minimum(((AB + AB).astype(f32) / den).astype(f32), f32(1.0))


def main():
    e, p, q = fit()
    P = np.array([p[i] / 4.0**i for i in range(M + 1)], dtype=np.float32)       # A = x * P(z)
    Q = np.array([2 * q[i] / 4.0**i for i in range(N + 1)], dtype=np.float32)   # B = Q(z)
    print(f"/* fit of tanh(u)/u on [0, {U}]: max relative error {e:.2g} in exact arithmetic */")
    for i in range(M, 0, -1):
        print(f"#define TT_TANH_P{i} {float(P[i]):.9g}f")
    for i in range(N, -1, -1):
        print(f"#define TT_TANH_Q{i} {float(Q[i]):.9g}f")
    x = np.concatenate([np.linspace(0, 12, 4000001, dtype=np.float32), np.geomspace(1e-30, 1, 20000).astype(np.float32)])
    r = kernel(x, P, Q)
    ref = np.tanh(x.astype(np.float64))
    ae = np.abs(r - ref)
    re = ae / np.where(ref > 0, ref, 1.0)
    print(f"float32 kernel: max |error| {ae.max():.3g} (at x = {x[ae.argmax()]:.7g}), max relative {re.max():.3g}, "
          f"largest value {r.max():.9g}")


if __name__ == "__main__":
    main()
