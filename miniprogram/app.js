// 知储 Zhichu mini-program: every number comes from the Rust engine compiled
// to WebAssembly, running on the phone; imported files stay on the phone.
const state = require('./lib/state.js');
const engine = require('./lib/engine.js');
const config = require('./lib/config.js');

App({
  onLaunch() {
    if (typeof WXWebAssembly === 'undefined' || !engine.versionAtLeast(engine.sdkVersion(), config.MIN_SDK)) {
      wx.showModal({ title: '微信版本过低', content: `知储需要微信基础库 ${config.MIN_SDK} 或更高版本（WebAssembly），请升级微信后再打开。`, showCancel: false });
      return;
    }
    state.start().catch((e) => wx.showToast({ title: e.message || String(e), icon: 'none' }));
  },
});
