// 数据: import files sent in a chat, the validation report a clerk can act
// on (file, row, column with the Excel cell, value, problem), the files kept
// on this phone, and 清除全部数据.
const state = require('../../lib/state.js');
const view = require('../../lib/view.js');
const config = require('../../lib/config.js');

Component({
  behaviors: [view],
  data: { s: {}, loaded: '', files: [], issues: [], issuesTotal: 0, issuesMore: false, rejected: [], rejectedText: '', busy: false, progress: null },
  lifetimes: {
    created() {
      this.redrawOn = ['data'];
    },
    attached() {
      this._offProgress = state.subscribe((kind, s) => {
        if (kind === 'progress' || kind === 'loading') this.setData({ progress: s.progress === null ? null : Math.round(s.progress), busy: s.loading });
      });
    },
    detached() {
      if (this._offProgress) this._offProgress();
    },
  },
  methods: {
    async draw(s) {
      const sum = s.summary;
      const r = s.report;
      const all = r ? r.errors.map((e) => Object.assign({ level: '错误' }, e)).concat(r.warnings.map((w) => Object.assign({ level: '提示' }, w))) : [];
      const shown = all.slice(0, config.MAX_ISSUE_ROWS);
      await this.set({
        demo: sum.demo,
        s: { units: sum.units, cadres: sum.cadres, courses: sum.courses, classes: sum.classes, records: sum.records, ratings: sum.ratings, latest: sum.latest_date || '—' },
        loaded: r ? Object.keys(r.loaded).map((t) => `${t} ${r.loaded[t]}`).join('，') : '',
        files: state.keptFiles(),
        issues: shown.map((e, i) => ({
          key: String(i),
          level: e.level,
          file: e.sheet ? `${e.file} [${e.sheet}]` : e.file,
          row: e.row === undefined || e.row === null ? '' : String(e.row),
          column: e.column || '',
          cell: e.cell || '',
          value: e.value === undefined || e.value === null ? '' : String(e.value),
          message: e.message,
        })),
        issuesTotal: all.length,
        issuesMore: all.length > shown.length,
        rejected: s.rejected,
        rejectedText: s.rejected.join('、'),
      });
    },
    chooseFiles() {
      return new Promise((resolve) => {
        wx.chooseMessageFile({
          count: 20,
          type: 'file',
          extension: config.EXTENSIONS,
          success: (res) => resolve(this.queue(() => this.importChosen(res.tempFiles.map((f) => ({ name: f.name, path: f.path }))))),
          fail: () => resolve(null), // cancelled
        });
      });
    },
    async importChosen(files) {
      // A usable file with the name of a kept one replaces it only when the user says so.
      const confirmReplace = (names) => new Promise((resolve) => {
        wx.showModal({
          title: '替换已保存的文件',
          content: `「${names.join('」「')}」已保存在本机。用新文件替换吗？选「取消」则保留原文件。`,
          confirmText: '替换',
          success: (res) => resolve(!!res.confirm),
          fail: () => resolve(false),
        });
      });
      const out = await state.importFiles(files, confirmReplace);
      const n = out.report.errors.length;
      const title = out.rejected.length ? '有文件无法使用，未保存' : out.declined.length ? '已保留原有的同名文件' : n ? `已导入，发现 ${n} 处问题` : '已导入，没有发现问题';
      wx.showToast({ title, icon: 'none' });
    },
    removeFile(e) {
      const name = e.currentTarget.dataset.name;
      return this.queue(() => state.removeFile(name));
    },
    clearAll() {
      return new Promise((resolve) => {
        wx.showModal({
          title: '清除全部数据',
          content: '确定删除本机保存的全部导入文件？之后显示演示数据。',
          confirmText: '清除',
          confirmColor: '#fa5151',
          success: (res) => {
            if (!res.confirm) return resolve();
            return resolve(this.queue(async () => {
              await state.clearAll();
              wx.showToast({ title: '已清除，显示演示数据', icon: 'none' });
            }));
          },
        });
      });
    },
  },
});
