// The analytics worker: owns the WebAssembly engine so that loading a city's
// data never freezes the page. Messages: {id, method, args} → {id, result} or
// {id, error}; load progress is posted as {progress: percent}.
import init, { Engine, demo_csv_files } from './pkg/zhichu.js';

let engine = null;
const ready = init();

const methods = {
  async demo(scale) {
    engine = Engine.demo(scale || 'm');
    return engine.summary();
  },
  async load(files) {
    const e = new Engine();
    for (const f of files) e.add_file(f.name, new Uint8Array(f.bytes));
    const report = e.load((pct) => postMessage({ progress: pct }));
    engine = e;
    return { report, summary: engine.summary() };
  },
  summary: () => engine.summary(),
  report: () => engine.report(),
  units: () => engine.units(),
  search: (q, limit) => engine.search_cadres(q || '', limit || 20),
  defaultAsOf: () => engine.default_as_of(),
  profile: (id, asOf) => engine.profile(id, asOf || undefined),
  recommend: (id, top, asOf) => engine.recommend(id, top || 5, asOf || undefined),
  simulate: (id, course, asOf) => engine.simulate(id, course, asOf || undefined),
  archive: (id) => engine.archive(id),
  hours: (id, year) => engine.hours(id, year),
  classes: () => engine.classes(),
  layout: (unit, years, sub, asOf) => engine.layout(unit, years || undefined, !!sub, asOf || undefined),
  cityRanking: (asOf) => engine.city_ranking(asOf || undefined),
  ratings: (by) => engine.ratings(by || 'course'),
  fairness: (unit, asOf) => engine.fairness(unit || '', asOf || undefined),
  compliance: (unit, year) => engine.compliance(unit || '', year),
  plan: (filters, params, asOf) => engine.plan(JSON.stringify(filters), JSON.stringify(params), asOf || undefined),
  assign: (cls, quota, cap, format, asOf) => engine.assign(cls, quota ?? undefined, cap ?? undefined, format || 'json', asOf || undefined),
  demoCsv: (scale) => demo_csv_files(scale || 's').map((f) => ({ name: f.name, bytes: f.bytes })),
};

onmessage = async (ev) => {
  const { id, method, args } = ev.data;
  try {
    await ready;
    if (!methods[method]) throw { code: 'bad_method', message: `unknown method ${method}` };
    if (!engine && !['demo', 'load', 'demoCsv'].includes(method)) throw { code: 'no_data', message: '尚未载入数据' };
    const result = await methods[method](...(args || []));
    postMessage({ id, result });
  } catch (e) {
    const error = e && typeof e === 'object' && 'message' in e ? { code: e.code || 'error', message: String(e.message) } : { code: 'error', message: String(e) };
    postMessage({ id, error });
  }
};
