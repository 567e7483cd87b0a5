// The article's prose reacts to its two widgets through their events (ready, progress, trained, error): the
// paragraphs under each widget say what the model has done so far, in words. Text only (textContent).
const $ = (id) => document.getElementById(id);
const count = (n) => Math.round(n).toLocaleString('en');
const pct = (v) => `${(100 * v).toFixed(1)}%`;
let live = null; // the first widget's last progress

function describeLive(p) {
  if (p.step === 0) return 'The model was reset: new random weights, nothing learned yet.';
  const acc = Number.isFinite(p.testAccuracy) ? ` It now labels ${pct(p.testAccuracy)} of the points it never trained on correctly.` : '';
  return `Your model has now seen ${count(p.samplesSeen)} examples in ${count(p.step)} steps ` +
    `(${(p.wallMs / 1000).toFixed(1)} s of training in its worker).${acc}`;
}

$('live').addEventListener('progress', (e) => {
  live = e.detail;
  $('live-report').textContent = describeLive(live);
});

$('live').addEventListener('trained', (e) => {
  const d = e.detail;
  const how = d.reason === 'finished' ? 'finished its run' : 'paused';
  $('live-report').textContent = `${describeLive(live || d)} Training ${how} at step ${count(d.step)}.`;
  const secs = live ? (live.wallMs / 1000).toFixed(1) : '?';
  $('compare').textContent = `Your model needed ${count(d.samplesSeen)} examples and ${secs} s of training to ` +
    `reach ${pct(d.testAccuracy)}. The second model answered its first question before you had read its paragraph, ` +
    'because that work had already been done.';
});

$('live').addEventListener('error', (e) => {
  const { kind, restarting } = e.detail;
  if (kind === 'diverged') $('live-report').textContent = 'The loss exploded: the steps were too large and training went wrong. Lower the learning rate and press Reset.';
  if (kind === 'fatal') {
    $('live-report').textContent = restarting
      ? 'The training worker stopped unexpectedly; the widget restarts it from the last weights it saved, paused: press Train to go on.'
      : 'The training worker kept failing, so training has stopped; the model still answers with its last good weights.';
  }
});

// The pretrained widget can answer as soon as its file is loaded (`ready`), before any training.
const pre = $('pretrained');
pre.addEventListener('ready', () => {
  $('pretrained-report').textContent = 'Ready, without a single training step on this page: point at its map.';
});
pre.addEventListener('progress', (e) => {
  $('pretrained-report').textContent = `You are training the pretrained model further: ${count(e.detail.step)} more steps so far.`;
});
let preReady = false;
pre.addEventListener('ready', () => { preReady = true; });
pre.addEventListener('error', (e) => {
  if (!preReady) $('pretrained-report').textContent = `This widget could not start: ${e.detail.message}`;
  else if (e.detail.kind === 'fatal') $('pretrained-report').textContent = 'Its training worker stopped; the model still answers with its last good weights.';
});
