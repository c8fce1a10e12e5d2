// The mini-program Worker running the engine, so a large import never
// freezes the pages. Protocol: {id, method, args} → {id, result} | {id, error};
// load progress is posted as {progress: percent}.
const { createHost } = require('./host.js');

const host = createHost((pct) => worker.postMessage({ progress: pct }));

worker.onMessage((msg) => {
  const { id, method, args } = msg;
  host.call(method, args).then(
    (result) => worker.postMessage({ id, result }),
    (error) => worker.postMessage({ id, error }),
  );
});
