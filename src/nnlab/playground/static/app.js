// nnlab playground: the page. It draws what the server's training session sends over the
// WebSocket and sends the user's changes back. Plain JavaScript, canvas and SVG, no build step.
"use strict";

const $ = (id) => document.getElementById(id);
// The lists (features, data sets, activations, rates) come from the server's hello message.
const featureNames = () => state.limits.features.map(([name]) => name);
const NUMBER_KEYS = ["noise", "percTrainData", "batchSize", "seed", "learningRate", "regularizationRate", "dropout", "maxEpochs"];
const STRING_KEYS = ["dataset", "problem", "activation", "regularization", "loss"];
const HEAT = 100, SMALL = 20;

// ------------------------------------------------------------------ colours
// TensorFlow Playground's scale: -1 orange, 0 light grey, +1 blue.
function mix(a, b, t) { return a.map((v, i) => Math.round(v + (b[i] - v) * t)); }
const ORANGE = [245, 147, 34], GREY = [232, 234, 235], BLUE = [8, 119, 189];
const LUT = [];
for (let q = 0; q < 256; q++) {
  const v = q / 127.5 - 1;
  LUT.push(v < 0 ? mix(GREY, ORANGE, -v) : mix(GREY, BLUE, v));
}
function colorOf(v) {
  const q = Math.max(0, Math.min(255, Math.round((v + 1) * 127.5)));
  const c = LUT[q];
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

// ------------------------------------------------------------------ state
const state = {
  ws: null, settings: null, limits: null, previews: {}, data: null, frame: null,
  history: [], playing: false, ui: { showTestData: false, discretize: false },
  structure: "", hover: null, lastHash: "", linkEls: [], biasEls: [], neuronCanvases: [],
};

// ------------------------------------------------------------------ URL hash
function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  const settings = {};
  for (const k of NUMBER_KEYS) if (params.has(k) && params.get(k) !== "" && isFinite(+params.get(k))) settings[k] = +params.get(k);
  for (const k of STRING_KEYS) if (params.has(k)) settings[k] = params.get(k);
  if (params.has("networkShape")) {
    const raw = params.get("networkShape");
    settings.networkShape = raw === "" ? [] : raw.split(",").map(Number);
  }
  if (params.has("activations")) settings.activations = params.get("activations").split(",").filter(Boolean);
  const features = featureNames();
  if (features.some((f) => params.has(f))) settings.features = features.filter((f) => params.get(f) === "true");
  const ui = {};
  for (const k of ["showTestData", "discretize"]) if (params.has(k)) ui[k] = params.get(k) === "true";
  return { settings, ui, play: params.get("play") === "true" };
}

function writeHash() {
  const s = state.settings;
  if (!s) return;
  const p = new URLSearchParams();
  for (const k of [...STRING_KEYS, ...NUMBER_KEYS]) p.set(k, String(s[k]));
  p.set("networkShape", s.networkShape.join(","));
  p.set("activations", s.activations.join(","));
  for (const f of featureNames()) p.set(f, String(s.features.includes(f)));
  p.set("showTestData", String(state.ui.showTestData));
  p.set("discretize", String(state.ui.discretize));
  const hash = "#" + p.toString().replace(/%2C/g, ",");
  if (hash !== state.lastHash) {
    state.lastHash = hash;
    history.replaceState(null, "", hash);
  }
}

// ------------------------------------------------------------------ connection
function send(msg) {
  if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify(msg));
}
function change(settings) { send({ type: "settings", settings }); }

function connect() {
  const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`);
  state.ws = ws;
  ws.onmessage = (ev) => {
    let msg;
    try { msg = JSON.parse(ev.data); } catch (err) {
      toast("The server sent a message the page cannot read; it was skipped.", true);
      return;
    }
    handle(msg);
  };
  ws.onclose = () => {
    if (state.ws !== ws) return;
    setPlaying(false);
    toast("Disconnected from the server.", true, "Reconnect", () => connect());
  };
}

function handle(msg) {
  switch (msg.type) {
    case "hello": {
      state.limits = msg.limits;
      state.previews = msg.previews;
      state.settings = msg.settings;
      fillSelects();
      const fromHash = readHash();
      Object.assign(state.ui, fromHash.ui);
      if (Object.keys(fromHash.settings).length) send({ type: "settings", settings: fromHash.settings, lenient: true });
      if (fromHash.play) send({ type: "play" });
      hideToast();
      break;
    }
    case "data": state.data = msg; drawDatasets(); break;
    case "frame": onFrame(msg); break;
    case "error": toast(msg.message, true); break;
    case "notice": toast(msg.message, false); break;
    case "closing": toast("Session closed: " + msg.reason, true, "Reconnect", () => connect()); break;
    case "diverged": showDiverged(msg.message); setPlaying(false); break;
    case "export": download(msg); break;
    default: break;
  }
}

function onFrame(f) {
  if (f.epoch === 0 || (state.frame && f.epoch < state.frame.epoch)) state.history = [];
  state.history.push(...f.history);
  if (state.history.length > 6000) state.history = state.history.filter((_, i) => i % 2 === 0 || i === state.history.length - 1);
  state.frame = f;
  state.settings = f.settings;
  setPlaying(f.playing);
  if (!f.diverged) $("diverged").hidden = true;
  drawDatasets();
  syncControls();
  const structure = JSON.stringify([f.settings.features, f.settings.networkShape, f.settings.activations]);
  if (structure !== state.structure) { state.structure = structure; buildNetwork(); }
  render();
  writeHash();
}

// ------------------------------------------------------------------ messages and downloads
let toastTimer = null;
function toast(text, isError, action, onAction) {
  const el = $("message");
  el.textContent = text;
  el.className = "message" + (isError ? " error" : "");
  if (action) {
    const b = document.createElement("button");
    b.textContent = action;
    b.className = "basic";
    b.onclick = () => { hideToast(); onAction(); };
    el.appendChild(b);
  }
  el.hidden = false;
  clearTimeout(toastTimer);
  if (!action) toastTimer = setTimeout(hideToast, 5000);
}
function hideToast() { $("message").hidden = true; }

// Training diverged: a notice that stays until the network is reset (the next frame that is not
// diverged hides it).
function showDiverged(text) {
  const el = $("diverged");
  el.textContent = text;
  const b = document.createElement("button");
  b.textContent = "Reset the network";
  b.className = "basic";
  b.onclick = () => send({ type: "reset" });
  el.appendChild(b);
  el.hidden = false;
}

function download(msg) {
  let blob;
  if (msg.text !== undefined) blob = new Blob([msg.text], { type: msg.mime });
  else blob = new Blob([Uint8Array.from(atob(msg.base64), (c) => c.charCodeAt(0))], { type: msg.mime });
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = msg.filename;
  document.body.appendChild(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

// ------------------------------------------------------------------ controls
function fillSelects() {
  const fill = (id, values) => {
    $(id).innerHTML = "";
    for (const v of values) $(id).add(new Option(String(v), String(v)));
  };
  fill("learningRate", state.limits.learningRates);
  fill("regularizationRate", state.limits.regularizationRates);
  $("batchSize").max = String(state.limits.maxBatch);
}

function setSelect(id, value) {
  const el = $(id);
  if (![...el.options].some((o) => o.value === String(value))) el.add(new Option(String(value), String(value)));
  el.value = String(value);
}

function syncControls() {
  const s = state.settings;
  for (const id of ["learningRate", "activation", "regularization", "regularizationRate", "problem", "loss", "dropout"]) setSelect(id, s[id]);
  $("loss").disabled = s.problem === "regression";
  if (document.activeElement !== $("maxEpochs")) $("maxEpochs").value = s.maxEpochs;
  for (const id of ["percTrainData", "noise", "batchSize"]) {
    $(id).value = s[id];
    $(id + "-value").textContent = s[id];
  }
  $("showTestData").checked = state.ui.showTestData;
  $("discretize").checked = state.ui.discretize;
  $("num-layers").textContent = s.networkShape.length;
  $("layers-label").textContent = s.networkShape.length === 1 ? "hidden layer" : "hidden layers";
  const epoch = String(f2(state.frame.epoch)).padStart(6, "0");
  $("epoch").textContent = epoch.slice(0, -3) + "," + epoch.slice(-3);
  $("train-loss").textContent = fmtLoss(state.frame.train_loss);
  $("test-loss").textContent = fmtLoss(state.frame.test_loss);
}
function f2(n) { return Math.max(0, Math.floor(n)); }
function fmtLoss(v) { return v === null ? "NaN" : v.toFixed(3); }

function setPlaying(on) {
  state.playing = on;
  $("play").classList.toggle("playing", on);
}

function bindControls() {
  $("play").onclick = () => { send({ type: state.playing ? "pause" : "play" }); setPlaying(!state.playing); };
  $("step").onclick = () => send({ type: "step" });
  $("reset").onclick = () => send({ type: "reset" });
  $("regenerate").onclick = () => send({ type: "regenerate" });
  for (const id of ["learningRate", "regularizationRate", "dropout"]) $(id).onchange = () => change({ [id]: +$(id).value });
  for (const id of ["activation", "regularization", "problem", "loss"]) $(id).onchange = () => change({ [id]: $(id).value });
  $("maxEpochs").onchange = () => {
    const v = Math.floor(+$("maxEpochs").value);
    if (isFinite(v) && v >= 0) change({ maxEpochs: v });
  };
  for (const id of ["percTrainData", "noise", "batchSize"]) {
    $(id).oninput = () => { $(id + "-value").textContent = $(id).value; };
    $(id).onchange = () => change({ [id]: +$(id).value });
  }
  for (const id of ["showTestData", "discretize"]) $(id).onchange = () => { state.ui[id] = $(id).checked; render(); writeHash(); };
  $("add-layer").onclick = () => {
    const s = state.settings;
    if (s.networkShape.length >= state.limits.maxLayers) return;
    change({ networkShape: [...s.networkShape, 2], activations: [...s.activations, s.activation] });
  };
  $("remove-layer").onclick = () => {
    const s = state.settings;
    if (!s.networkShape.length) return;
    change({ networkShape: s.networkShape.slice(0, -1), activations: s.activations.slice(0, -1) });
  };
  $("upload").onchange = async () => {
    const file = $("upload").files[0];
    $("upload").value = "";
    if (!file) return;
    if (file.size > state.limits.maxUploadChars) { toast(`The file is too large (${file.size} bytes; at most ${state.limits.maxUploadChars}).`, true); return; }
    send({ type: "upload", csv: await file.text() });
  };
  $("export-keras").onclick = () => send({ type: "export", format: "keras" });
  $("export-model").onclick = () => send({ type: "export", format: "model" });
  window.addEventListener("hashchange", () => {
    if (location.hash === state.lastHash || !state.limits) return;
    const h = readHash();
    Object.assign(state.ui, h.ui);
    send({ type: "settings", settings: h.settings, lenient: true });
    if (h.play) send({ type: "play" });
  });
  window.addEventListener("resize", () => { if (state.frame) { buildNetwork(); render(); } });
  // A visible tab is not idle; a hidden or abandoned one is dropped by the server after a while.
  setInterval(() => { if (document.visibilityState === "visible") send({ type: "ping" }); }, 60000);
  bindChart();
}

// ------------------------------------------------------------------ data sets
function drawPoints(ctx, rows, size, radius, stroke) {
  for (const [x, y, label] of rows) {
    ctx.beginPath();
    ctx.arc(((x + 6) / 12) * size, ((6 - y) / 12) * size, radius, 0, 2 * Math.PI);
    ctx.fillStyle = colorOf(label);
    ctx.fill();
    if (stroke) { ctx.strokeStyle = stroke; ctx.lineWidth = 1; ctx.stroke(); }
  }
}

function drawDatasets() {
  const list = $("datasets");
  const s = state.settings;
  const names = state.limits.datasets[s.problem];
  if (list.dataset.names !== names.join()) {
    list.dataset.names = names.join();
    list.innerHTML = "";
    for (const name of names) {
      const c = document.createElement("canvas");
      c.width = c.height = 64;
      c.title = name;
      c.dataset.name = name;
      c.onclick = () => change({ dataset: name });
      const ctx = c.getContext("2d");
      ctx.fillStyle = "#f7f7f7";
      ctx.fillRect(0, 0, 64, 64);
      drawPoints(ctx, state.previews[name] || [], 64, 1.6, null);
      list.appendChild(c);
    }
  }
  for (const c of list.children) c.classList.toggle("selected", c.dataset.name === s.dataset);
}

// ------------------------------------------------------------------ the network
function featureValue(f, x, y) {
  switch (f) {
    case "x": return x / 6;
    case "y": return y / 6;
    case "xSquared": return x * x / 18 - 1;
    case "ySquared": return y * y / 18 - 1;
    case "xTimesY": return x * y / 36;
    case "sinX": return Math.sin(x);
    default: return Math.sin(y);
  }
}

function paintSmall(canvas, values) {
  // values(i, j) -> [-1, 1] on a SMALL x SMALL grid, row 0 at y = +6.
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(SMALL, SMALL);
  for (let i = 0; i < SMALL; i++) for (let j = 0; j < SMALL; j++) {
    const c = LUT[Math.max(0, Math.min(255, Math.round((values(i, j) + 1) * 127.5)))];
    const k = 4 * (i * SMALL + j);
    img.data[k] = c[0]; img.data[k + 1] = c[1]; img.data[k + 2] = c[2]; img.data[k + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

function nodeCanvas(size) {
  const c = document.createElement("canvas");
  c.width = c.height = SMALL;
  c.style.width = c.style.height = size + "px";
  return c;
}

function buildNetwork() {
  const s = state.settings;
  const counts = [state.limits.features.length, ...s.networkShape];
  const size = Math.max(12, Math.min(36, Math.floor(420 / Math.max(...counts)) - 8));
  const gap = Math.max(3, Math.min(10, size / 4));
  // inputs
  const feats = $("feature-nodes");
  feats.innerHTML = "";
  feats.style.gap = gap + "px";
  const featureEls = [];
  state.limits.features.forEach(([f, name]) => {
    const row = document.createElement("div");
    row.className = "feature" + (s.features.includes(f) ? " on" : "");
    const label = document.createElement("span");
    label.textContent = name;
    const c = nodeCanvas(size);
    const axis = (k) => -6 + (12 * k) / (SMALL - 1);
    paintSmall(c, (i, j) => featureValue(f, axis(j), -axis(i)));
    row.append(label, c);
    row.title = `${name}: click to switch it ${s.features.includes(f) ? "off" : "on"}`;
    row.onclick = () => {
      const on = s.features.includes(f) ? s.features.filter((g) => g !== f) : [...s.features, f];
      if (on.length) change({ features: on });
      else toast("Keep at least one input feature.", true);
    };
    c.onmouseenter = () => { state.hover = { feature: f }; render(); };
    c.onmouseleave = () => { state.hover = null; render(); };
    feats.appendChild(row);
    if (s.features.includes(f)) featureEls.push(c);
  });
  // hidden layers and output
  const cols = $("layer-columns");
  cols.innerHTML = "";
  const layers = [featureEls];
  state.neuronCanvases = [];
  s.networkShape.forEach((width, l) => {
    const col = document.createElement("div");
    col.className = "layer";
    const ctrl = document.createElement("div");
    ctrl.className = "layer-ctrl";
    const plus = document.createElement("button");
    plus.className = "round tiny"; plus.textContent = "+"; plus.title = "Add a neuron";
    plus.onclick = () => { if (width < state.limits.maxNeurons) change({ networkShape: s.networkShape.map((n, k) => (k === l ? n + 1 : n)) }); };
    const minus = document.createElement("button");
    minus.className = "round tiny"; minus.textContent = "\u2212"; minus.title = "Remove a neuron";
    minus.onclick = () => { if (width > 1) change({ networkShape: s.networkShape.map((n, k) => (k === l ? n - 1 : n)) }); };
    ctrl.append(plus, minus);
    const info = document.createElement("div");
    info.className = "layer-info";
    info.textContent = width === 1 ? "1 neuron" : `${width} neurons`;
    const act = document.createElement("select");
    for (const a of state.limits.activations) act.add(new Option(a, a));
    act.value = s.activations[l];
    act.title = "Activation of this layer";
    act.onchange = () => change({ activations: s.activations.map((a, k) => (k === l ? act.value : a)) });
    const nodes = document.createElement("div");
    nodes.className = "node-column";
    nodes.style.gap = gap + "px";
    const els = [];
    for (let j = 0; j < width; j++) {
      const wrap = document.createElement("div");
      wrap.className = "node";
      const c = nodeCanvas(size);
      c.onmouseenter = () => { state.hover = { layer: l, neuron: j }; render(); };
      c.onmouseleave = () => { state.hover = null; render(); };
      const bias = document.createElement("div");
      bias.className = "bias";
      bias.onclick = () => editValue(`Bias of neuron ${j + 1} in layer ${l + 1}`, state.frame.biases[l][j], (v) => send({ type: "set_bias", layer: l, neuron: j, value: v }));
      wrap.append(c, bias);
      nodes.appendChild(wrap);
      els.push(c);
    }
    const head = document.createElement("div");
    head.className = "layer-head";
    head.append(ctrl, info, act);
    col.append(head, nodes);
    cols.appendChild(col);
    layers.push(els);
    state.neuronCanvases.push(els);
  });
  const out = document.createElement("div");
  out.className = "layer output-node";
  const info = document.createElement("div");
  info.className = "layer-info";
  info.textContent = "output";
  const oc = document.createElement("canvas");
  oc.width = oc.height = HEAT;
  oc.style.width = oc.style.height = Math.max(size, 36) + "px";
  oc.style.border = "1px solid #333";
  const head = document.createElement("div");
  head.className = "layer-head";
  head.append(info);
  const box = document.createElement("div");
  box.className = "node-column";
  box.append(oc);
  out.append(head, box);
  cols.appendChild(out);
  state.outputCanvas = oc;
  layers.push([oc]);
  drawLinks(layers);
}

function drawLinks(layers) {
  const svg = $("links");
  svg.innerHTML = "";
  const box = $("network").getBoundingClientRect();
  const at = (el, side) => {
    const r = el.getBoundingClientRect();
    return [(side ? r.right : r.left) - box.left, (r.top + r.bottom) / 2 - box.top];
  };
  state.linkEls = [];
  for (let l = 1; l < layers.length; l++) {
    const rows = [];
    layers[l].forEach((dst, j) => {
      const row = [];
      layers[l - 1].forEach((src, i) => {
        const [x1, y1] = at(src, true), [x2, y2] = at(dst, false);
        const mid = (x1 + x2) / 2;
        const p = document.createElementNS("http://www.w3.org/2000/svg", "path");
        p.setAttribute("d", `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`);
        p.onmouseenter = (ev) => showLinkTip(ev, l - 1, j, i);
        p.onmousemove = (ev) => showLinkTip(ev, l - 1, j, i);
        p.onmouseleave = () => { $("link-tip").hidden = true; };
        p.onclick = () => editValue("Weight", state.frame.weights[l - 1][j][i], (v) => send({ type: "set_weight", layer: l - 1, to: j, from: i, value: v }));
        svg.appendChild(p);
        row.push(p);
      });
      rows.push(row);
    });
    state.linkEls.push(rows);
  }
}

function showLinkTip(ev, layer, to, from) {
  const tip = $("link-tip");
  const w = state.frame.weights[layer][to][from];
  const box = $("network").parentElement.getBoundingClientRect();
  tip.textContent = `weight ${fmtLoss(w)} (click to edit)`;
  tip.style.left = ev.clientX - box.left + 12 + "px";
  tip.style.top = ev.clientY - box.top + 12 + "px";
  tip.hidden = false;
}

function editValue(what, current, apply) {
  const now = current === null ? "NaN" : current.toFixed(3);
  const raw = prompt(`${what} (now ${now}):`, current === null ? "0" : now);
  if (raw === null) return;
  const v = Number(raw);
  if (raw.trim() === "" || !isFinite(v) || Math.abs(v) > 100) { toast("Enter a number between -100 and 100.", true); return; }
  apply(v);
}

// ------------------------------------------------------------------ drawing a frame
function decode(b64) {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function bytesToCanvas(canvas, bytes, n, discretize) {
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(n, n);
  for (let k = 0; k < n * n; k++) {
    const q = discretize ? (bytes[k] >= 128 ? 255 : 0) : bytes[k];
    const c = LUT[q];
    img.data[4 * k] = c[0]; img.data[4 * k + 1] = c[1]; img.data[4 * k + 2] = c[2]; img.data[4 * k + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

const scratch = { big: document.createElement("canvas"), small: document.createElement("canvas") };
scratch.big.width = scratch.big.height = HEAT;
scratch.small.width = scratch.small.height = SMALL;

function render() {
  const f = state.frame;
  if (!f) return;
  const s = f.settings;
  const heat = decode(f.heatmap);
  // neurons
  f.neurons.forEach((layer, l) => layer.forEach((b64, j) => {
    const c = state.neuronCanvases[l] && state.neuronCanvases[l][j];
    if (c) bytesToCanvas(c, decode(b64), SMALL, false);
  }));
  bytesToCanvas(state.outputCanvas, heat, HEAT, state.ui.discretize);
  // links and biases
  const wide = (w) => Math.max(0.6, Math.min(8, 0.6 + Math.abs(w) * 2));
  state.linkEls.forEach((rows, l) => rows.forEach((row, j) => row.forEach((p, i) => {
    const w = f.weights[l] && f.weights[l][j] ? f.weights[l][j][i] : 0;
    p.setAttribute("stroke", colorOf(w));
    p.setAttribute("stroke-width", wide(w).toFixed(2));
    p.setAttribute("stroke-opacity", "0.85");
  })));
  document.querySelectorAll("#layer-columns .bias").forEach((el, k) => {
    let l = 0, j = k;
    while (l < s.networkShape.length && j >= s.networkShape[l]) { j -= s.networkShape[l]; l++; }
    if (f.biases[l]) el.style.background = colorOf(f.biases[l][j]);
  });
  // the big heatmap (or the hovered neuron / feature)
  const canvas = $("heatmap");
  const ctx = canvas.getContext("2d");
  ctx.imageSmoothingEnabled = true;
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.globalAlpha = 0.8;  // a lighter background, so the points stand out as on the Playground
  const h = state.hover;
  if (h && h.layer !== undefined && f.neurons[h.layer]) {
    bytesToCanvas(scratch.small, decode(f.neurons[h.layer][h.neuron]), SMALL, state.ui.discretize);
    ctx.drawImage(scratch.small, 0, 0, canvas.width, canvas.height);
  } else if (h && h.feature) {
    const axis = (k) => -6 + (12 * k) / (SMALL - 1);
    paintSmall(scratch.small, (i, j) => featureValue(h.feature, axis(j), -axis(i)));
    ctx.drawImage(scratch.small, 0, 0, canvas.width, canvas.height);
  } else {
    bytesToCanvas(scratch.big, heat, HEAT, state.ui.discretize);
    ctx.drawImage(scratch.big, 0, 0, canvas.width, canvas.height);
  }
  ctx.globalAlpha = 1;
  if (state.data) {
    drawPoints(ctx, state.data.train, canvas.width, 3, "#fff");
    if (state.ui.showTestData) drawPoints(ctx, state.data.test, canvas.width, 3, "#000");
  }
  drawChart();
  drawMetrics(f.metrics);
}

function pct(v) { return v === null ? "\u2013" : (100 * v).toFixed(1) + "%"; }
function num(v) { return v === null ? "\u2013" : v.toFixed(3); }

function drawMetrics(m) {
  const el = $("metrics");
  if (m.kind === "classification") {
    const c = m.confusion;
    el.innerHTML = `<div class="row"><div>Train accuracy<br><span class="big">${pct(m.train_accuracy)}</span></div>`
      + `<div>Test accuracy<br><span class="big">${pct(m.test_accuracy)}</span></div></div>`
      + `<table><caption class="hint">Test confusion matrix</caption>`
      + `<tr><th>true \\ predicted</th><th>\u22121</th><th>+1</th></tr>`
      + `<tr><th>\u22121</th><td>${c[0][0]}</td><td>${c[0][1]}</td></tr>`
      + `<tr><th>+1</th><td>${c[1][0]}</td><td>${c[1][1]}</td></tr></table>`;
  } else {
    el.innerHTML = `<div class="row"><div>Test RMSE<br><span class="big">${num(m.test_rmse)}</span></div>`
      + `<div>Test R\u00b2<br><span class="big">${num(m.test_r2)}</span></div></div>`
      + `<div class="hint">train RMSE ${num(m.train_rmse)}, R\u00b2 ${num(m.train_r2)}</div>`;
  }
}

// ------------------------------------------------------------------ loss chart
function chartGeometry() {
  const hist = state.history;
  const canvas = $("loss-chart");
  let top = 0;
  for (const [, a, b] of hist) top = Math.max(top, a || 0, b || 0);
  const e0 = hist.length ? hist[0][0] : 0, e1 = hist.length ? hist[hist.length - 1][0] : 1;
  return { canvas, top: top || 1, e0, span: Math.max(1, e1 - e0) };
}

function drawChart(markEpoch) {
  const g = chartGeometry();
  const { canvas } = g;
  const ctx = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height;
  ctx.clearRect(0, 0, W, H);
  const X = (e) => ((e - g.e0) / g.span) * (W - 2) + 1;
  const Y = (v) => H - 2 - (v / g.top) * (H - 6);
  for (const [col, idx] of [["#aaa", 1], ["#000", 2]]) {
    ctx.beginPath();
    let started = false;
    for (const row of state.history) {
      if (row[idx] === null) continue;
      if (started) ctx.lineTo(X(row[0]), Y(row[idx])); else { ctx.moveTo(X(row[0]), Y(row[idx])); started = true; }
    }
    ctx.strokeStyle = col;
    ctx.lineWidth = 1.2;
    ctx.stroke();
  }
  if (markEpoch !== undefined) {
    ctx.strokeStyle = "rgba(0,0,0,.35)";
    ctx.beginPath(); ctx.moveTo(X(markEpoch), 0); ctx.lineTo(X(markEpoch), H); ctx.stroke();
  }
}

function bindChart() {
  const canvas = $("loss-chart"), tip = $("chart-tip");
  canvas.onmousemove = (ev) => {
    const hist = state.history;
    if (!hist.length) return;
    const g = chartGeometry();
    const r = canvas.getBoundingClientRect();
    const e = g.e0 + ((ev.clientX - r.left) / r.width) * g.span;
    let best = hist[0];
    for (const row of hist) if (Math.abs(row[0] - e) < Math.abs(best[0] - e)) best = row;
    tip.textContent = `epoch ${best[0]}: train ${fmtLoss(best[1])}, test ${fmtLoss(best[2])}`;
    tip.style.left = Math.min(ev.clientX - r.left + 10, 150) + "px";
    tip.style.top = "-22px";
    tip.hidden = false;
    drawChart(best[0]);
  };
  canvas.onmouseleave = () => { tip.hidden = true; drawChart(); };
}

// ------------------------------------------------------------------ start
function drawLegend() {
  const c = $("legend"), ctx = c.getContext("2d");
  for (let x = 0; x < c.width; x++) { ctx.fillStyle = colorOf((x / (c.width - 1)) * 2 - 1); ctx.fillRect(x, 0, 1, c.height); }
}

bindControls();
drawLegend();
connect();
