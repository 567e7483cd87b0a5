#!/usr/bin/env bash
# The native CLI end to end: train on a small CSV, then predict, eval and info give the expected output, and bad
# input (a bad value, a ragged row, a wrong width, a label out of range, a malformed weight file) is reported
# with its file, line and column. A CSV may start with a byte order mark; files over the stated size limits
# (also endless ones such as /dev/zero) fail with a message. Usage: bash tests/cli/cli.sh [path/to/tinytrain]  (default build/tinytrain).
# Ends with "cli: N passed, N failed"; exit status 1 if anything failed.
set -u
cd "$(dirname "$0")/../.."
BIN=${1:-${TINYTRAIN:-build/tinytrain}}
BIN=$(realpath "$BIN")
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
passed=0 failed=0

ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAILED $1" >&2; shift; for l in "$@"; do echo "  $l" >&2; done; }
# expect_in <test name> <needle> <haystack file>
expect_in() {
  if grep -qF -- "$2" "$3"; then ok; else fail "$1" "expected to find: $2" "in $3:" "$(head -c 600 "$3")"; fi
}

REPO=$(pwd)
cd "$DIR"
# three separable blobs: class c around angle 2*pi*c/3, deterministic jitter (no RNG, so the data never changes)
awk 'BEGIN { print "x,y,label";
  for (i = 0; i < 240; i++) { c = i % 3; a = 2 * 3.14159265 * c / 3; j = ((i * 7919) % 101) / 101 - 0.5;
    k = ((i * 104729) % 103) / 103 - 0.5; printf "%.4f,%.4f,%d\n", 2 * cos(a) + j, 2 * sin(a) + k, c } }' >train.csv
awk 'NR > 1 && NR % 4 == 0' train.csv >test.csv
cut -d, -f1,2 test.csv >x.csv
cut -d, -f3 test.csv >labels.txt
cat >spec.json <<'EOF'
{"input": [2], "layers": [{"type": "dense", "units": 16}, {"type": "tanh"}, {"type": "dense", "units": 3}],
 "loss": "cross_entropy", "optimizer": {"type": "adam", "lr": 0.02}, "seed": 1}
EOF

# --- train ---
if "$BIN" train --spec spec.json --data train.csv --epochs 8 --batch-size 16 --test test.csv --out m.safetensors \
     >train.out 2>train.err; then ok; else fail "train exits 0" "$(cat train.err)"; fi
expect_in "train reports every epoch with its loss on stderr" "epoch 8/8" train.err
expect_in "train reports the test set" "test loss" train.err
expect_in "train says where it saved" "saved m.safetensors" train.err
[ -s train.out ] && fail "train prints nothing on stdout" "$(head -3 train.out)" || ok

# --- predict: one class per input line, mostly right ---
"$BIN" predict --model m.safetensors --input x.csv >pred.txt 2>pred.err || fail "predict exits 0" "$(cat pred.err)"
n_in=$(wc -l <x.csv) n_out=$(wc -l <pred.txt)
[ "$n_in" = "$n_out" ] && ok || fail "predict prints one line per sample" "$n_in inputs, $n_out lines"
right=$(paste -d' ' pred.txt labels.txt | awk '$1 == $2' | wc -l)
[ "$right" -ge $((n_in * 9 / 10)) ] && ok || fail "predict is right on >= 90% of the blobs" "$right of $n_in"
"$BIN" predict --model m.safetensors --input test.csv --probabilities >prob.txt 2>&1
awk -F, '{ s = $1 + $2 + $3; if (NF != 3 || s < 0.999 || s > 1.001) bad++ } END { exit bad > 0 }' prob.txt && ok ||
  fail "predict --probabilities prints 3 probabilities summing to 1 (labels column ignored)" "$(head -2 prob.txt)"

# --- eval ---
"$BIN" eval --model m.safetensors --data test.csv >eval.txt 2>&1 || fail "eval exits 0" "$(cat eval.txt)"
expect_in "eval prints loss, accuracy and the sample count" "accuracy" eval.txt
expect_in "eval counts the samples" "(60 samples)" eval.txt
acc=$(sed -n 's/.*accuracy \([0-9.]*\)%.*/\1/p' eval.txt)
awk -v a="${acc:-0}" 'BEGIN { exit !(a >= 90) }' && ok || fail "eval accuracy >= 90%" "$(cat eval.txt)"

# --- info ---
"$BIN" info m.safetensors >info.txt 2>&1 || fail "info exits 0" "$(cat info.txt)"
expect_in "info prints the spec" '"units": 16' info.txt
expect_in "info prints the parameter count" "parameters: 99" info.txt
expect_in "info prints FLOPs per sample" "flops per sample:" info.txt
expect_in "info lists the layers" "dense" info.txt

# --- regression (mse) with a header-less CSV ---
awk 'BEGIN { for (i = 0; i < 200; i++) { a = (i % 20) / 10 - 1; b = int(i / 20) / 5 - 1; printf "%g,%g,%g\n", a, b, a + 2 * b } }' >reg.csv
cat >reg.json <<'EOF'
{"input": [2], "layers": [{"type": "dense", "units": 1}], "loss": "mse", "optimizer": {"type": "sgd", "lr": 0.1}}
EOF
"$BIN" train --spec reg.json --data reg.csv --epochs 30 --batch-size 10 --out reg.safetensors 2>reg.err ||
  fail "train (mse) exits 0" "$(cat reg.err)"
printf '0.5,0.25\n' >reg_x.csv
"$BIN" predict --model reg.safetensors --input reg_x.csv >reg_pred.txt 2>&1
awk '{ exit !($1 > 0.95 && $1 < 1.05) }' reg_pred.txt && ok || fail "mse model predicts 0.5 + 2*0.25 = 1" "$(cat reg_pred.txt)"

# --- bad input is reported with file, line and column ---
printf 'x,y,label\n1,2,0\n0.5,1,1\n1,abc,2\n' >bad.csv
"$BIN" train --spec spec.json --data bad.csv >bad.out 2>bad.err && fail "bad value makes train fail" || ok
expect_in "bad value is reported as file:line:column" 'bad.csv:4:2: expected a number, got "abc"' bad.err
printf '1,2,0\n1,2\n' >ragged.csv
"$BIN" eval --model m.safetensors --data ragged.csv 2>ragged.err && fail "ragged row makes eval fail" || ok
expect_in "ragged row is reported with its line" "ragged.csv:2: expected 3 values like line 1, got 2" ragged.err
printf '1,2,3,0\n' >wide.csv
"$BIN" eval --model m.safetensors --data wide.csv 2>wide.err && fail "wrong width makes eval fail" || ok
expect_in "wrong width explains what the model takes" "rows have 4 values, but the model takes 2 inputs and 1 label" wide.err
printf '1,2,0\n1,2,5\n' >label.csv
"$BIN" train --spec spec.json --data label.csv 2>label.err && fail "label out of range makes train fail" || ok
expect_in "label out of range names line and column" "label.csv:2:3: expected a class index from 0 to 2, got 5" label.err
"$BIN" info ../../nonexistent.safetensors 2>missing.err && fail "missing file makes info fail" || ok
expect_in "missing file is named" "cannot open" missing.err
"$BIN" info "$REPO/tests/data/safetensors/trailing_bytes.safetensors" 2>trail.err && fail "malformed weight file makes info fail" || ok
expect_in "malformed weight file: the library's message" "trailing bytes at file offset" trail.err
# a 616-byte file whose spec says input [16777216] (67M parameters): refused on its shapes before the model's 1.9 GB
# are allocated, so it fails the same way under a 256 MiB address-space limit
(ulimit -v 262144; "$BIN" info "$REPO/tests/data/safetensors/metadata_huge_input.safetensors") 2>huge.err &&
  fail "a small file with a huge spec makes info fail" || ok
expect_in "a small file with a huge spec: the shape, not out of memory" \
  "0.weight: shape [4, 2] does not match the model's [4, 16777216]" huge.err
"$BIN" >usage.out 2>&1; [ $? = 2 ] && ok || fail "no command: usage and exit status 2"
expect_in "no command prints the usage" "tinytrain predict --model" usage.out
"$BIN" train --spec spec.json --data train.csv --epochs zero 2>epochs.err; [ $? = 2 ] && ok || fail "bad --epochs: exit 2"
expect_in "bad --epochs is explained" '--epochs: expected an integer >= 1, got "zero"' epochs.err

# --- a UTF-8 byte order mark (as spreadsheets write) before a header-less first row is skipped ---
printf '\xef\xbb\xbf' >bom.csv
cat test.csv >>bom.csv
"$BIN" eval --model m.safetensors --data bom.csv >bom.out 2>&1 && ok || fail "a CSV with a byte order mark evaluates" "$(cat bom.out)"
expect_in "the byte order mark hides no row" "(60 samples)" bom.out
{ printf '\xef\xbb\xbfx,y,label\n'; cat test.csv; } >bomh.csv
"$BIN" eval --model m.safetensors --data bomh.csv >bomh.out 2>&1 && ok || fail "a CSV with a byte order mark and a header evaluates" "$(cat bomh.out)"
expect_in "the byte order mark before a header" "(60 samples)" bomh.out

# --- files over the stated limits fail with a message, also endless ones (timeout: exit 124 if it hangs) ---
expect_refused() {  # <test name> <needle> <command...>
  local name=$1 needle=$2
  shift 2
  timeout 120 "$@" >limit.out 2>&1
  local rc=$?
  [ "$rc" = 1 ] && ok || fail "$name: exit status 1" "got $rc" "$(head -c 300 limit.out)"
  expect_in "$name" "$needle" limit.out
}
expect_refused "info /dev/zero" "/dev/zero: over the 256 MiB limit for a weight file" "$BIN" info /dev/zero
expect_refused "eval --model /dev/zero" "/dev/zero: over the 256 MiB limit for a weight file" \
  "$BIN" eval --model /dev/zero --data test.csv
expect_refused "eval --data /dev/zero" "/dev/zero: over the 256 MiB limit for a CSV file" \
  "$BIN" eval --model m.safetensors --data /dev/zero
expect_refused "predict --input /dev/zero" "/dev/zero: over the 256 MiB limit for a CSV file" \
  "$BIN" predict --model m.safetensors --input /dev/zero
expect_refused "train --spec /dev/zero" "/dev/zero: over the 1 MiB limit for a spec file" \
  "$BIN" train --spec /dev/zero --data train.csv
expect_refused "train --test /dev/zero" "/dev/zero: over the 256 MiB limit for a CSV file" \
  "$BIN" train --spec spec.json --data train.csv --test /dev/zero
# a regular file is refused by its size, before it is read (sparse files: no disk space used)
truncate -s 300M big.safetensors && truncate -s 257M big.csv && truncate -s 2M big.json
expect_refused "a 300 MiB weight file" "big.safetensors: 314572800 bytes, over the 256 MiB limit for a weight file" \
  "$BIN" info big.safetensors
expect_refused "a 257 MiB CSV" "big.csv: 269484032 bytes, over the 256 MiB limit for a CSV file" \
  "$BIN" train --spec spec.json --data big.csv
expect_refused "a 2 MiB spec" "big.json: 2097152 bytes, over the 1 MiB limit for a spec file" \
  "$BIN" train --spec big.json --data train.csv
rm -f big.safetensors big.csv big.json

echo "cli: $passed passed, $failed failed"
[ "$failed" = 0 ]
