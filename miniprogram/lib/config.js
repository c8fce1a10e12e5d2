// Settings of the mini-program face. No analytics or policy value lives here.
module.exports = {
  /**
   * The demo city shown while nothing is imported, the same as the CLI's and
   * the web page's default: `m` (20,000 cadres, 650k records; generated in
   * about 0.3 s and ~50 MB of wasm memory under Node). `s` (1,000 cadres)
   * is the lighter choice should an older phone struggle.
   */
  DEMO_SCALE: 'm',
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
  /** The demo city shown instead when the phone cannot keep DEMO_SCALE's worker alive (1,000 cadres). */
  DEMO_FALLBACK_SCALE: 's',
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
