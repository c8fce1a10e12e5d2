// 数据: import files sent in a chat, the validation report a clerk can act
// on (file, row, column with the Excel cell, value, problem), the files kept
// on this phone, and 清除全部数据. 打开个人档案包: a package sent in a chat,
// its signer's fingerprint, the 提取码, then 本人模式 (lib/state.js decides).
// A file or package that could not be kept (storage full) is said so here.
const state = require('../../lib/state.js');
const view = require('../../lib/view.js');
const config = require('../../lib/config.js');
const engine = require('../../lib/engine.js');

Component({
  behaviors: [view],
  data: { s: {}, loaded: '', files: [], issues: [], issuesTotal: 0, issuesMore: false, rejected: [], rejectedText: '', saveError: '', busy: false, progress: null, pkg: null, packageError: '', pending: '', askingCode: false, codeInput: '' },
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
        saveError: s.saveError,
        pkg: s.personal,
        packageError: s.packageError,
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
      const n = out.report ? out.report.errors.length : 0;
      const title = out.saveCode ? (out.saveCode === 'storage_full' ? '存储空间不足，未保存' : '保存失败，未保存') : out.rejected.length ? '有文件无法使用，未保存' : out.declined.length ? '已保留原有的同名文件' : n ? `已导入，发现 ${n} 处问题` : '已导入，没有发现问题';
      wx.showToast({ title, icon: 'none' });
    },
    choosePackage() {
      return new Promise((resolve) => {
        wx.chooseMessageFile({
          count: 1,
          type: 'file',
          extension: ['zcpk'],
          success: (res) => resolve(this.queue(() => this.openChosen({ name: res.tempFiles[0].name, path: res.tempFiles[0].path }))),
          fail: () => resolve(null), // cancelled
        });
      });
    },
    async openChosen(file) {
      const ask = (o) => new Promise((resolve) => {
        wx.showModal(Object.assign({}, o, { success: (res) => resolve(res), fail: () => resolve({ confirm: false }) }));
      });
      const ui = {
        confirmIssuer: async (h) => (await ask({
          title: '未知的签发单位',
          content: `此档案包的签发公钥不在本小程序的受信任名单中。公钥指纹：${h.fingerprint}。请与组织部门通知中的指纹核对，一致才打开。`,
          confirmText: '仍要打开',
          confirmColor: '#fa5151',
        })).confirm,
        askCode: async (h) => {
          await this.set({ pending: h.fingerprint });
          if (!engine.versionAtLeast(engine.sdkVersion(), config.EDITABLE_MODAL_SDK)) {
            // No input in a modal before 2.17.1: typed into the page (codeOk / codeCancel answer).
            return new Promise((resolve) => {
              this._codeAnswer = resolve;
              this.setData({ askingCode: true, codeInput: '' });
            });
          }
          const res = await ask({ title: '输入提取码', editable: true, placeholderText: '提取码，如 K7QH-2M9X-PD4R', content: '', confirmText: '打开' });
          return res.confirm ? String(res.content || '').trim() : null;
        },
        confirmReplace: async (why, info, kept) => (await ask({
          title: '替换本机的档案包',
          content: why === 'other_cadre'
            ? `本机已保存 ${kept.cadre_id} 的档案包，新档案包属于 ${info.cadre_id}。替换吗？`
            : `新档案包（${info.issued} 签发，截至 ${info.as_of}）比本机保存的（${kept.issued} 签发，截至 ${kept.as_of}）旧。仍要替换吗？`,
          confirmText: '替换',
        })).confirm,
      };
      await this.set({ packageError: '' });
      let out;
      try {
        out = await state.openPackage(file, ui);
      } catch (e) {
        await this.set({ pending: '', packageError: e && e.message ? e.message : String(e) });
        wx.showToast({ title: '档案包未打开', icon: 'none' });
        return;
      }
      await this.set({ pending: '' });
      wx.showToast({ title: out.opened ? '已打开个人档案包' : out.reason === 'not_saved' ? '档案包未保存' : '档案包未打开', icon: 'none' });
    },
    // The in-page 提取码 (not queued: the opening waits for it).
    onCodeInput(e) {
      this.setData({ codeInput: e.detail.value || '' });
    },
    codeOk() {
      this.answerCode(this.data.codeInput.trim());
    },
    codeCancel() {
      this.answerCode(null);
    },
    answerCode(v) {
      const answer = this._codeAnswer;
      this._codeAnswer = null;
      this.setData({ askingCode: false, codeInput: '' });
      if (answer) answer(v);
    },
    removeFile(e) {
      const name = e.currentTarget.dataset.name;
      return this.queue(() => state.removeFile(name));
    },
    clearAll() {
      return new Promise((resolve) => {
        wx.showModal({
          title: '清除全部数据',
          content: '确定删除本机保存的全部导入文件和个人档案包？之后显示演示数据。',
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
