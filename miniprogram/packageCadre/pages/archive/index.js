// 电子档案: every record of the cadre, sortable. Reached from 我的画像.
const state = require('../../../lib/state.js');
const view = require('../../../lib/view.js');
const { fmt } = require('../../../lib/format.js');

const SORTS = [
  { name: '日期（新→旧）', key: 'date', dir: -1 },
  { name: '日期（旧→新）', key: 'date', dir: 1 },
  { name: '学时（多→少）', key: 'hours', dir: -1 },
  { name: '成绩（高→低）', key: 'score', dir: -1 },
];

Component({
  behaviors: [view],
  data: { ready: false, cadre: null, entries: [], total: 0, completed: 0, sortNames: SORTS.map((s) => s.name), sortIndex: 0 },
  lifetimes: {
    created() {
      this.redrawOn = ['data', 'cadre'];
    },
  },
  methods: {
    onLoad(query) {
      if (query && query.cadre && query.cadre !== state.get().cadre) state.setCadre(decodeURIComponent(query.cadre));
    },
    async draw(s) {
      if (!s.cadre) {
        await this.set({ ready: true, cadre: null, entries: [] });
        return;
      }
      const [hits, archive] = await Promise.all([state.call('cadres', { query: s.cadre, limit: 20 }), state.call('archive', { cadre: s.cadre })]);
      this.archive = archive;
      const cadre = hits.find((c) => c.cadre_id === s.cadre) || { cadre_id: s.cadre, name: s.cadre, unit_name: '' };
      await this.set({ demo: s.summary.demo, ready: true, cadre, total: archive.length, completed: archive.filter((a) => a.completed).length });
      await this.showSorted();
    },
    showSorted() {
      const { key, dir } = SORTS[this.data.sortIndex];
      const rows = this.archive.slice().sort((a, b) => {
        const x = a[key] === null || a[key] === undefined ? -Infinity : a[key];
        const y = b[key] === null || b[key] === undefined ? -Infinity : b[key];
        return (x < y ? -1 : x > y ? 1 : 0) * dir;
      });
      return this.set({
        entries: rows.map((r, i) => ({
          key: String(i),
          date: r.date,
          title: r.title,
          className: r.class_name || '自主选学',
          mode: r.mode,
          hours: r.hours,
          score: r.score === null || r.score === undefined ? '—' : r.score,
          completed: r.completed,
          dims: r.dimensions.map((d) => `${d[0]} ${fmt(d[1], 2)}`).join('，'),
        })),
      });
    },
    onSort(e) {
      this.setData({ sortIndex: Number(e.detail.value) });
      return this.queue(() => this.showSorted());
    },
  },
});
