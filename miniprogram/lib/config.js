// Settings of the mini-program face. No analytics or policy value lives here.
module.exports = {
  /**
   * The demo city generated at each launch while nothing is imported: `s`
   * (1,000 cadres, 32k records). Measured under Node in fresh processes
   * (benches/cold_bench.mjs, 2026-12-06): `s` instantiates, generates and
   * answers the first profile in ~100 ms with 3.3 MB of wasm memory; `m`
   * (20,000 cadres, 650k records; the CLI's and the web page's default) in
   * ~590 ms (520–780) with 54 MB. A 3 GB Android phone has the memory for
   * either, but runs wasm several times slower than a desktop core (and iOS
   * WeChat may not compile it at all): `m` would hold the loading mask for
   * seconds at every launch. A deployment for tablets or kiosks may set 'm'.
   */
  DEMO_SCALE: 's',
  /** The first base library that instantiates a brotli-compressed .wasm.br (WXWebAssembly itself: 2.13.0). */
  MIN_SDK: '2.14.0',
  /** The first base library whose Worker.postMessage carries ArrayBuffers (the imported files' bytes); below it the engine runs on the main thread. */
  WORKER_MIN_SDK: '2.20.2',
  /**
   * A worker silent this long while calls wait (no answer, no load progress)
   * is ended and the calls rejected: a worker that never started, or hangs.
   */
  WORKER_TIMEOUT_MS: 60000,
  /** Workers reclaimed by the system (onProcessKilled) in a row, each replaced and reloaded, before giving up. */
  KILL_RETRIES: 2,
  /** The demo city shown instead when the phone cannot keep DEMO_SCALE's worker alive (1,000 cadres); no fallback when DEMO_SCALE is it. */
  DEMO_FALLBACK_SCALE: 's',
  /** wx storage key of the demo scale this phone fell back to (a later launch starts with it). */
  DEMO_SCALE_KEY: 'zhichu.demoScale',
  /** The validation table shows at most this many rows (setData stays small). */
  MAX_ISSUE_ROWS: 200,
  /** Cadre search hits shown. */
  SEARCH_LIMIT: 20,
  /** Where imported files are kept, under wx.env.USER_DATA_PATH. */
  STORE_DIR: 'zhichu',
  /** The first base library whose wx.showModal has an input (`editable`); below it the 提取码 is typed into the page. */
  EDITABLE_MODAL_SDK: '2.17.1',
  /** Where the personal package (本人模式) is kept, under wx.env.USER_DATA_PATH. */
  PACKAGE_DIR: 'zhichu-package',
  /** wx storage key of the issuers' keys the user accepted (not in config/trusted-issuers.js). */
  ACCEPTED_ISSUERS_KEY: 'zhichu.acceptedIssuers',
  /** Extensions offered by the file picker (chat attachments). */
  EXTENSIONS: ['xlsx', 'xls', 'xlsb', 'ods', 'et', 'csv', 'tsv', 'txt', 'json'],
};
