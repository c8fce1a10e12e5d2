// What every page does: wait for the data, draw, and draw again when the
// shared state changes. `draw()` is the page's own; draws run one at a time,
// and `whenIdle()` resolves when none is pending (the tests wait on it).
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
    redraw() {
      const run = () => state.start().then(() => this.draw(state.get())).then(
        () => { if (this.data.error) this.setData({ error: '' }); },
        (e) => this.setData({ error: message(e) }),
      );
      this._busy = this._busy.then(run, run);
      return this._busy;
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
