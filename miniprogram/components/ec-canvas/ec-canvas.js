// Hosts an ECharts chart on a <canvas type="2d">. ECharts is handed a small
// canvas stand-in (size, getContext) and touches become zrender mouse events.
// Where the canvas has no node (an old base library), the component keeps
// the last option and draws nothing. A new window size (`resizable`: tablets,
// split screen) or a new `height` re-measures the canvas and resizes the chart
// (same device pixel ratio).
//   <ec-canvas id="radar" height="300px" label="…" />   page: selectComponent('#radar').setOption(option)

/** What ECharts (zrender, single-canvas mode) needs of a canvas. */
function canvasStandIn(canvas, ctx) {
  return {
    get width() { return canvas.width; },
    set width(v) { canvas.width = v; },
    get height() { return canvas.height; },
    set height(v) { canvas.height = v; },
    getContext() { return ctx; },
    addEventListener() {},
    removeEventListener() {},
    attachEvent() {},
    detachEvent() {},
  };
}

function pixelRatio() {
  try {
    return (wx.getWindowInfo ? wx.getWindowInfo() : wx.getSystemInfoSync()).pixelRatio || 1;
  } catch (e) {
    return 1;
  }
}

/**
 * Keeps every element on the one canvas. ECharts 6.1 marks each heatmap cell
 * `incremental` even when it draws them all at once (HeatmapView.render), and
 * zrender then composites through extra canvases made with
 * `document.createElement` — which a mini-program lacks, so a heatmap threw
 * and never drew. On one canvas an incremental element is drawn with the rest.
 */
function oneLayer(zr) {
  const storage = zr.storage;
  const displayList = storage.getDisplayList;
  storage.getDisplayList = function oneLayerDisplayList(...args) {
    const els = displayList.apply(this, args);
    for (let i = 0; i < els.length; i++) if (els[i].incremental) els[i].incremental = 0;
    return els;
  };
}

/** A zrender event at the first touch (canvas-relative x, y). */
function zrEvent(e) {
  const t = (e.touches && e.touches[0]) || (e.changedTouches && e.changedTouches[0]) || {};
  return { zrX: t.x, zrY: t.y, preventDefault() {}, stopImmediatePropagation() {}, stopPropagation() {} };
}

Component({
  properties: {
    height: { type: String, value: '300px' },
    /** Read by screen readers. */
    label: { type: String, value: '' },
  },
  observers: {
    height() {
      this.resizeChart();
    },
  },
  lifetimes: {
    attached() {
      this.option = null;
      this.chart = null;
      this.alive = true;
    },
    ready() {
      this.initCanvas();
    },
    detached() {
      this.alive = false;
      if (this.chart) this.chart.dispose();
      this.chart = null;
    },
  },
  pageLifetimes: {
    resize() {
      this.resizeChart();
    },
  },
  methods: {
    setOption(option) {
      this.option = option;
      if (this.chart) this.chart.setOption(option, true);
    },
    /** Calls `fn(node, width, height)` with the canvas node and its CSS size, if it has a node. */
    queryCanvas(fn) {
      if (typeof this.createSelectorQuery !== 'function') return;
      const q = this.createSelectorQuery();
      if (!q || typeof q.select !== 'function') return;
      const sel = q.select('#c');
      if (!sel || typeof sel.fields !== 'function') return;
      sel.fields({ node: true, size: true }).exec((res) => {
        const r = res && res[0];
        if (!this.alive || !r || !r.node || typeof r.node.getContext !== 'function') return;
        fn(r.node, r.width, r.height);
      });
    },
    initCanvas() {
      this.queryCanvas((node, width, height) => {
        if (!this.chart) this.draw(node, width, height);
      });
    },
    /** Measures the canvas again and resizes the chart to it (the pixel ratio stays). */
    resizeChart() {
      if (!this.chart) return;
      this.queryCanvas((node, width, height) => {
        if (this.chart && width > 0 && height > 0) this.chart.resize({ width, height });
      });
    },
    /** Starts ECharts on a real canvas node of `width` × `height` CSS pixels. */
    draw(canvas, width, height) {
      const echarts = require('./echarts.js');
      const ctx = canvas.getContext('2d');
      const dpr = pixelRatio();
      // Text is measured on this canvas (the default would create a DOM canvas).
      echarts.setPlatformAPI({
        measureText(text, font) {
          ctx.font = font || '12px sans-serif';
          return ctx.measureText(text);
        },
      });
      this.chart = echarts.init(canvasStandIn(canvas, ctx), null, { width, height, devicePixelRatio: dpr });
      oneLayer(this.chart.getZr());
      if (this.option) this.chart.setOption(this.option, true);
    },
    touchStart(e) {
      if (!this.chart) return;
      const h = this.chart.getZr().handler;
      h.dispatch('mousedown', zrEvent(e));
      h.dispatch('mousemove', zrEvent(e));
    },
    touchMove(e) {
      if (this.chart) this.chart.getZr().handler.dispatch('mousemove', zrEvent(e));
    },
    touchEnd(e) {
      if (!this.chart) return;
      const h = this.chart.getZr().handler;
      h.dispatch('mouseup', zrEvent(e));
      h.dispatch('click', zrEvent(e));
    },
  },
});
