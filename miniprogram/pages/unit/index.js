// 单位: a trainer's summary. For a unit: its weak points, 学时 per dimension
// per year (heatmap) and the layout table; for the whole city: units ranked
// per dimension. For both: 学时 compliance by rule. Numbers are the engine's.
// In 本人模式 (a personal package holds one cadre's data) it shows nothing.
const state = require('../../lib/state.js');
const view = require('../../lib/view.js');
const charts = require('../../lib/charts.js');
const { fmt, pct, isDark } = require('../../lib/format.js');

/** Units as a tree walk (parents first, indented), after 全市. */
function unitList(units) {
  const byParent = {};
  units.forEach((u) => {
    const k = u.parent_id || '';
    (byParent[k] = byParent[k] || []).push(u);
  });
  const out = [{ unit_id: '', label: '全市' }];
  const walk = (pid, depth) => (byParent[pid] || []).forEach((u) => {
    out.push({ unit_id: u.unit_id, label: `${'　'.repeat(depth)}${u.name}（${u.cadres}人）`, name: u.name });
    walk(u.unit_id, depth + 1);
  });
  walk('', 0);
  return out;
}

Component({
  behaviors: [view],
  data: { personal: false, cityHeight: '520px', unitNames: [], unitIndex: 0, unitLabel: '全市', years: [], yearIndex: 0, year: '', comp: null, layout: null, city: null },
  lifetimes: {
    created() {
      this.redrawOn = ['data', 'theme'];
      this.unit = '';
      this.year = null;
    },
  },
  methods: {
    async draw(s) {
      if (s.personal) {
        this.version = null;
        await this.set({ demo: false, personal: true, comp: null, layout: null, city: null });
        return;
      }
      if (this.version !== s.version) {
        this.version = s.version;
        this.units = unitList(await state.call('units'));
        if (!this.units.some((u) => u.unit_id === this.unit)) this.unit = '';
        this.year = null;
      }
      const years = s.summary.years.map(String);
      const c = await state.call('compliance', this.year ? { unit: this.unit, year: this.year } : { unit: this.unit });
      const unitIndex = Math.max(0, this.units.findIndex((u) => u.unit_id === this.unit));
      const data = {
        demo: s.summary.demo,
        personal: false,
        unitNames: this.units.map((u) => u.label),
        unitIndex,
        unitLabel: this.unit ? this.units[unitIndex].name : '全市',
        years,
        yearIndex: Math.max(0, years.indexOf(String(c.year))),
        year: c.year,
        comp: {
          year: c.year,
          compliant: c.compliant,
          cadres: c.cadres,
          rate: pct(c.rate),
          rules: c.by_rule.filter((r) => r.applicable > 0).map((r) => ({ rule_id: r.rule_id, name: r.name, met: r.met, applicable: r.applicable, rate: pct(r.rate), width: (r.rate * 100).toFixed(1), full: r.met === r.applicable })),
          theoryMin: pct(c.theory_share_min),
          below: c.classes_below_theory_share.length,
          checked: c.classes_checked,
        },
      };
      const dark = isDark();
      if (this.unit) {
        const l = await state.call('layout', { unit: this.unit });
        data.city = null;
        data.layout = {
          weak: l.weak_points,
          compared: l.compared_with === 'city' ? '全市' : `上级单位（${(this.units.find((u) => u.unit_id === l.compared_with) || {}).name || l.compared_with}）`,
          cadres: l.cadres,
          asOf: l.as_of,
          coverageYears: l.coverage_years,
          yearsText: `${l.years[0]}–${l.years[l.years.length - 1]} 年`,
          rows: l.dimensions.map((d) => ({ dimension: d.dimension, mean: fmt(d.mean_reserve), compare: fmt(d.compare_mean_reserve), coverage: pct(d.coverage), short: d.cadres_short, shortfall: fmt(d.mean_shortfall) })),
        };
        await this.set(data);
        this.chart('heatmap', charts.layoutHeatmapOption(l, { dark, compact: true }));
      } else {
        const r = await state.call('city_ranking', {});
        data.layout = null;
        // One row per top-level unit (16 px each) above the dimension names and the colour scale.
        data.cityHeight = `${(r[0] ? r[0][1].length : 0) * 16 + 190}px`;
        data.city = r.map(([dim, us]) => ({
          dimension: dim,
          top: us.length ? `${us[0].unit_name} ${fmt(us[0].mean_reserve)}` : '—',
          bottom: us.length ? `${us[us.length - 1].unit_name} ${fmt(us[us.length - 1].mean_reserve)}` : '—',
        }));
        await this.set(data);
        this.chart('city', charts.cityHeatmapOption(r, { dark, compact: true }));
      }
    },
    onUnit(e) {
      this.unit = this.units[Number(e.detail.value)].unit_id;
      return this.redraw();
    },
    onYear(e) {
      this.year = Number(this.data.years[Number(e.detail.value)]);
      return this.redraw();
    },
  },
});
