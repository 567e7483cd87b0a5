// Tokenizers for the text page and <tiny-train demo="text">: characters (every distinct Unicode code point of a
// text) or byte-pair encoding learned on top of them. No DOM and no Node APIs, so the same file runs in a page, a
// module Worker and Node.
//
//   const tok = await Tokenizer.learnBpe(text, { merges: 256 });
//   const ids = tok.encode('the cat');            // Int32Array of token ids
//   tok.decode(ids) === 'the cat';                // always exact
//   Tokenizer.fromVocabulary(tok.vocabulary);     // the same tokenizer again, e.g. from a weight file
//
// A tokenizer is defined by its vocabulary alone (token id i is vocabulary[i]):
// - Single code points are the base tokens; a 'characters' tokenizer has only those.
// - A 'bpe' tokenizer also has longer tokens. Text is first split into pre-tokens (a run of letters with the one
//   space before it, a run of digits, a run of other symbols, a run of whitespace: GPT-2 style, see splitPreTokens),
//   and merges never cross a pre-token boundary. Within a pre-token, encoding starts from the characters and
//   repeatedly merges the adjacent pair whose concatenation is a vocabulary token with the lowest id.
// learnBpe appends tokens in the order it learns them (most frequent adjacent pair first), so lower ids are the
// merges learned earlier, and the vocabulary is all that a saved model needs to carry.

// Pair keys are left * PAIR_KEY + right: with ids below 2^15 every key stays a small integer (below 2^30), which
// V8's Maps hash without allocating.
const PAIR_KEY = 32768;
export const MAX_VOCABULARY = PAIR_KEY;
export const MAX_MERGES = 8192;
// Pre-tokens longer than this many UTF-16 units are cut into pieces, so a pasted run of a million '=' characters
// costs linear time to encode, not quadratic.
const MAX_PRETOKEN = 64;
// Learning keeps pair counts in a dense table when the final vocabulary has at most this many tokens (a 5 MB table).
const DENSE_PAIRS = 800;

// GPT-2's pre-tokenizer with Unicode classes: English contractions, letters (with combining marks) after an
// optional space, digits after an optional space, other symbols after an optional space, then whitespace (a run
// that is followed by a word leaves its last space to that word).
const PRETOKEN = /'(?:[sdmt]|ll|ve|re)| ?[\p{L}\p{M}]+| ?\p{N}+| ?[^\s\p{L}\p{M}\p{N}]+|\s+(?!\S)|\s+/gu;

/** Calls visit(piece) for each pre-token of text in order; the pieces concatenate to text. */
export function splitPreTokens(text, visit) {
  const emit = (start, end) => {
    while (end - start > MAX_PRETOKEN) {
      let cut = start + MAX_PRETOKEN;
      if (isHighSurrogate(text.charCodeAt(cut - 1)) && isLowSurrogate(text.charCodeAt(cut))) cut--;
      visit(text.slice(start, cut));
      start = cut;
    }
    if (end > start) visit(text.slice(start, end));
  };
  const re = new RegExp(PRETOKEN.source, PRETOKEN.flags);
  let last = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    // The alternatives cover every character; a gap (should one ever appear) still becomes its own piece.
    if (m.index > last) emit(last, m.index);
    emit(m.index, m.index + m[0].length);
    last = m.index + m[0].length;
  }
  if (last < text.length) emit(last, text.length);
}

const isHighSurrogate = (c) => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c) => c >= 0xdc00 && c <= 0xdfff;

/** "é" (U+00E9): a character as a person can recognise it, with its code point for the invisible ones. */
export function describeCharacter(ch) {
  const cp = ch.codePointAt(0);
  const shown = cp < 0x20 || cp === 0x7f ? JSON.stringify(ch) : `"${ch}"`;
  return `${shown} (U+${cp.toString(16).toUpperCase().padStart(4, '0')})`;
}

/** The distinct code points of text, sorted, as numbers. */
function distinctCodePoints(text) {
  const seen = new Uint8Array(0x110000);
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (isHighSurrogate(cp) && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) {
      cp = text.codePointAt(i);
      i++;
    }
    if (!seen[cp]) { seen[cp] = 1; count++; }
  }
  const out = new Array(count);
  for (let cp = 0, k = 0; k < count; cp++) if (seen[cp]) out[k++] = cp;
  return out;
}

function checkCharacterCount(count, maxVocabulary) {
  if (count === 0) throw new Error('the text is empty: there are no characters to build a vocabulary from');
  if (count > maxVocabulary) {
    throw new Error(`this text uses ${count} different characters; at most ${maxVocabulary} are supported`);
  }
}

export class Tokenizer {
  #vocabulary;
  #kind;
  #ids = new Map();                      // token string -> id
  #bmpIds = new Int32Array(65536).fill(-1); // code unit -> id of that single-character token, for speed
  #pairs = new Map();                    // left * PAIR_KEY + right -> id of the token left + right
  #cache = new Map();                    // pre-token -> its ids (bpe only)
  #scratchIds = new Int32Array(MAX_PRETOKEN);
  #scratchRank = new Int32Array(MAX_PRETOKEN);

  constructor(vocabulary) {
    if (!Array.isArray(vocabulary) || vocabulary.length === 0) {
      throw new TypeError('tokenizer: expected a non-empty array of token strings');
    }
    if (vocabulary.length > MAX_VOCABULARY) {
      throw new Error(`tokenizer: ${vocabulary.length} tokens; at most ${MAX_VOCABULARY} are supported`);
    }
    let multi = false;
    vocabulary.forEach((token, id) => {
      if (typeof token !== 'string' || token.length === 0) {
        throw new TypeError(`tokenizer: token ${id} is ${JSON.stringify(token)}, expected a non-empty string`);
      }
      if (this.#ids.has(token)) {
        throw new Error(`tokenizer: token ${id} ${JSON.stringify(token)} repeats token ${this.#ids.get(token)}`);
      }
      this.#ids.set(token, id);
      const cp = token.codePointAt(0);
      const single = token.length === (cp > 0xffff ? 2 : 1);
      if (single && cp <= 0xffff) this.#bmpIds[cp] = id;
      if (!single) multi = true;
    });
    this.#vocabulary = Object.freeze(vocabulary.slice());
    this.#kind = multi ? 'bpe' : 'characters';
    if (multi) this.#indexPairs();
  }

  /** A tokenizer whose vocabulary is every distinct code point of text, sorted by code point. */
  static characters(text, { maxVocabulary = 4096 } = {}) {
    const cps = distinctCodePoints(String(text));
    checkCharacterCount(cps.length, maxVocabulary);
    return new Tokenizer(cps.map((cp) => String.fromCodePoint(cp)));
  }

  /**
   * Learns byte-pair encoding on text: the characters, then up to `merges` merged tokens, most frequent adjacent
   * pair first. onProgress({done, total}) reports the merges learned (a few dozen calls); the work runs in chunks
   * separated by awaits so that a worker's progress messages go out as it learns. The characters of `alphabet`
   * (e.g. the held-out text) join the base vocabulary without taking part in learning.
   */
  static async learnBpe(text, { merges = 256, onProgress, maxVocabulary = 4096, alphabet = '' } = {}) {
    if (!Number.isInteger(merges) || merges < 0 || merges > MAX_MERGES) {
      throw new RangeError(`learnBpe: merges must be a whole number from 0 to ${MAX_MERGES}, got ${merges}`);
    }
    text = String(text);
    // The table of unique pre-tokens with their counts: learning works on it, not on the text.
    const table = new Map();
    splitPreTokens(text, (piece) => table.set(piece, (table.get(piece) ?? 0) + 1));
    const cps = distinctCodePoints(alphabet ? text + alphabet : text);
    checkCharacterCount(cps.length, maxVocabulary);
    const vocabulary = cps.map((cp) => String.fromCodePoint(cp));
    const ids = new Map(vocabulary.map((t, i) => [t, i]));

    // Every unique pre-token as a row of symbol ids in one array: word w is sym[start[w] .. start[w] + len[w]).
    const words = table.size;
    const start = new Int32Array(words), len = new Int32Array(words), freq = new Float64Array(words);
    let total = 0;
    for (const piece of table.keys()) total += piece.length;
    const sym = new Int32Array(total);
    const bmp = new Int32Array(65536);
    for (const [token, id] of ids) if (token.length === 1) bmp[token.charCodeAt(0)] = id;
    let w = 0, at = 0;
    for (const [piece, count] of table) {
      start[w] = at;
      for (let i = 0; i < piece.length; i++) {
        const cp = piece.codePointAt(i);
        if (cp <= 0xffff) sym[at++] = bmp[cp];
        else { sym[at++] = ids.get(String.fromCodePoint(cp)); i++; }
      }
      len[w] = at - start[w];
      freq[w++] = count;
    }

    // Pair counts over the table and, per pair (key left * K + right), the words that hold it (entries may go
    // stale: merging a word without the pair changes nothing). A small final vocabulary (the usual case: a few
    // dozen characters and a few hundred merges) keeps the counts in a dense K x K array, else in Maps.
    const dense = vocabulary.length + merges <= DENSE_PAIRS;
    const K = dense ? vocabulary.length + merges : PAIR_KEY;
    const denseCounts = dense ? new Float64Array(K * K) : null, denseLists = dense ? new Array(K * K) : null;
    const counts = dense ? null : new Map(), lists = dense ? null : new Map();
    const add = (key, delta, w) => {
      let list;
      if (dense) {
        denseCounts[key] += delta;
        if (delta > 0 && !(list = denseLists[key])) denseLists[key] = list = [];
      } else {
        const c = (counts.get(key) ?? 0) + delta;
        if (c > 0) counts.set(key, c); else counts.delete(key);
        if (delta > 0 && !(list = lists.get(key))) lists.set(key, (list = []));
      }
      if (delta > 0 && list[list.length - 1] !== w) list.push(w);
    };
    // The most frequent pair that occurs at least twice, or -1; ties go to the lower left id, then the lower right
    // id (the lower key), so learning is deterministic and both layouts agree.
    const bestPair = () => {
      let bestKey = -1, bestCount = 1;
      if (dense) {
        const v = vocabulary.length;
        for (let a = 0; a < v; a++) {
          for (let key = a * K, end = key + v; key < end; key++) {
            if (denseCounts[key] > bestCount) { bestKey = key; bestCount = denseCounts[key]; }
          }
        }
      } else {
        counts.forEach((count, key) => {
          if (count > bestCount || (count === bestCount && key < bestKey)) { bestKey = key; bestCount = count; }
        });
      }
      return bestKey;
    };
    // The words that held a pair, forgetting them; then, once they are merged, the pair's count (now 0).
    const takeWords = (key) => {
      const list = dense ? denseLists[key] : lists.get(key);
      if (dense) denseLists[key] = undefined; else lists.delete(key);
      return list ?? [];
    };
    const forget = (key) => { if (dense) denseCounts[key] = 0; else counts.delete(key); };
    for (let w = 0; w < words; w++) {
      for (let i = start[w], e = start[w] + len[w] - 1; i < e; i++) add(sym[i] * K + sym[i + 1], freq[w], w);
    }

    // Replaces every non-overlapping (a, b) in word w, left to right, by c, and updates the pair counts of just
    // the pairs that change: (left, a) becomes (left, c), (b, right) becomes (c, right), (a, b) goes. The left
    // neighbour is read from what is already written, so "a b a b" -> "c c" counts (c, c), not (c, a).
    const mergeWord = (w, a, b, c) => {
      const s = start[w], end = s + len[w], f = freq[w];
      let out = s;
      for (let i = s; i < end;) {
        if (sym[i] === a && i + 1 < end && sym[i + 1] === b) {
          if (out > s) {
            const left = sym[out - 1];
            add(left * K + a, -f, w);
            add(left * K + c, f, w);
          }
          if (i + 2 < end) {
            const right = sym[i + 2];
            add(b * K + right, -f, w);
            add(c * K + right, f, w);
          }
          add(a * K + b, -f, w);
          sym[out++] = c;
          i += 2;
        } else {
          sym[out++] = sym[i++];
        }
      }
      len[w] = out - s;
    };

    const visited = new Int32Array(words);
    const report = Math.max(1, Math.ceil(merges / 32));
    let learned = 0, round = 0, reported = 0;
    while (learned < merges) {
      const bestKey = bestPair();
      if (bestKey < 0) break; // no pair occurs twice: further merges would only memorise single pre-tokens
      const a = Math.floor(bestKey / K), b = bestKey % K;
      const token = vocabulary[a] + vocabulary[b];
      // A concatenation that is already a token (e.g. "a"+"bc" after "ab"+"c") joins it instead of repeating it.
      let c = ids.get(token);
      if (c === undefined) {
        c = vocabulary.length;
        if (c >= MAX_VOCABULARY) break;
        vocabulary.push(token);
        ids.set(token, c);
        learned++;
      }
      round++;
      for (const w of takeWords(bestKey)) {
        if (visited[w] === round) continue;
        visited[w] = round;
        mergeWord(w, a, b, c);
      }
      forget(bestKey);
      if (learned - reported >= report) {
        reported = learned;
        onProgress?.({ done: learned, total: merges });
        await null;
      }
    }
    onProgress?.({ done: merges, total: merges });
    return new Tokenizer(vocabulary);
  }

  /** The tokenizer of a saved vocabulary (for example a weight file's). */
  static fromVocabulary(vocabulary) {
    return new Tokenizer(vocabulary);
  }

  get kind() { return this.#kind; }
  get vocabulary() { return this.#vocabulary; }

  /** The token ids of text (an Int32Array); throws an Error naming the first character outside the vocabulary. */
  encode(text) {
    text = String(text);
    const out = new Int32Array(text.length);
    let n = 0;
    if (this.#kind === 'characters') {
      for (let i = 0; i < text.length; i++) {
        const id = this.#charId(text, i);
        if (id < 0) this.#unknown(text, i);
        out[n++] = id;
        if (text.charCodeAt(i) !== text.codePointAt(i)) i++;
      }
    } else {
      let offset = 0;
      splitPreTokens(text, (piece) => {
        const ids = this.#encodePiece(piece);
        if (!ids) {
          for (let i = 0; i < piece.length; i += piece.codePointAt(i) > 0xffff ? 2 : 1) {
            if (this.#charId(piece, i) < 0) this.#unknown(text, offset + i);
          }
        }
        out.set(ids, n);
        n += ids.length;
        offset += piece.length;
      });
    }
    return out.slice(0, n);
  }

  /**
   * For showing text as the model sees it: {ids, pieces}. pieces are [{text, id}] in order and concatenate to text;
   * a character outside the vocabulary is a piece of its own with id -1, and is left out of ids.
   */
  encodeForDisplay(text) {
    text = String(text);
    const pieces = [];
    const known = (segment) => {
      if (!segment) return;
      if (this.#kind === 'characters') {
        for (const ch of segment) pieces.push({ text: ch, id: this.#charId(ch, 0) });
      } else {
        for (const id of this.#encodePiece(segment)) pieces.push({ text: this.#vocabulary[id], id });
      }
    };
    const visit = (piece) => {
      let from = 0;
      for (let i = 0; i < piece.length; i++) {
        const single = piece.charCodeAt(i) === piece.codePointAt(i) ? 1 : 2;
        if (this.#charId(piece, i) < 0) {
          known(piece.slice(from, i));
          pieces.push({ text: piece.slice(i, i + single), id: -1 });
          from = i + single;
        }
        i += single - 1;
      }
      known(piece.slice(from));
    };
    if (this.#kind === 'characters') visit(text); else splitPreTokens(text, visit);
    const ids = Int32Array.from(pieces.filter((p) => p.id >= 0), (p) => p.id);
    return { ids, pieces };
  }

  /** The text of token ids; throws on an id outside the vocabulary. */
  decode(ids) {
    const v = this.#vocabulary;
    // Joining blocks of pieces is much faster than appending millions of short strings one by one.
    const blocks = [];
    const block = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (!(id >= 0 && id < v.length)) throw new Error(`tokenizer: token id ${id} at ${i} is outside the vocabulary of ${v.length}`);
      block.push(v[id]);
      if (block.length === 8192) { blocks.push(block.join('')); block.length = 0; }
    }
    blocks.push(block.join(''));
    return blocks.join('');
  }

  // Id of the single-character token at text[i] (a surrogate pair counts as one character), or -1.
  #charId(text, i) {
    const cp = text.codePointAt(i);
    if (cp <= 0xffff) return this.#bmpIds[cp];
    return this.#ids.get(String.fromCodePoint(cp)) ?? -1;
  }

  #unknown(text, i) {
    const ch = String.fromCodePoint(text.codePointAt(i));
    throw new Error(`the character ${describeCharacter(ch)} at position ${i} is not in the vocabulary`);
  }

  // Every way to write each longer token as two tokens, so encoding compares numbers, not strings.
  #indexPairs() {
    this.#vocabulary.forEach((token, id) => {
      for (let k = 1; k < token.length; k++) {
        if (isLowSurrogate(token.charCodeAt(k)) && isHighSurrogate(token.charCodeAt(k - 1))) continue;
        const left = this.#ids.get(token.slice(0, k)), right = this.#ids.get(token.slice(k));
        if (left !== undefined && right !== undefined) this.#pairs.set(left * PAIR_KEY + right, id);
      }
    });
  }

  // Ids of one pre-token made only of known characters (null if it has an unknown one), cached.
  #encodePiece(piece) {
    const cached = this.#cache.get(piece);
    if (cached) return cached;
    // A piece has at most MAX_PRETOKEN characters; rank[i] is the token that ids[i] + ids[i + 1] make, or -1.
    const ids = this.#scratchIds, rank = this.#scratchRank;
    let n = 0;
    for (let i = 0; i < piece.length; i++) {
      const id = this.#charId(piece, i);
      if (id < 0) return null;
      ids[n++] = id;
      if (piece.charCodeAt(i) !== piece.codePointAt(i)) i++;
    }
    const pairAt = (i) => this.#pairs.get(ids[i] * PAIR_KEY + ids[i + 1]) ?? -1;
    for (let i = 0; i + 1 < n; i++) rank[i] = pairAt(i);
    // Merge the adjacent pair that makes the lowest-id token until no adjacent pair makes a token.
    for (;;) {
      let best = -1, at = -1;
      for (let i = 0; i + 1 < n; i++) {
        const t = rank[i];
        if (t >= 0 && (best < 0 || t < best)) { best = t; at = i; }
      }
      if (at < 0) break;
      ids[at] = best;
      ids.copyWithin(at + 1, at + 2, n);
      rank.copyWithin(at + 1, at + 2, n - 1);
      n--;
      if (at > 0) rank[at - 1] = pairAt(at - 1);
      if (at + 1 < n) rank[at] = pairAt(at);
    }
    const result = ids.slice(0, n);
    if (this.#cache.size >= 1 << 20) this.#cache.clear();
    this.#cache.set(piece, result);
    return result;
  }
}
