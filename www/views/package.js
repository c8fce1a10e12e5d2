// 个人档案包 (personal packages) on the page: recognising one, the trusted
// issuers, and the two dialogs (the 提取码; an untrusted signer). Opening is
// the engine's (package_header, Engine.open_package in the worker).
import { $, esc } from '../ui.js';

/** A personal package starts with the magic bytes ZCPK, whatever the file is called. */
export const isPackage = (bytes) => bytes.length >= 4 && bytes[0] === 0x5a && bytes[1] === 0x43 && bytes[2] === 0x50 && bytes[3] === 0x4b;

/** "由 某市委组织部 签发 · 2026-12-01 · 公钥指纹 3f2a 9c01 …" */
export const issuerLine = (m) => `由 ${m.issuer} 签发 · ${m.issued} · 公钥指纹 ${m.fingerprint}`;

// Trusted issuers: www/trusted-issuers.json, a list of {name, fingerprint}
// (the fingerprint as `zhichu keygen` prints it, "3f2a 9c01 …"; spaces and
// case do not matter). It ships empty: a deployment lists its organisation
// department(s) there, and their packages open without a warning. A package
// signed by any other key opens only after a warning that shows its
// fingerprint (to compare with the department's notice); accepting it is
// remembered for that key in this browser (localStorage, below).
const REMEMBERED = 'zhichu-trusted-keys';
const norm = (fp) => String(fp || '').replace(/\s+/g, '').toLowerCase();
let listed = null;
async function trustedList() {
  if (!listed) {
    try {
      const res = await fetch('trusted-issuers.json', { cache: 'no-cache' });
      const list = res.ok ? await res.json() : [];
      listed = Array.isArray(list) ? list.filter((x) => x && x.fingerprint) : [];
    } catch (e) {
      console.warn('trusted-issuers.json', e);
      listed = [];
    }
  }
  return listed;
}
function remembered() {
  try {
    const v = JSON.parse(localStorage.getItem(REMEMBERED) || '[]');
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}

/** Forgets the keys accepted in this browser (清除全部数据: a fresh start, as in the mini-program). */
export function forgetTrusted() {
  localStorage.removeItem(REMEMBERED);
}

/** Whether to open a package signed by `head` ({fingerprint}): trusted, remembered, or accepted now (then remembered). */
export async function trusts(head) {
  const fp = norm(head.fingerprint);
  const known = (await trustedList()).find((x) => norm(x.fingerprint) === fp);
  if (known || remembered().includes(fp)) return true;
  $('#trust-about').innerHTML = `<p>这个个人档案包的签名完好，但签名所用的密钥不在本应用的信任名单中。请与签发单位通知中的公钥指纹逐位核对，一致时才打开：</p>
    <p class="fingerprint" data-testid="trust-fingerprint">公钥指纹 ${esc(head.fingerprint)}</p>
    <p class="muted">选择信任后，本浏览器记住此密钥，以后不再询问。</p>`;
  const ok = await modal($('#trust-dialog'), $('#trust-ok'), $('#trust-cancel'));
  if (ok) localStorage.setItem(REMEMBERED, JSON.stringify([...remembered(), fp]));
  return ok;
}

/** Shows a modal dialog; resolves true on `ok`, false on `cancel` or Esc. */
function modal(dialog, ok, cancel) {
  return new Promise((resolve) => {
    const done = (v) => {
      ok.removeEventListener('click', yes);
      cancel.removeEventListener('click', no);
      dialog.removeEventListener('cancel', no);
      if (dialog.open) dialog.close();
      resolve(v);
    };
    const yes = () => done(true);
    const no = (e) => { e.preventDefault(); done(false); };
    ok.addEventListener('click', yes);
    cancel.addEventListener('click', no);
    dialog.addEventListener('cancel', no);
    dialog.showModal();
  });
}

// Errors that end the attempt (the file itself is bad); any other error of
// the opening (提取码不正确, a code that is no code) is shown in the dialog to try again.
const FATAL = new Set(['not_a_package', 'bad_signature', 'bad_package', 'engine_crash', 'restarted', 'unsupported_version']);

/**
 * Asks the 提取码 of package `name`; `attempt(code)` opens with it (rejects
 * with {code, message} if it cannot). Resolves to the code that opened it,
 * or null if cancelled; rejects with a fatal error of `attempt`.
 */
export function askCode(name, attempt) {
  const dialog = $('#code-dialog');
  const form = $('#code-form');
  const input = $('#code-input');
  const error = $('#code-error');
  $('#code-about').textContent = `个人档案包「${name}」已加密。请输入随档案包发放的提取码（12 位，如 K7QH-2M9X-PD4R，不区分大小写）。`;
  input.value = '';
  error.hidden = true;
  error.textContent = '';
  input.removeAttribute('aria-invalid');
  return new Promise((resolve, reject) => {
    let busy = false;
    const done = (fn, v) => {
      form.removeEventListener('submit', submit);
      $('#code-cancel').removeEventListener('click', cancel);
      dialog.removeEventListener('cancel', cancel);
      input.value = '';
      if (dialog.open) dialog.close();
      fn(v);
    };
    const cancel = (e) => { e.preventDefault(); if (!busy) done(resolve, null); };
    const submit = async (e) => {
      e.preventDefault();
      if (busy) return;
      busy = true;
      const code = input.value.trim();
      try {
        await attempt(code);
        busy = false;
        done(resolve, code);
      } catch (err) {
        busy = false;
        if (FATAL.has(err?.code)) { done(reject, err); return; }
        error.textContent = err?.message ?? String(err);
        error.hidden = false;
        input.setAttribute('aria-invalid', 'true');
        input.select();
        dialog.dataset.tries = String(Number(dialog.dataset.tries || 0) + 1);
      }
    };
    form.addEventListener('submit', submit);
    $('#code-cancel').addEventListener('click', cancel);
    dialog.addEventListener('cancel', cancel);
    dialog.showModal();
    input.focus();
  });
}
