// Types of the <tiny-train> element and of Trainer (web/tiny-train.js; dist/tiny-train.js, the package's
// "./tiny-train.js" export). Hand-written beside the JS: tests/js/types.test.mjs checks with tsc that they compile,
// that every attribute the element observes and every member of the runtime classes is declared here.
import type { Model, ModelSpec, Samples, Labels } from './tinytrain.js';

/** <tiny-train>'s attributes, as strings (README, "Embed in your docs"). A bad value shows a message inside the
 * widget and its default is used. */
export interface TinyTrainAttributes {
  /** built-in data (default spiral) */
  demo?: 'spiral' | 'circles' | 'xor' | 'moons' | 'gaussians' | 'sine' | 'digits' | 'text';
  /** hidden layers: "16 tanh, 16 tanh", "none" or, for digits, "cnn" */
  layers?: string;
  optimizer?: 'sgd' | 'momentum' | 'adam' | 'adamw';
  lr?: string;
  'batch-size'?: string;
  /** "watch" (100 steps per second, to watch it learn) or "fast" (default: all the core can do) */
  speed?: 'watch' | 'fast';
  seed?: string;
  /** optimizer steps per press of Train */
  steps?: string;
  /** knobs to show: "lr", "batch-size", "speed" or "none" */
  controls?: string;
  theme?: 'light' | 'dark' | 'auto';
  /** present: train as soon as the widget is visible */
  autoplay?: '' | 'true' | 'false';
  /** a same-origin .csv to train on or a .safetensors file to start from */
  src?: string;
  /** for digits: the folder holding mnist-train.bin.gz and mnist-test.bin.gz */
  data?: string;
  /** a short name for the widget's regions (screen readers) */
  label?: string;
  /** for text: the corpus to train on */
  corpus?: 'words' | 'prose';
  /** for text: the GPT's size */
  size?: 'tiny' | 'small' | 'medium';
  tokenizer?: 'characters' | 'bpe';
  /** for text: the text the model continues */
  prefix?: string;
  /** extra panels: "costs" */
  panels?: string;
}

export interface ProgressDetail {
  step: number;
  epoch: number;
  loss: number;
  /** in [0, 1] */
  accuracy: number;
  testLoss: number;
  testAccuracy: number;
  samplesPerSec: number;
  samplesSeen: number;
  wallMs: number;
  [more: string]: unknown;
}

/** The `detail` of each event the element sends (they bubble and are composed). */
export interface TinyTrainEventDetails {
  /** the widget can predict (pretrained: from a .safetensors src, before its worker is up) */
  ready: { pretrained: boolean };
  progress: ProgressDetail;
  /** the page's copy of the weights changed */
  snapshot: { step: number; epoch: number };
  /** a run ended: its `steps` (finished) or paused by the reader */
  trained: { reason: 'finished' | 'paused' | string; step: number; loss: number; accuracy: number;
    testAccuracy: number; samplesSeen: number };
  error: { message: string; kind: 'attribute' | 'diverged' | 'fatal' | 'error' | 'generate' | string; restarting?: boolean };
  /** demo="text": a continuation was written */
  generated: { prefix: string; text: string; tokens: number; microsecondsPerToken: number };
}

export type TinyTrainEventMap = { [K in keyof TinyTrainEventDetails]: CustomEvent<TinyTrainEventDetails[K]> };

/** The element. It defines itself as <tiny-train> when its module runs in a browser. */
export class TinyTrain extends HTMLElement {
  static observedAttributes: string[];
  /** The widget's Trainer once it has built its model (null before, and after it is removed). */
  readonly trainer: Trainer | null;
  connectedCallback(): void;
  disconnectedCallback(): void;
  attributeChangedCallback(name: string, before: string | null, after: string | null): void;
  addEventListener<K extends keyof TinyTrainEventMap>(type: K,
    listener: (this: TinyTrain, event: TinyTrainEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof TinyTrainEventMap>(type: K,
    listener: (this: TinyTrain, event: TinyTrainEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}

/** What a Trainer trains on: typed arrays, or a built-in data set generated in the worker. */
export type TrainerData =
  | { x: Samples; y: Labels; testX?: Samples; testY?: Labels }
  | { dataset: string; n?: number; noise?: number; seed?: number; testFraction?: number }
  | { dataset: 'mnist'; train: string; test: string }
  | { text: { corpus: string; [option: string]: unknown } };

export interface TrainerOptions {
  batchSize?: number;
  logEvery?: number;
  evalEvery?: number;
  evalTrainMax?: number;
  /** the most optimizer steps per second a run takes (0, the default: as many as the core can do) */
  pace?: number;
  /** the worker's wasm memory cap in bytes (0: none; default 256 MiB) */
  memoryLimit?: number;
  /** how long a worker may be silent before it is presumed dead, where there are no Web Locks */
  silenceMs?: number;
  /** starts the worker (default: worker.js beside the module) */
  createWorker?: () => Worker;
}

/** The `detail` of each event a Trainer sends. */
export interface TrainerEventDetails {
  ready: { paramCount: number; inputSize: number; outputSize: number; nTrain: number; nTest: number;
    batchSize: number; [more: string]: unknown };
  progress: ProgressDetail;
  snapshot: { step: number; epoch: number };
  stopped: { reason: string; step: number };
  error: { message: string; kind: string; fatal: boolean; restarting?: boolean; step?: number };
  restarted: { step: number };
  preparing: { phase: string; done: number; total: number };
}

export type TrainerEventMap = { [K in keyof TrainerEventDetails]: CustomEvent<TrainerEventDetails[K]> };

/** One training worker and a page-side predictor kept in sync with it (README, "In your own page: Trainer"). */
export class Trainer extends EventTarget {
  constructor(spec: ModelSpec | string, data: TrainerData, options?: TrainerOptions);
  readonly spec: ModelSpec;
  /** Resolves with the worker's init result once it has loaded the wasm and the data. */
  readonly ready: Promise<TrainerEventDetails['ready']>;
  /** Predicts on the page with the latest snapshot's weights (null until ready). */
  readonly predictor: Model | null;
  readonly info: TrainerEventDetails['ready'] | null;
  /** the last progress detail */
  readonly progress: ProgressDetail | null;
  readonly lastSnapshot: { weights: Float32Array; step: number; epoch: number } | null;
  readonly running: boolean;
  readonly disposed: boolean;
  /** why no worker is started any more (too many deaths), or null */
  readonly failed: Error | string | null;
  /** Trains until pause() (or maxSteps steps in total); resolves once the worker has started. */
  start(options?: { maxSteps?: number }): Promise<unknown>;
  /** Stops training; resolves after the final progress and snapshot. */
  pause(): Promise<unknown>;
  /** Exactly n optimizer steps; resolves after the predictor has the new weights. */
  step(n?: number): Promise<{ step: number; [more: string]: unknown }>;
  reset(options?: { seed?: number }): Promise<unknown>;
  /** Changes hyper-parameters (lr, momentum, ...), batchSize or pace while training. */
  set(values: { [name: string]: number }): Promise<unknown>;
  setWeights(weights: Float32Array | ArrayLike<number>, options?: { step?: number }): Promise<unknown>;
  snapshot(): Promise<unknown>;
  dispose(): void;
  addEventListener<K extends keyof TrainerEventMap>(type: K, listener: (event: TrainerEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions): void;
}

declare global {
  interface HTMLElementTagNameMap {
    'tiny-train': TinyTrain;
  }
}
