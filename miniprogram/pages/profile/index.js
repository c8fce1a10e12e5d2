// 我的画像: find a cadre; the radar with post target and peer median; the
// numbers as a table; gaps ranked (by the engine) that open to the records
// behind them; the as-of date; the reserve over the years. In 本人模式 (a
// personal package) the package's cadre only: no search, the package's date.
const state = require('../../lib/state.js');
const view = require('../../lib/view.js');
const charts = require('../../lib/charts.js');
const config = require('../../lib/config.js');
const { fmt, isDark, req } = require('../../lib/format.js');

Component({
  behaviors: [view],
  data: { personal: null, query: '', hits: [], searched: false, cadre: null, asOf: '', asOfDefault: '', asOfChanged: false, rows: [], gaps: [], openGap: '', records: [], evidence: '' },
  lifetimes: {
    created() {
      this.redrawOn = ['data', 'cadre', 'asOf', 'theme'];
    },
  },
  methods: {
    async draw(s) {
      if (!s.cadre) {
        await this.set({ demo: s.summary.demo, personal: s.personal, cadre: null });
        return;
      }
      const p = await state.call('profile', req({ cadre: s.cadre, as_of: s.asOf }));
      this.profile = p;
      const byName = {};
      p.dimensions.forEach((d) => { byName[d.dimension] = d; });
      const openGap = p.gaps_ranked.indexOf(this.data.openGap) >= 0 ? this.data.openGap : '';
      await this.set({
        demo: s.summary.demo,
        personal: s.personal,
        cadre: p.cadre,
        asOf: p.as_of,
        asOfDefault: s.summary.as_of,
        asOfChanged: p.as_of !== s.summary.as_of,
        rows: p.dimensions.map((d) => ({ dimension: d.dimension, reserve: fmt(d.reserve), target: fmt(d.target, 0), gap: fmt(d.gap), percentile: fmt(d.percentile, 0), median: fmt(d.peer_median) })),
        gaps: p.gaps_ranked.map((name) => ({ dimension: name, reserve: fmt(byName[name].reserve), target: fmt(byName[name].target, 0), gap: fmt(byName[name].gap) })),
      });
      await this.showRecords(openGap);
      const dark = isDark();
      this.chart('radar', charts.radarOption(p, { dark, compact: true }));
      this.chart('trend', charts.trendOption(p, { dark }));
    },
    /** Opens one gap's records (only that dimension's records reach the view). */
    showRecords(dim) {
      const d = dim && this.profile ? this.profile.dimensions.find((x) => x.dimension === dim) : null;
      return this.set({
        openGap: d ? dim : '',
        evidence: d ? fmt(d.evidence, 2) : '',
        records: d ? d.contributions.map((c, i) => ({ key: `${i}`, date: c.date, title: c.title, hours: c.hours, weight: fmt(c.weight, 2), credit: fmt(c.credit, 2), decay: fmt(c.decay, 3), contribution: fmt(c.contribution, 2) })) : [],
      });
    },
    toggleGap(e) {
      const dim = e.currentTarget.dataset.dim;
      return this.queue(() => this.showRecords(this.data.openGap === dim ? '' : dim));
    },
    // (An input handler's return value would replace the typed text: return nothing.)
    onSearch(e) {
      const query = (e.detail.value || '').trim();
      this.setData({ query });
      const seq = (this.searchSeq = (this.searchSeq || 0) + 1);
      this.queue(async () => {
        if (seq !== this.searchSeq) return; // a newer keystroke follows
        if (!query) {
          await this.set({ hits: [], searched: false });
          return;
        }
        const hits = await state.call('cadres', { query, limit: config.SEARCH_LIMIT });
        await this.set({ hits: hits.map((h) => ({ cadre_id: h.cadre_id, name: h.name, unit_name: h.unit_name, rank: h.rank })), searched: true });
      });
    },
    pick(e) {
      this.setData({ hits: [], query: '', searched: false, openGap: '' });
      state.setCadre(e.currentTarget.dataset.cadre);
    },
    onAsOf(e) {
      state.setAsOf(e.detail.value);
    },
    resetAsOf() {
      state.setAsOf('');
    },
    openArchive() {
      wx.navigateTo({ url: `/packageCadre/pages/archive/index?cadre=${encodeURIComponent(state.get().cadre)}` });
    },
  },
});
