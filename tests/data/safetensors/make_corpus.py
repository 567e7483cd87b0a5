#!/usr/bin/env python3
"""Writes the safetensors test corpus next to this script: small valid and malformed files for one fixed model
(model.json: 2 -> dense 4 -> tanh -> dense 3), and cases.tsv, read by tests/c/test_safetensors.c and
tests/js/safetensors.test.mjs.

cases.tsv columns: file, mode, expected.
  mode "both":   tt_model_load and tt_model_load_weights (into the model.json model) both fail, with a message
                 containing `expected`; the model's weights stay unchanged.
  mode "load":   only tt_model_load fails (the weights themselves are fine), with `expected`.
  mode "ok":     both succeed; the loaded parameters equal <file minus .safetensors>.expected.f32 (raw F32 LE),
                 bit for bit.
Standard library only; deterministic output (rerun to regenerate: python3 make_corpus.py)."""
import json
import math
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = {"input": [2], "layers": [{"type": "dense", "units": 4}, {"type": "tanh"}, {"type": "dense", "units": 3}],
        "loss": "cross_entropy", "optimizer": {"type": "sgd", "lr": 0.1}, "seed": 1}
SPEC_TEXT = json.dumps(SPEC, separators=(",", ":"))
META = {"format": "tinytrain", "spec": SPEC_TEXT}
TENSORS = [("0.weight", [4, 2]), ("0.bias", [4]), ("2.weight", [3, 4]), ("2.bias", [3])]
SIZES = {"F32": 4, "F16": 2, "BF16": 2, "F64": 8}


def values(n, start):
    # distinct, exactly representable in F16 and BF16 (multiples of 1/8 below 16), so all dtypes agree
    return [((start + i) % 17 - 8) / 8.0 for i in range(n)]


def encode(vals, dtype):
    if dtype == "F32":
        return struct.pack("<%df" % len(vals), *vals)
    if dtype == "F16":
        return struct.pack("<%de" % len(vals), *vals)
    if dtype == "BF16":
        return b"".join(struct.pack("<I", struct.unpack("<I", struct.pack("<f", v))[0])[2:] for v in vals)
    if dtype == "F64":
        return struct.pack("<%dd" % len(vals), *vals)
    raise ValueError(dtype)


def build(dtype="F32", tensors=TENSORS, meta=META, vals=None, raw_header=None, extra=b"", mutate=None):
    """A file for the model: header entries in order with consecutive offsets; mutate(header) may edit the
    header dict before it is written."""
    header = {} if meta is None else {"__metadata__": meta}
    data = b""
    at = 0
    for name, shape in tensors:
        n = math.prod(shape)
        v = vals[name] if vals and name in vals else values(n, at)
        blob = encode(v, dtype)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(blob)]}
        data += blob
        at += n
    if mutate:
        mutate(header)
    text = raw_header if raw_header is not None else json.dumps(header, separators=(",", ":"))
    text = text.encode() if isinstance(text, str) else text
    return struct.pack("<Q", len(text)) + text + data + extra


def expected_params(dtype="F32", vals=None):
    out = []
    at = 0
    for name, shape in TENSORS:
        n = math.prod(shape)
        v = vals[name] if vals and name in vals else values(n, at)
        if dtype == "F16":
            v = list(struct.unpack("<%de" % n, struct.pack("<%de" % n, *v)))
        out += v
        at += n
    return struct.pack("<%df" % len(out), *out)


cases = []


def case(name, mode, expected, blob):
    with open(os.path.join(HERE, name + ".safetensors"), "wb") as f:
        f.write(blob)
    cases.append((name + ".safetensors", mode, expected))


def setk(key, field, value):
    def m(h):
        h[key][field] = value
    return m


# --- valid files ---
case("ok_f32", "ok", "", build("F32"))
with open(os.path.join(HERE, "ok_f32.expected.f32"), "wb") as f:
    f.write(expected_params("F32"))
# F16 with values that need exact conversion: subnormals, the largest finite value, -0, rounding
f16_vals = {"0.weight": [2.0 ** -24, -(2.0 ** -24), 1023 * 2.0 ** -24, 2.0 ** -14, 65504.0, -65504.0, -0.0,
                         0.1], "2.bias": [1 / 3, -2.5, 1e-7]}
case("ok_f16", "ok", "", build("F16", vals=f16_vals))
with open(os.path.join(HERE, "ok_f16.expected.f32"), "wb") as f:
    f.write(expected_params("F16", f16_vals))
case("ok_bf16", "ok", "", build("BF16"))
with open(os.path.join(HERE, "ok_bf16.expected.f32"), "wb") as f:
    f.write(expected_params("BF16"))
# tensors listed out of offset order are fine as long as they tile the data
case("ok_unordered_header", "ok", "", build("F32", raw_header=None, mutate=lambda h: h.update(
    {k: h.pop(k) for k in ["2.bias", "0.weight"]})))
with open(os.path.join(HERE, "ok_unordered_header.expected.f32"), "wb") as f:
    f.write(expected_params("F32"))

# --- framing ---
case("empty", "both", "the file is 0 bytes, shorter than its 8-byte header length", b"")
case("too_short", "both", "the file is 5 bytes, shorter than its 8-byte header length", b"\x10\x00\x00\x00\x00")
good = build("F32")
case("header_length_beyond_file", "both", "header length 4096 exceeds the file size %d" % len(good),
     struct.pack("<Q", 4096) + good[8:])
case("header_length_huge", "both", "header length 18446744073709551615 exceeds the file size",
     b"\xff" * 8 + good[8:])
case("header_not_json", "both", "safetensors header: invalid JSON at byte 1", build(raw_header="{not json}"))
case("header_not_object", "both", "safetensors header: expected a JSON object, got an array",
     build(raw_header="[1, 2]"))
good_header = good[8:8 + struct.unpack("<Q", good[:8])[0]].decode()
case("header_truncated", "both", "safetensors header: invalid JSON", build(raw_header=good_header[:30]))

# --- tensor entries ---
case("unknown_dtype", "both", "0.weight: unknown dtype \"XF32\"", build(mutate=setk("0.weight", "dtype", "XF32")))
case("unsupported_dtype", "both", "2.bias: dtype F64 is not supported (expected F32, F16 or BF16)",
     build(mutate=setk("2.bias", "dtype", "F64")))
case("shape_overflow", "both", "0.weight: shape [4294967296, 4294967296, 4294967296] has too many elements",
     build(mutate=setk("0.weight", "shape", [2 ** 32, 2 ** 32, 2 ** 32])))
case("shape_negative", "both", "0.bias: shape[0]: expected a non-negative integer, got -4",
     build(mutate=setk("0.bias", "shape", [-4])))
case("shape_fraction", "both", "0.bias: shape[0]: expected a non-negative integer, got 1.5",
     build(mutate=setk("0.bias", "shape", [1.5])))
case("offsets_out_of_range", "both", "2.bias: data_offsets [96, 4096] go past the end of the data (108 bytes",
     build(mutate=setk("2.bias", "data_offsets", [96, 4096])))
case("offsets_reversed", "both", "0.bias: data_offsets [48, 32] end before they begin",
     build(mutate=setk("0.bias", "data_offsets", [48, 32])))
case("offsets_not_pair", "both", "0.bias: data_offsets must be [begin, end] with non-negative integers",
     build(mutate=setk("0.bias", "data_offsets", [32])))
case("offsets_size_mismatch", "both", "0.bias: data_offsets [32, 44] hold 12 bytes, but shape [4] of F32 needs 16",
     build(mutate=setk("0.bias", "data_offsets", [32, 44])))


def overlap(h):
    h["0.bias"]["data_offsets"] = [28, 44]  # overlaps the end of 0.weight [0, 32]


case("offsets_overlap", "both", "0.bias: data_offsets [28, 44] overlap 0.weight [0, 32]", build(mutate=overlap))


def gap(h):
    # 2.weight and 2.bias moved up by 4 bytes into a larger data region: a hole after 0.bias
    for k in ("2.weight", "2.bias"):
        b, e = h[k]["data_offsets"]
        h[k]["data_offsets"] = [b + 4, e + 4]


case("offsets_gap", "both", "data bytes 48..52 (file offset", build(mutate=gap, extra=b"\0" * 4))
case("trailing_bytes", "both", "7 trailing bytes at file offset", build(extra=b"garbage"))
case("entry_not_object", "both", "0.bias: expected an object with dtype, shape and data_offsets, got 3",
     build(mutate=lambda h: h.update({"0.bias": 3})))
case("entry_missing_field", "both", "2.weight: missing shape",
     build(mutate=lambda h: h["2.weight"].pop("shape")))
case("entry_unknown_field", "both", "2.weight: unknown field \"strides\"",
     build(mutate=setk("2.weight", "strides", [4, 1])))
dup = json.dumps({"__metadata__": META}, separators=(",", ":"))[:-1]
body = build()
hdr_len = struct.unpack("<Q", body[:8])[0]
hdr = json.loads(body[8:8 + hdr_len])
entries = ",".join('"%s":%s' % (k, json.dumps(v, separators=(",", ":"))) for k, v in hdr.items() if k != "__metadata__")
dup_text = dup + "," + entries + ',"0.bias":' + json.dumps(hdr["0.bias"], separators=(",", ":")) + "}"
case("duplicate_tensor", "both", "duplicate key", build(raw_header=dup_text))

# --- against the model ---
case("missing_tensor", "both", "2.bias: missing tensor", build(tensors=TENSORS[:3]))
case("unexpected_tensor", "both", "1.weight: unexpected tensor: the model's layer 1 (tanh) has no such parameter",
     build(tensors=TENSORS + [("1.weight", [2])]))
case("unexpected_name", "both", "fc.weight: unexpected tensor", build(tensors=TENSORS + [("fc.weight", [2])]))
case("shape_mismatch", "both", "0.weight: shape [3, 2] does not match the model's [4, 2]",
     build(tensors=[("0.weight", [3, 2])] + TENSORS[1:]))
case("shape_transposed", "both", "2.weight: shape [4, 3] does not match the model's [3, 4]",
     build(tensors=TENSORS[:2] + [("2.weight", [4, 3])] + TENSORS[3:]))
case("nan_weight", "both", "0.bias: element 2 is NaN",
     build(vals={"0.bias": [0.0, 1.0, float("nan"), 2.0]}))
case("f16_inf_weight", "both", "2.bias: element 1 is infinite",
     build("F16", vals={"2.bias": [0.0, float("inf"), 1.0]}))

# --- metadata ---
NO_SPEC = "this file has no tinytrain spec in its metadata"
case("no_metadata", "load", NO_SPEC, build(meta=None))
case("metadata_other_format", "load", NO_SPEC, build(meta={"format": "pt"}))
case("metadata_no_spec", "load", NO_SPEC, build(meta={"format": "tinytrain"}))
case("metadata_not_strings", "both", "__metadata__.spec: expected a string",
     build(meta={"format": "tinytrain", "spec": SPEC}))
case("metadata_bad_spec", "load", "the spec in this file's metadata is invalid: layers[0].units",
     build(meta={"format": "tinytrain", "spec": SPEC_TEXT.replace('"units":4', '"units":-3')}))
# a small file whose spec asks for 67M parameters: refused before the model's memory is allocated
case("metadata_huge_input", "load", "0.weight: shape [4, 2] does not match the model's [4, 16777216]",
     build(meta={"format": "tinytrain", "spec": SPEC_TEXT.replace('"input":[2]', '"input":[16777216]')}))

with open(os.path.join(HERE, "model.json"), "w") as f:
    f.write(SPEC_TEXT + "\n")
with open(os.path.join(HERE, "cases.tsv"), "w") as f:
    for c in cases:
        f.write("\t".join(c) + "\n")
print("wrote %d cases to %s" % (len(cases), HERE))
