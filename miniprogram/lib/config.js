// Settings of the mini-program face. No analytics or policy value lives here.
module.exports = {
  /**
   * The demo city shown while nothing is imported: `s` (1,000 cadres). The
   * web page defaults to `m` (20,000 cadres, 650k records), too heavy for a
   * phone's memory and patience; both come from the same seeded generator.
   */
  DEMO_SCALE: 's',
  /** The first base library whose Worker.postMessage carries ArrayBuffers (the imported files' bytes). */
  WORKER_MIN_SDK: '2.20.2',
  /** The validation table shows at most this many rows (setData stays small). */
  MAX_ISSUE_ROWS: 200,
  /** Cadre search hits shown. */
  SEARCH_LIMIT: 20,
  /** Where imported files are kept, under wx.env.USER_DATA_PATH. */
  STORE_DIR: 'zhichu',
  /** Extensions offered by the file picker (chat attachments). */
  EXTENSIONS: ['xlsx', 'xls', 'csv', 'json'],
};
