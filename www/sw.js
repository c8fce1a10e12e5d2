// Offline support: the app shell, the wasm engine (the lean module and the
// analysis module of 分析) and the chart library are cached on first visit and served from the cache afterwards (refreshed in the
// background when the network is there). Only same-origin requests exist.
const CACHE = 'zhichu-v7';
const SHELL = ['./', 'index.html', 'app.js', 'engine.js', 'rpc.js', 'state.js', 'ui.js', 'format.js', 'charts.js', 'worker.js', 'store.js', 'idb.js', 'style.css', 'icon.svg', 'manifest.webmanifest',
  'views/data.js', 'views/package.js', 'trusted-issuers.json', 'views/profile.js', 'views/unit.js', 'views/plan.js', 'views/kiosk.js', 'views/analysis.js',
  'pkg/zhichu.js', 'pkg/zhichu_bg.wasm', 'pkg/analysis/zhichu.js', 'pkg/analysis/zhichu_bg.wasm', 'vendor/echarts.min.js'];

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
  e.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || url.origin !== self.location.origin) return;
  const key = url.pathname.endsWith('/') ? new Request(url.origin + url.pathname) : e.request;
  e.respondWith(caches.open(CACHE).then(async (cache) => {
    const cached = await cache.match(key, { ignoreSearch: true });
    const fresh = fetch(e.request).then((res) => {
      if (res.ok) cache.put(key, res.clone());
      return res;
    }).catch(() => null);
    if (cached) {
      e.waitUntil(fresh);
      return cached;
    }
    return (await fresh) || new Response('离线且未缓存', { status: 503 });
  }));
});
