// The mini-program Worker running the engine, so a large import never
// freezes the pages. Protocol: {id, method, args} → {id, result} | {id, error};
// load progress is posted as {progress: percent}.
const { createHost } = require('./host.js');
const { answer } = require('./rpc.js');

const host = createHost((pct) => worker.postMessage({ progress: pct }));

worker.onMessage((msg) => answer(msg, (method, args) => host.call(method, args), (m) => worker.postMessage(m)));
