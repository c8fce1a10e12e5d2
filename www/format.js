// Display helpers, shared by the web page (through ui.js) and the
// mini-program (lib/format.js, through the CommonJS copy
// scripts/build-miniprogram.mjs makes of this file, lib/numbers.js):
// rounding and text only, never a number of their own.

/** `x` with `d` decimals, or — when there is no value. */
export const fmt = (x, d = 1) => (x === null || x === undefined ? '—' : Number(x).toFixed(d));
/** A share (0–1) as a whole percent. */
export const pct = (x) => `${(x * 100).toFixed(0)}%`;
