// The page: tabs, and what happens when data arrive. Each view lives in its
// own module under views/ (干部画像, 数据, 单位, 规划, 分析, the kiosk); shared
// helpers in ui.js, chart options in charts.js (shared with the
// mini-program), the engine behind engine.js. No number is computed here.
import { rpc } from './engine.js';
import { state } from './state.js';
import { resizeCharts, showError } from './ui.js';
import { loadStored, setupData, resetGen } from './views/data.js';
import { selectCadre } from './views/profile.js';
import { resetUnit, showUnit } from './views/unit.js';
import { resetPlan } from './views/plan.js';
import { startKiosk } from './views/kiosk.js';

const params = new URLSearchParams(location.search);

function showTab(name) {
  for (const b of document.querySelectorAll('.tabbar button')) {
    b.setAttribute('aria-selected', String(b.dataset.tab === name));
    b.tabIndex = b.dataset.tab === name ? 0 : -1; // one tab stop for the tab list; arrows move within it
  }
  for (const s of document.querySelectorAll('.tab')) s.hidden = s.id !== `tab-${name}`;
  resizeCharts();
  if (state.personal) return; // 本人模式: the engine refuses the city's views; those tabs say so
  if (name === 'unit') showUnit().catch(showError);
  if (name === 'analysis') openAnalysis().catch(showError);
}

// 分析: its view (views/analysis.js) and the worker's analysis module are
// loaded the first time the tab is opened, so the first profile never waits
// for them; the other tabs keep answering meanwhile.
let analysisView = null;
let lastUnits = [];
async function openAnalysis() {
  if (!analysisView) {
    const view = await import('./views/analysis.js');
    if (!analysisView) {
      analysisView = view;
      if (state.summary) view.resetAnalysis(lastUnits, state.summary); // else onNewData will
    }
  }
  await analysisView.showAnalysis();
}
const tabButtons = [...document.querySelectorAll('.tabbar button')];
tabButtons.forEach((b) => b.addEventListener('click', () => showTab(b.dataset.tab)));
// The tab list as the ARIA pattern has it: ←/→ (and Home/End) select and focus the neighbouring tab.
document.querySelector('.tabbar [role=tablist]').addEventListener('keydown', (e) => {
  const i = tabButtons.indexOf(document.activeElement);
  if (i < 0) return;
  const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabButtons.length - 1 }[e.key];
  if (to === undefined) return;
  e.preventDefault();
  const b = tabButtons[(to + tabButtons.length) % tabButtons.length];
  showTab(b.dataset.tab);
  b.focus();
});

// Texts that quote a rule show the value the engine applies.
function showPolicy(policy) {
  const text = { repeat_window_years: String(policy.repeat_window_years), theory_share: `${Math.round(policy.theory_share * 100)}%` };
  for (const el of document.querySelectorAll('[data-policy]')) el.textContent = text[el.dataset.policy] ?? '';
}

/** New data (or the demo): the banner, policy texts and the unit lists follow. */
async function onNewData() {
  document.getElementById('demo-banner').hidden = !state.summary.demo;
  showPolicy(state.summary.policy);
  const units = await rpc('units');
  resetUnit(units, state.summary);
  lastUnits = units;
  resetGen(units);
  if (state.personal) return; // 本人模式: no planning or analysis (reset again when data replace the package)
  analysisView?.resetAnalysis(units, state.summary);
  await resetPlan(units);
}
setupData({ onNewData, showTab });

// The service worker is registered once the first view is up: its install step
// downloads the whole shell (the analysis module is several MB), which must not
// compete with the first profile.
const registerWorker = () => {
  if ('serviceWorker' in navigator && !params.has('nosw')) navigator.serviceWorker.register('sw.js').catch((e) => console.warn('service worker', e));
};
loadStored()
  .then(async () => {
    if (params.has('kiosk') && state.personal) throw new Error('本人模式（个人档案包）只含本人的数据，没有展示屏；请在「数据」页移除档案包');
    if (params.has('kiosk')) return startKiosk(params.has('manual') ? null : Math.max(50, Number(params.get('interval') || 12) * 1000));
    const m = location.hash.match(/cadre=([^&]+)/);
    const first = state.personal ? state.personal.cadre_id : m ? decodeURIComponent(m[1]) : (await rpc('cadres', { limit: 1 }))[0]?.cadre_id;
    if (first) await selectCadre(first);
  })
  .catch(showError)
  .finally(registerWorker);
