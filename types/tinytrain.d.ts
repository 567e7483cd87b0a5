// Types of the Model API (wasm/tinytrain.js; dist/tinytrain.js, the package's "." export). Hand-written beside the
// JS: tests/js/types.test.mjs checks with tsc that they compile and that every member of the runtime classes is
// declared here.

/** A layer of a model spec (README, "The model spec"); fields besides `type` depend on the layer. */
export interface LayerSpec {
  type: string;
  [field: string]: unknown;
}

/** The JSON description of a model, used by C, JS, the CLI and weight files. */
export interface ModelSpec {
  input: number[];
  layers: LayerSpec[];
  loss: 'mse' | 'cross_entropy' | 'binary_cross_entropy';
  optimizer?: { type: 'sgd' | 'momentum' | 'adam' | 'adamw'; lr?: number; [field: string]: unknown };
  seed?: number;
  augment?: { shift?: number; rotate?: number };
  [field: string]: unknown;
}

/** Samples: numbers in the spec's input layout, sample after sample. */
export type Samples = Float32Array | ArrayLike<number>;
/** Labels: class indices (cross_entropy) or targets (mse, binary_cross_entropy). */
export type Labels = Int32Array | Float32Array | ArrayLike<number>;
/** Token ids of a language model. */
export type TokenIds = Uint16Array | Int32Array | Uint32Array | ArrayLike<number>;

export type LayerTrait = 'PARAMS' | 'HE_INIT' | 'FUSES_NEXT' | 'ACTIVATION';
export type Hparam = 'lr' | 'momentum' | 'weight_decay' | 'beta1' | 'beta2' | 'eps' | 'clip_norm' | 'shuffle';

export interface Score {
  loss: number;
  /** a fraction in [0, 1]; NaN for mse */
  accuracy: number;
}

export interface GenerationOptions {
  maxTokens?: number;
  /** 0 takes the most likely token */
  temperature?: number;
  /** draw from the topK most likely tokens (0: all) */
  topK?: number;
  seed?: number;
}

/** Loads tinytrain.wasm once (by default from beside the module); later calls return the same promise. */
/** threads: more than 1 loads the threaded build (needs SharedArrayBuffer: Node, or a cross-origin isolated page);
 * by default it is chosen in a worker of a cross-origin isolated page. The exports of the threaded build also carry
 * `threads`, the count in use. */
export function loadTinytrain(options?: { url?: URL; threads?: number }): Promise<WebAssembly.Exports>;

/** A model in wasm memory. Made by Model.create or Model.load only; free it with dispose(). */
export class Model {
  private constructor();
  /** A new model from a spec (object or JSON text); rejects with an Error naming the bad field. */
  /** options.threads: as loadTinytrain takes it on the realm's first load; later, the threads the threaded build
   * uses (at most those it started). */
  static create(spec: ModelSpec | string, options?: { threads?: number }): Promise<Model>;
  /** A model rebuilt from a .safetensors file written by save(). */
  static load(bytes: Uint8Array | ArrayBuffer): Promise<Model>;
  /** The core's layer types in the order of its table. */
  static layerTypes(): Promise<{ name: string; traits: LayerTrait[] }[]>;
  /** Caps the memory all models take together (bytes, 0 for none). */
  static setMemoryLimit(bytes: number): void;
  static readonly memoryLimit: number;
  /** The wasm memory's size in bytes (0 before the module is loaded). */
  static memoryBytes(): number;

  readonly inputSize: number;
  readonly outputSize: number;
  readonly labelSize: number;
  readonly paramCount: number;
  readonly step: number;
  readonly epoch: number;
  /** FLOPs per sample */
  readonly flops: { forward: number; train: number };
  /** The threads this model trains with (every model of the realm alike): more than 1 with the threaded build. */
  readonly threads: number;
  readonly spec: ModelSpec;
  /** A language model's tokens (one string per id), or null. */
  readonly vocabulary: string[] | null;

  fit(x: Samples, y: Labels, options?: {
    epochs?: number; batchSize?: number; shuffle?: boolean;
    onEpoch?: (epoch: Score & { epoch: number }) => void;
  }): Score & { epoch: number };
  /** One optimizer step on one batch; returns its loss. */
  trainBatch(x: Samples, y: Labels): number;
  /** The last layer's output per sample (logits for classifiers). */
  predict(x: Samples): Float32Array;
  /** predict() with softmax or sigmoid applied. */
  probabilities(x: Samples): Float32Array;
  evaluate(x: Samples, y: Labels): Score;
  /** What serving this model costs here, measured in short slices (latency at batch 1, throughput per batch). */
  measureServing(options?: {
    batches?: number[]; input?: Float32Array | null; output?: 'predict' | 'probabilities' | null;
    latencyGroups?: number; groupMs?: number; rounds?: number; roundMs?: number; sliceMs?: number;
    maxCallMs?: number; signal?: AbortSignal | null; onProgress?: (fraction: number) => void;
  }): Promise<{
    flopsPerPrediction: number; p50Us: number; p95Us: number; perSecond: { [batch: number]: number };
    usPerCall: { [batch: number]: number }; latency: { groups: number; callsPerGroup: number };
    skipped: { [batch: number]: string }; output: 'predict' | 'probabilities';
  }>;
  /** Keeps a training set in wasm memory for trainSteps(). */
  setData(x: Samples, y: Labels): void;
  /** Trains `steps` mini-batches on the data of setData() or setTokens(); the chunk's mean loss and accuracy. */
  trainSteps(steps: number, batchSize?: number): Score;
  setHparam(name: Hparam, value: number): void;
  /** All parameters as one block (PyTorch order and layout). */
  getWeights(): Float32Array;
  /** A new inference-only model with this one's dense and conv2d weights in int8; this one is unchanged. Needs the
   * full build (INT8_WASM_URL, from tinytrain/int8.js); rejects on the default one. */
  quantize(kind: 'int8'): Promise<Model>;
  setWeights(weights: Float32Array): void;
  /** New weights and optimizer state from a seed; step and epoch back to 0. */
  reset(seed?: number): void;
  /** The model as .safetensors bytes (the spec in its metadata). */
  save(): Uint8Array;
  loadWeights(bytes: Uint8Array | ArrayBuffer): void;
  dispose(): void;

  setTokens(ids: TokenIds): void;
  setVocabulary(tokens: string[] | null): void;
  evaluateTokens(ids: TokenIds): Score;
  generate(prompt: TokenIds, options?: GenerationOptions): Int32Array;
  startGeneration(prompt: TokenIds, options?: GenerationOptions): Generator<number, void, undefined>;
  nextTokenProbabilities(prompt: TokenIds): Float32Array;
  /** Per attention layer, per head: L x L weights, row by row (a row per query). */
  attentionWeights(prompt: TokenIds): Float32Array[][];
}
