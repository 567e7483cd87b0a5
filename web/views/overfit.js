// Overfitting, read from the two loss curves: the held-out (test) loss has risen well above its lowest point
// while the training loss kept falling. Then a page offers to go back to the weights of the lowest held-out loss:
// BestHeldOut keeps that snapshot, overfittingText and stopAtBestLabel say it in the pages' words, and cutCurve
// trims a curve back to the step it returns to. Logic on {steps, values} arrays (web/views/chart.js's Series) and
// a Trainer's public fields; no DOM. Shared by the playground, the digits page and the widget (web/widget/teach.js).

const MIN_TEST_POINTS = 4;
const RISE = 1.2;         // the latest test loss at least this many times its lowest...
const MIN_RISE = 0.02;    // ...and higher by at least this much (noise around a tiny loss is no trend)
const TRAIN_WINDOW = 5;   // training-loss points averaged around a step (one batch's loss is noisy)

// Mean of the last TRAIN_WINDOW training losses logged at or before `step`; before the first one (a held-out loss
// measured at step 0), the first one. NaN when there is none.
function trainLossAt(train, step) {
  let end = train.steps.length;
  while (end > 0 && train.steps[end - 1] > step) end--;
  end ||= Math.min(1, train.steps.length);
  const start = Math.max(0, end - TRAIN_WINDOW);
  if (end === start) return NaN;
  let sum = 0;
  for (let i = start; i < end; i++) sum += train.values[i];
  return sum / (end - start);
}

/**
 * {bestStep, bestLoss, latestLoss} when the test curve has climbed from its lowest point while the training
 * curve fell over the same steps; null otherwise. train, test: {steps, values}, steps increasing.
 */
export function overfitting(train, test) {
  const n = test.values.length;
  if (n < MIN_TEST_POINTS) return null;
  let best = 0;
  for (let i = 1; i < n; i++) if (test.values[i] < test.values[best]) best = i;
  const bestLoss = test.values[best], latestLoss = test.values[n - 1];
  if (best === n - 1 || latestLoss < bestLoss * RISE || latestLoss - bestLoss < MIN_RISE) return null;
  const bestStep = test.steps[best];
  const trainThen = trainLossAt(train, bestStep), trainNow = trainLossAt(train, test.steps[n - 1]);
  if (!(trainNow < trainThen)) return null;
  return { bestStep, bestLoss, latestLoss };
}

/** What the hint under a chart says about overfitting() `o` ('' for null). */
export function overfittingText(o, { points = 'points' } = {}) {
  if (!o) return '';
  return `the held-out (test) loss has risen since step ${o.bestStep} (${o.bestLoss.toFixed(3)} then, ` +
    `${o.latestLoss.toFixed(3)} now) while the training loss keeps falling. The network is memorising the training ` +
    `${points} rather than learning the pattern`;
}

/** The label of the button that goes back to BestHeldOut's `best`. */
export const stopAtBestLabel = (best) => `Stop at the best held-out step (${best.step}, test loss ${best.loss.toFixed(3)})`;

/**
 * The snapshot with the lowest held-out loss so far: the weights of a snapshot taken at the very step a test loss
 * was measured (by chance, or asked for when wants() says so). Snapshots are fresh arrays, so keeping one costs no
 * copy.
 */
export class BestHeldOut {
  best = null; // {step, loss, weights, progress: the Trainer's progress at that step}
  asked = -1;  // the step a snapshot was last asked for

  clear() {
    this.best = null;
    this.asked = -1;
  }

  /**
   * Called on a Trainer's `snapshot` and `progress` events: keeps its last snapshot when the held-out loss of its
   * last progress was measured at that step and is the lowest yet. (Either may come first: the step-0 snapshot
   * comes before any progress.)
   */
  consider(trainer) {
    const p = trainer.progress, snapshot = trainer.lastSnapshot, step = snapshot?.step;
    if (!p || p.metricsStep !== step || !Number.isFinite(p.testLoss) || p.testLoss >= (this.best?.loss ?? Infinity)) return false;
    this.best = { step, loss: p.testLoss, weights: snapshot.weights, progress: p };
    return true;
  }

  /**
   * True when the Trainer's last progress measured the lowest held-out loss yet, at the step the worker was then
   * at, and no snapshot of that step has come: one asked for now (Trainer#snapshot) is of that step unless the
   * worker has trained on meanwhile (consider() then leaves it). Snapshots and held-out measurements keep paces of
   * their own, so unasked they seldom meet at the lowest point.
   */
  wants(trainer) {
    const p = trainer.progress;
    if (!p || p.metricsStep !== p.step || !Number.isFinite(p.testLoss) || trainer.lastSnapshot?.step === p.step) return false;
    if (p.testLoss >= (this.best?.loss ?? Infinity) || this.asked === p.step) return false;
    this.asked = p.step;
    return true;
  }
}

/** Drops the points of a curve (a Series) after `step`, in place: training went back to that step. */
export function cutCurve(series, step) {
  let n = series.steps.length;
  while (n > 0 && series.steps[n - 1] > step) n--;
  series.steps.length = series.values.length = n;
  series.pending = null; // a half-merged point of later steps
}
