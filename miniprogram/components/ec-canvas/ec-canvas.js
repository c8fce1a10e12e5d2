// Hosts an ECharts chart on a <canvas type="2d">. ECharts is handed a small
// canvas stand-in (size, getContext) and touches become zrender mouse events.
// Where the canvas has no node (an old base library, or tests), the
// component keeps the last option and draws nothing.
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
  lifetimes: {
    attached() {
      this.option = null;
      this.chart = null;
    },
    ready() {
      this.initCanvas();
    },
    detached() {
      if (this.chart) this.chart.dispose();
      this.chart = null;
    },
  },
  methods: {
    setOption(option) {
      this.option = option;
      if (this.chart) this.chart.setOption(option, true);
    },
    initCanvas() {
      if (typeof this.createSelectorQuery !== 'function') return;
      const q = this.createSelectorQuery();
      if (!q || typeof q.select !== 'function') return;
      const sel = q.select('#c');
      if (!sel || typeof sel.fields !== 'function') return;
      sel.fields({ node: true, size: true }).exec((res) => {
        const r = res && res[0];
        if (!r || !r.node || typeof r.node.getContext !== 'function') return;
        this.draw(r.node, r.width, r.height);
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
