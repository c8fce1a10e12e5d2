// 学时: progress against each rule that applies to the cadre, with its
// period and deadline. Rules, periods and sums are the engine's.
const state = require('../../lib/state.js');
const view = require('../../lib/view.js');
const { fmt } = require('../../lib/format.js');

Component({
  behaviors: [view],
  data: { ready: false, cadre: null, years: [], yearIndex: 0, year: '', rules: [] },
  lifetimes: {
    created() {
      this.redrawOn = ['data', 'cadre'];
      this.year = null;
    },
  },
  methods: {
    async draw(s) {
      if (this.version !== s.version) {
        this.version = s.version;
        this.year = null; // new data: its own latest year
      }
      if (!s.cadre) {
        await this.set({ demo: s.summary.demo, cadre: null, rules: [], ready: true });
        return;
      }
      const [cadre] = (await state.call('cadres', { query: s.cadre, limit: 20 })).filter((c) => c.cadre_id === s.cadre);
      const h = await state.call('hours', this.year ? { cadre: s.cadre, year: this.year } : { cadre: s.cadre });
      const years = s.summary.years.map(String);
      await this.set({
        demo: s.summary.demo,
        ready: true,
        cadre: cadre || { cadre_id: s.cadre, name: s.cadre, rank: '' },
        years,
        yearIndex: Math.max(0, years.indexOf(String(h.year))),
        year: h.year,
        rules: h.rules.map((r) => ({
          rule_id: r.rule_id,
          name: r.name,
          earned: fmt(r.earned_hours),
          required: r.required_hours,
          remaining: fmt(r.remaining_hours),
          days: r.required_days ? `，参训 ${fmt(r.earned_days, 0)} / ${r.required_days} 天` : '',
          met: r.met,
          pct: (r.progress * 100).toFixed(0),
          start: r.period_start,
          end: r.period_end,
        })),
      });
    },
    onYear(e) {
      this.year = Number(this.data.years[Number(e.detail.value)]);
      return this.redraw();
    },
    switchCadre() {
      wx.switchTab({ url: '/pages/profile/index' });
    },
  },
});
