// A real 2D canvas for ec-canvas under miniprogram-simulate. j-component's
// SelectorQuery knows no `node` field, so ec-canvas never gets a canvas and
// nothing draws. `installCanvas()` patches that SelectorQuery from the test
// side (production code is untouched): `fields({node: true})` on a
// `<canvas type="2d">` returns a Skia canvas (@napi-rs/canvas), one per
// element as on a phone, and `size` gives the CSS size the layout would:
// the window's width (the canvas is `width: 100%`; the tests choose the
// window) and the height in the element's style. The pixel ratio is the wx
// mock's (getWindowInfo().pixelRatio, 2). The helpers below read pixels back
// in CSS coordinates.
import fs from 'node:fs';
import path from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { require } from './harness.mjs';

const SelectorQuery = require('j-component/src/tool/selectorquery.js');
// The SelectorQuery j-component gives components must be this very module.
if (require.cache[require.resolve('j-component/src/tool/selectorquery.js')].exports !== SelectorQuery) throw new Error('j-component resolved twice');

const screen = { width: 375 };
const nodes = new WeakMap();
/** Every canvas handed out, in order: `{ canvas, element }` (element: the wx-canvas DOM element). */
export const canvases = [];

/** Whether an exparser node is a `<canvas type="2d">` (j-component keeps its attributes on the virtual node). */
const is2dCanvas = (node) => !!(node && node.is === 'canvas' && node._vt && (node._vt.attrs || []).some((a) => a.name === 'type' && a.value === '2d'));

/** The CSS height the layout gives the element (its inline style, in px). */
function cssHeight(element) {
  const h = element.style && element.style.height;
  const m = /^([\d.]+)px$/.exec(h || '');
  if (!m) throw new Error(`canvas height "${h}": the tests lay out px heights only`);
  return Number(m[1]);
}

/** The canvas node of a wx-canvas element (made once, 300 × 150 as WeChat's). */
function nodeOf(node) {
  if (!nodes.has(node)) {
    const canvas = createCanvas(300, 150);
    nodes.set(node, canvas);
    canvases.push({ canvas, element: node.$$ });
  }
  return nodes.get(node);
}

/** Adds `node` and the laid-out `width`/`height` to one query result of a 2d canvas. */
function complete(itemRes, node, fields) {
  if (!itemRes || !is2dCanvas(node)) return;
  if (fields.node) itemRes.node = nodeOf(node);
  if (fields.size) {
    itemRes.width = screen.width;
    itemRes.height = cssHeight(node.$$);
  }
}

let installed = false;
/**
 * Makes SelectorQuery return canvas nodes; `width` is the window's CSS width.
 * Idempotent; returns the controls: `resizeWindow(width)` (what the next
 * queries see), `canvasOf(ec)` (the canvas behind an ec-canvas instance).
 */
export function installCanvas({ width = 375 } = {}) {
  screen.width = width;
  if (!installed) {
    installed = true;
    const exec = SelectorQuery.prototype.exec;
    SelectorQuery.prototype.exec = function patchedExec(callback) {
      // j-component resolves each queued selector in a microtask, then calls
      // the item's callback with its result: complete the result first.
      this._queueCallback = this._queue.map((item, i) => {
        const own = this._queueCallback[i];
        return function completed(res) {
          if (item.fields && item.exparserNode) {
            const root = item.exparserNode.shadowRoot;
            if (item.isSelectSingle) complete(res, root.querySelector(item.selector), item.fields);
            else root.querySelectorAll(item.selector).filter(Boolean).forEach((n, j) => complete(res[j], n, item.fields));
          }
          if (typeof own === 'function') own.call(this, res);
        };
      });
      return exec.call(this, callback);
    };
  }
  return {
    resizeWindow(w) { screen.width = w; },
    get width() { return screen.width; },
  };
}

/**
 * Fires `ready` on a component instance created after the page was attached.
 * WeChat fires it for every component after its first render; j-component
 * only for those present at `attach` (charts under a `wx:if` come later).
 * ec-canvas's `ready` only queries its canvas, so a second call is harmless.
 */
export function ready(instance) {
  instance._exparserNode.triggerLifeTime('ready');
}

/** The canvas behind an ec-canvas component instance (its `#c`). */
export function canvasOf(ec) {
  const node = ec._exparserNode.shadowRoot.querySelector('#c');
  if (!nodes.has(node)) throw new Error('this ec-canvas has not queried its canvas');
  return nodes.get(node);
}

/** Parses '#rrggbb' / '#rgb' into [r, g, b]. */
export function rgb(hex) {
  const h = hex.replace('#', '');
  const full = h.length === 3 ? h.split('').map((c) => c + c).join('') : h;
  return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16));
}

export const hex = ([r, g, b]) => `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;

/** The canvas's CSS → device pixel ratio (its backing width over the chart's CSS width). */
const ratio = (canvas, chart) => canvas.width / chart.getWidth();

/**
 * The opaque pixels within `radius` CSS px of (x, y) (CSS coordinates of the
 * chart), as [r, g, b] over a white page (canvas pixels are premultiplied
 * onto white, as the card under the canvas is white).
 */
export function pixelsAround(canvas, chart, [x, y], radius = 3) {
  const k = ratio(canvas, chart);
  const r = Math.ceil(radius * k);
  const cx = Math.round(x * k);
  const cy = Math.round(y * k);
  const x0 = Math.max(0, cx - r);
  const y0 = Math.max(0, cy - r);
  const w = Math.min(canvas.width, cx + r + 1) - x0;
  const h = Math.min(canvas.height, cy + r + 1) - y0;
  if (w <= 0 || h <= 0) return [];
  const d = canvas.getContext('2d').getImageData(x0, y0, w, h).data;
  const out = [];
  for (let i = 0; i < d.length; i += 4) {
    const a = d[i + 3] / 255;
    out.push([0, 1, 2].map((c) => Math.round(d[i + c] * a + 255 * (1 - a))));
  }
  return out;
}

/** Whether a pixel near (x, y) has `colour` (hex) within `tol` per channel. */
export function hasColourNear(canvas, chart, point, colour, { radius = 3, tol = 12 } = {}) {
  const want = rgb(colour);
  return pixelsAround(canvas, chart, point, radius).some((p) => p.every((v, c) => Math.abs(v - want[c]) <= tol));
}

/** How many distinct colours the whole canvas has (1 when blank) and how many pixels are not white/transparent. */
export function inked(canvas) {
  const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let ink = 0;
  const colours = new Set();
  for (let i = 0; i < d.length; i += 4) {
    if (d[i + 3] > 0 && !(d[i] > 250 && d[i + 1] > 250 && d[i + 2] > 250)) ink++;
    if (colours.size < 1000) colours.add((d[i] << 24) | (d[i + 1] << 16) | (d[i + 2] << 8) | d[i + 3]);
  }
  return { ink, colours: colours.size, share: ink / (d.length / 4) };
}

/** With ZHICHU_CHART_PNG=folder set, writes the canvas there as `name`.png (to look at what a test drew). */
export function keepPng(canvas, name) {
  const dir = process.env.ZHICHU_CHART_PNG;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${name}.png`), canvas.toBuffer('image/png'));
}
