# The PyTorch round trip of weight files (tests/torch/roundtrip.py), for `make test-torch`:
#   $(MAKE) -f tests/torch/roundtrip.mk
# Needs the wasm build (Node side), /usr/bin/python3 with torch, and uses build/tinytrain when it exists.
PYTHON ?= /usr/bin/python3
NODE   ?= node

.PHONY: roundtrip
roundtrip: wasm/tinytrain.wasm
	$(PYTHON) tests/torch/roundtrip.py

wasm/tinytrain.wasm:
	$(MAKE) wasm
