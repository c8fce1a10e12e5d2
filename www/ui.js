// What every view shares: DOM lookup, escaping, number formatting, the
// progress bar and toasts, and one chart per element (drawn with the options
// of charts.js, the module the mini-program uses too).
export const $ = (s) => document.querySelector(s);
export const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
export { fmt, pct } from './format.js';

/** 张三海 → 张*海, 李四 → 李*: the kiosk never shows a name in full. */
export function maskName(name) {
  const c = [...String(name)];
  if (c.length <= 1) return '*';
  if (c.length === 2) return `${c[0]}*`;
  return c[0] + '*'.repeat(c.length - 2) + c[c.length - 1];
}

export function setProgress(pct, text) {
  const el = $('#progress');
  if (pct === null) { el.hidden = true; return; }
  el.hidden = false;
  $('#progress-fill').style.width = `${pct}%`;
  el.querySelector('[role=progressbar]').setAttribute('aria-valuenow', String(pct));
  $('#progress-text').textContent = text || `正在载入… ${pct}%`;
}

let toastTimer;
export function toast(msg) {
  const t = $('#toast');
  t.textContent = msg;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 4000);
}

export function showError(e) {
  setProgress(null);
  toast(`出错了：${e && e.message ? e.message : e}`);
  console.error(e);
}

/** Hands bytes to the browser as a download named `name`. */
export function saveFile(bytes, name, type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet') {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([bytes], { type }));
  a.download = name;
  document.body.appendChild(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

const charts = {};
/** The ECharts instance of an element (made once). */
export function chart(id) {
  if (!charts[id]) charts[id] = echarts.init(document.getElementById(id), null, { renderer: 'canvas' });
  return charts[id];
}
export const resizeCharts = () => Object.values(charts).forEach((c) => c && c.resize());
window.addEventListener('resize', resizeCharts);
// Printing lays the page out again (two columns, smaller charts): redraw the charts to fit.
// `body[data-media]` says which layout the charts were last drawn for (tests wait on it).
window.matchMedia('print').addEventListener('change', (e) => {
  resizeCharts();
  document.body.dataset.media = e.matches ? 'print' : 'screen';
});
window.addEventListener('beforeprint', resizeCharts);
window.addEventListener('afterprint', resizeCharts);
