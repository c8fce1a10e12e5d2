// Display helpers: rounding and text only, never a number of their own.
// fmt and pct are the web page's (www/format.js; numbers.js is the build's copy).
const { fmt, pct } = require('./numbers.js');

/** Whether WeChat shows the dark theme (charts pick their palette from it). */
function isDark() {
  try {
    const info = wx.getAppBaseInfo ? wx.getAppBaseInfo() : wx.getSystemInfoSync();
    return info.theme === 'dark';
  } catch (e) {
    return false;
  }
}

/** A request object without empty optional fields (the engine rejects unknown ones and reads absent ones as defaults). */
function req(o) {
  const out = {};
  Object.keys(o).forEach((k) => {
    if (o[k] !== undefined && o[k] !== null && o[k] !== '') out[k] = o[k];
  });
  return out;
}

const message = (e) => (e && e.message ? e.message : String(e));

module.exports = { fmt, pct, isDark, req, message };
