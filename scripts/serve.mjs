// A static file server for www/ on localhost, with the right types for
// WebAssembly and the same Content-Security-Policy as the page. No
// dependencies. Usage: node scripts/serve.mjs [--port N] [--root DIR]
//
// It is what kiosks and intranet shares run, so no request can stop it: a
// path that does not decode (a malformed %-escape, a NUL byte) is answered
// 400, a path outside the root 403 (the root itself, or below it: a sibling
// folder whose name starts with the root's is outside), a missing file 404;
// every answer, error or not, carries the same security headers.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const root = path.resolve(opt('--root', new URL('../www', import.meta.url).pathname));
let port = Number(opt('--port', process.env.PORT || 8080));
const host = '127.0.0.1';
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm', '.json': 'application/json', '.webmanifest': 'application/manifest+json', '.svg': 'image/svg+xml', '.png': 'image/png' };
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'none'; frame-ancestors 'none'";
/** Sent with every response, whatever its status. */
export const SECURITY_HEADERS = { 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'X-Frame-Options': 'DENY' };
const REASON = { 400: 'bad request', 403: 'forbidden', 404: 'not found', 405: 'method not allowed', 500: 'server error' };

/** The file a URL path names under `dir`, or an HTTP status: 400 undecodable, 403 outside `dir`. */
export function resolvePath(dir, urlPath) {
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(urlPath, 'http://localhost').pathname);
  } catch {
    return 400; // malformed %-escape, or not a URL path at all
  }
  if (pathname.includes('\0')) return 400;
  const file = path.join(dir, pathname);
  // Inside means the root itself or below it: `dir + sep` keeps out
  // siblings that only share the name's start (www-secret/ next to www/).
  if (file !== dir && !file.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep)) return 403;
  return file;
}

export function createServer(dir = root) {
  dir = path.resolve(dir);
  const fail = (res, status) => {
    if (res.headersSent) { res.destroy(); return; }
    res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }).end(REASON[status] || 'error');
  };
  const server = http.createServer((req, res) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') { res.setHeader('Allow', 'GET, HEAD'); fail(res, 405); return; }
      let file = resolvePath(dir, req.url);
      if (typeof file === 'number') { fail(res, file); return; }
      let stat = null;
      try { stat = fs.statSync(file); } catch { /* missing: 404 below */ }
      if (file.endsWith(path.sep) || (stat && stat.isDirectory())) file = path.join(file, 'index.html');
      fs.readFile(file, (err, body) => {
        if (err) { fail(res, 404); return; }
        // Revalidated on every use (no-cache), answered 304 while unchanged: the
        // browser keeps its cached copy, and with it the compiled wasm it
        // stores beside a module (a 200 would replace the entry and lose it).
        const st = fs.statSync(file);
        const etag = `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
        const headers = { ...SECURITY_HEADERS, 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-cache', ETag: etag };
        if (req.headers['if-none-match'] === etag) { res.writeHead(304, headers).end(); return; }
        res.writeHead(200, headers);
        res.end(req.method === 'HEAD' ? undefined : body);
      });
    } catch (e) {
      console.error('serve:', e);
      fail(res, 500);
    }
  });
  // A request Node cannot even parse (a raw NUL or a space in the path, a
  // broken header) gets a 400 with the same headers, then the socket closes.
  server.on('clientError', (err, socket) => {
    if (!socket.writable || err.code === 'ECONNRESET') { socket.destroy(); return; }
    const head = Object.entries({ ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': '11', Connection: 'close' })
      .map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.end(`HTTP/1.1 400 Bad Request\r\n${head}\r\nbad request`);
  });
  return server;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = createServer();
  const listen = () => server.listen(port, host, () => console.log(`知储 is running on the demo city: http://${host}:${server.address().port}/  (Ctrl+C to stop)`));
  server.on('error', (e) => {
    if (e.code === 'EADDRINUSE' && port < 8100) { port += 1; listen(); } else throw e;
  });
  listen();
}
