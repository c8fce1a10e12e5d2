// The analytics worker: owns the WebAssembly engine so that loading a city's
// data never freezes the page. Messages: {id, method, args} → {id, result} or
// {id, error}; load progress is posted as {progress: percent}. For a
// question, args is [request] (and for assign, [request, format]).
import init, { Engine, demo_csv_files, template_xlsx } from './pkg/zhichu.js';

let engine = null;
const ready = init();

// Loading and the demo make a new engine; every other message is one of the
// engine's questions, called with its request object (see src/wasm.rs).
// The engine being replaced is freed at once (its dataset lives in wasm memory,
// which the garbage collector cannot see).
function replace(next) {
  if (engine && engine !== next) engine.free();
  engine = next;
}
const make = {
  async demo(scale) {
    replace(Engine.demo(scale || 'm'));
    return engine.summary();
  },
  async load(files) {
    const e = new Engine();
    for (const f of files) e.add_file(f.name, new Uint8Array(f.bytes));
    const report = e.load((pct) => postMessage({ progress: pct }));
    replace(e);
    return { report, summary: engine.summary() };
  },
  template: () => template_xlsx(),
  demoCsv: (scale) => demo_csv_files(scale || 's').map((f) => ({ name: f.name, bytes: f.bytes })),
};
const questions = new Set(['summary', 'report', 'units', 'cadres', 'prepare', 'profile', 'recommend', 'simulate', 'archive', 'hours',
  'layout', 'city_ranking', 'ratings', 'fairness', 'compliance', 'classes', 'plan', 'assign', 'export_xlsx']);

onmessage = async (ev) => {
  const { id, method, args } = ev.data;
  try {
    await ready;
    let result;
    if (make[method]) result = await make[method](...(args || []));
    else if (!questions.has(method)) throw { code: 'bad_method', message: `unknown method ${method}` };
    else if (!engine) throw { code: 'no_data', message: '尚未载入数据' };
    else result = engine[method](...(args || []));
    postMessage({ id, result });
  } catch (e) {
    // A trap in the module (a Rust panic or abort) is not one of the engine's
    // errors: say so, in words, and let the page name what it was doing.
    const error = e instanceof WebAssembly.RuntimeError ? { code: 'engine_crash', message: `分析引擎内部错误（${e.message}）` }
      : e && typeof e === 'object' && 'message' in e ? { code: e.code || 'error', message: String(e.message) } : { code: 'error', message: String(e) };
    postMessage({ id, error });
  }
};
