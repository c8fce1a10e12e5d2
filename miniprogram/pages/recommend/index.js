// 推荐: courses that close the cadre's gaps, with the engine's reason and
// expected gain; tapping one draws the predicted radar (engine `simulate`).
const state = require('../../lib/state.js');
const view = require('../../lib/view.js');
const charts = require('../../lib/charts.js');
const { fmt, isDark, req } = require('../../lib/format.js');

Component({
  behaviors: [view],
  data: { ready: false, cadre: null, asOf: '', recs: [], selected: '', simNote: '', windowYears: '' },
  lifetimes: {
    created() {
      this.redrawOn = ['data', 'cadre', 'asOf', 'theme'];
    },
  },
  methods: {
    async draw(s) {
      if (!s.cadre) {
        await this.set({ demo: s.summary.demo, cadre: null, recs: [], ready: true });
        return;
      }
      const ask = req({ cadre: s.cadre, as_of: s.asOf });
      const [p, r] = await Promise.all([state.call('profile', ask), state.call('recommend', ask)]);
      this.profile = p;
      this.recs = r.recommendations;
      const keep = r.recommendations.some((x) => x.course_id === this.data.selected) ? this.data.selected : '';
      await this.set({
        demo: s.summary.demo,
        ready: true,
        cadre: p.cadre,
        asOf: p.as_of,
        windowYears: r.repeat_window_years,
        recs: r.recommendations.map((x) => ({
          course_id: x.course_id,
          title: x.title,
          hours: x.hours,
          mode: x.mode,
          rating: x.rating.mean === null ? '暂无评分' : `★${fmt(x.rating.mean)}（${x.rating.n} 人）`,
          reason: x.reason,
          gains: x.gains.map((g) => `${g.dimension} +${fmt(g.gain)}`).join('，') || '—',
        })),
      });
      await this.select(keep);
    },
    /** Shows the radar, with the predicted reserve after `course` when one is chosen. */
    async select(course) {
      let simulation = null;
      if (course) {
        const s = state.get();
        simulation = await state.call('simulate', req({ cadre: s.cadre, course, as_of: s.asOf }));
      }
      this.simulation = simulation;
      await this.set({ selected: course, simNote: simulation ? `绿色为学完「${simulation.title}」后的预测储备度。` : '' });
      this.chart('radar', charts.radarOption(this.profile, { simulation, dark: isDark(), compact: true }));
    },
    toggle(e) {
      const course = e.currentTarget.dataset.course;
      return this.queue(() => this.select(this.data.selected === course ? '' : course));
    },
    switchCadre() {
      wx.switchTab({ url: '/pages/profile/index' });
    },
  },
});
