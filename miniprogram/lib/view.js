// What every page does: wait for the data, draw, and draw again when the
// shared state changes. `draw()` is the page's own; draws run one at a time,
// and so do event handlers (through `queue`); `whenIdle()` resolves when
// nothing is pending (the tests wait on it). Queued work must not await whenIdle.
const state = require('./state.js');
const { message } = require('./format.js');

module.exports = Behavior({
  data: { error: '', demo: false },
  lifetimes: {
    attached() {
      this._busy = Promise.resolve();
      this._unsubscribe = state.subscribe((kind) => {
        if (this.redrawOn && this.redrawOn.indexOf(kind) >= 0) this.redraw();
      });
      this.redraw();
    },
    detached() {
      if (this._unsubscribe) this._unsubscribe();
    },
  },
  methods: {
    /** Runs `fn` after everything queued before it; a failure shows as the page's error. */
    queue(fn) {
      const run = () => Promise.resolve().then(fn).catch((e) => this.setData({ error: message(e) }));
      this._busy = this._busy.then(run, run);
      return this._busy;
    },
    redraw() {
      return this.queue(async () => {
        await state.start();
        await this.draw(state.get());
        if (this.data.error) this.setData({ error: '' });
      });
    },
    /** The 重试 button under an error: start the engine again if needed and draw again. */
    retry() {
      return this.queue(async () => {
        this.setData({ error: '' });
        await state.retry();
      }).then(() => this.redraw());
    },
    whenIdle() {
      const p = this._busy;
      return p.then(() => (p === this._busy ? undefined : this.whenIdle()));
    },
    /** setData as a promise (resolves once the view has the data). */
    set(data) {
      return new Promise((resolve) => this.setData(data, resolve));
    },
    /** Hands a chart its option; the page keeps it too (what tests check). */
    chart(id, option) {
      this.chartOptions = this.chartOptions || {};
      this.chartOptions[id] = option;
      const c = this.selectComponent(`#${id}`);
      if (c) c.setOption(option);
    },
  },
});
