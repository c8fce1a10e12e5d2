// The static server (scripts/serve.mjs) run as its own process, as a kiosk or
// an intranet share runs it, on a temporary root with a sibling folder whose
// name starts with the root's. Bad requests are sent raw (node:net) so that
// nothing normalises them on the way; after them the same process must still
// answer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const SERVE = path.resolve(new URL('../../scripts/serve.mjs', import.meta.url).pathname);
let tmp, proc, port, exited = null;

async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const p = s.address().port;
  await new Promise((r) => s.close(r));
  return p;
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'zhichu-serve-'));
  fs.mkdirSync(path.join(tmp, 'www'));
  fs.writeFileSync(path.join(tmp, 'www', 'index.html'), '<!doctype html><title>ok</title>root index');
  fs.writeFileSync(path.join(tmp, 'www', 'app.js'), 'export const ok = 1;');
  fs.mkdirSync(path.join(tmp, 'www-secret'));
  fs.writeFileSync(path.join(tmp, 'www-secret', 'secret.txt'), 'TOP SECRET');
  fs.writeFileSync(path.join(tmp, 'outside.txt'), 'OUTSIDE');
  proc = spawn(process.execPath, [SERVE, '--root', path.join(tmp, 'www'), '--port', String(await freePort())], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.on('exit', (code, signal) => { exited = { code, signal }; });
  // Wait for the line that says where it listens.
  port = await new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d) => { out += d; const m = out.match(/127\.0\.0\.1:(\d+)/); if (m) resolve(Number(m[1])); });
    proc.on('exit', () => reject(new Error(`server exited before listening: ${out}`)));
  });
});

after(() => {
  if (!exited) proc.kill();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Sends `raw` as is and resolves to {status, headers, body} once the server closes the connection. */
function raw(request) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks = [];
    sock.on('data', (d) => chunks.push(d));
    sock.on('error', reject);
    sock.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const [head, ...rest] = text.split('\r\n\r\n');
      const lines = head.split('\r\n');
      const status = Number((lines[0].match(/^HTTP\/1\.[01] (\d{3})/) || [])[1]);
      const headers = Object.fromEntries(lines.slice(1).map((l) => { const i = l.indexOf(':'); return [l.slice(0, i).toLowerCase(), l.slice(i + 1).trim()]; }));
      resolve({ status, headers, body: rest.join('\r\n\r\n') });
    });
    sock.write(Buffer.isBuffer(request) ? request : Buffer.from(request, 'latin1'));
  });
}
const get = (target) => raw(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);

function assertSecure(res, what) {
  assert.match(res.headers['content-security-policy'] || '', /default-src 'self'/, `${what}: no CSP`);
  assert.match(res.headers['content-security-policy'], /frame-ancestors 'none'/, `${what}: CSP without frame-ancestors`);
  assert.equal(res.headers['x-content-type-options'], 'nosniff', `${what}: no nosniff`);
  assert.equal(res.headers['referrer-policy'], 'no-referrer', `${what}: no referrer policy`);
}

test('serves the root with the security headers', async () => {
  const res = await get('/');
  assert.equal(res.status, 200);
  assert.match(res.body, /root index/);
  assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
  assertSecure(res, '200');
  const js = await get('/app.js');
  assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
});

test('a malformed percent-escape or a NUL byte is a 400, and the server keeps answering', async () => {
  for (const target of ['/%E0%A4%A', '/%', '/%zz/index.html', '/%00', '/index.html%00.js', '/a%00b/index.html']) {
    const res = await get(target);
    assert.equal(res.status, 400, `${target}: ${res.status}`);
    assertSecure(res, target);
    assert.equal(exited, null, `the server exited after ${target}`);
    assert.equal((await get('/')).status, 200, `no answer after ${target}`);
  }
  // A raw NUL byte in the request line never reaches the handler: Node's parser refuses it.
  const res = await raw(Buffer.concat([Buffer.from('GET /index'), Buffer.from([0]), Buffer.from('.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')]));
  assert.equal(res.status, 400);
  assertSecure(res, 'raw NUL');
  assert.equal(exited, null);
  assert.equal((await get('/')).status, 200);
});

test('a sibling folder whose name starts with the root\'s is not served (403), nor anything above the root', async () => {
  for (const target of ['/..%2fwww-secret/secret.txt', '/..%2Fwww-secret%2Fsecret.txt', '/%2e%2e%2fwww-secret/secret.txt', '/..%2foutside.txt', '/..%2f..%2f..%2fetc%2fpasswd']) {
    const res = await get(target);
    assert.equal(res.status, 403, `${target}: ${res.status} ${res.body.slice(0, 40)}`);
    assert.doesNotMatch(res.body, /TOP SECRET|OUTSIDE|root:/);
    assertSecure(res, target);
  }
  // Dot segments that stay inside are fine.
  assert.equal((await get('/sub%2f..%2findex.html')).status, 200);
});

test('404 and 405 carry the same security headers', async () => {
  const missing = await get('/nothing-here.js');
  assert.equal(missing.status, 404);
  assertSecure(missing, '404');
  const post = await raw('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  assert.equal(post.status, 405);
  assertSecure(post, '405');
  const head = await raw('HEAD /app.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  assert.equal(exited, null);
});
