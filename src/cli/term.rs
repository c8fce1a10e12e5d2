//! What every terminal view shares: printing that cannot be hijacked by the
//! data, display widths of CJK text, padding, and the 0–100 bar.

use std::io::Write;

/// Text from the data made safe for a terminal: control characters (ANSI
/// escapes that clear the screen or retitle the window, carriage returns,
/// backspaces) and bidirectional overrides are shown as `\u{…}` escapes.
/// Tabs stay (the list views use them as separators).
pub fn clean(s: &str) -> String {
    let risky = |c: char| (c.is_control() && c != '\t' && c != '\n') || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if !s.chars().any(risky) {
        return s.to_string();
    }
    s.chars().map(|c| if risky(c) { c.escape_unicode().to_string() } else { c.to_string() }).collect()
}

/// Prints a line of a terminal view (see [`clean`]); a closed pipe ends quietly.
pub fn line(s: &str) {
    let _ = writeln!(std::io::stdout(), "{}", clean(s));
}

/// Prints part of a line of a terminal view.
pub fn part(s: &str) {
    let _ = write!(std::io::stdout(), "{}", clean(s));
}

/// `println!` for terminal views: the text is [`clean`]ed.
macro_rules! out {
    () => { $crate::cli::term::line("") };
    ($($t:tt)*) => { $crate::cli::term::line(&format!($($t)*)) };
}
/// `print!` for terminal views.
macro_rules! out_part {
    ($($t:tt)*) => { $crate::cli::term::part(&format!($($t)*)) };
}
pub(crate) use {out, out_part};

/// Display width in a terminal: CJK characters take two columns.
pub fn width(s: &str) -> usize {
    s.chars().map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 }).sum()
}

pub fn pad(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

const BAR: usize = 40;

/// A 0–100 bar, with `│` where the target is.
pub fn bar(value: f64, target: Option<f64>) -> String {
    let filled = ((value / 100.0) * BAR as f64).round().clamp(0.0, BAR as f64) as usize;
    let mark = target.map(|t| ((t / 100.0) * BAR as f64).round().clamp(0.0, BAR as f64 - 1.0) as usize);
    (0..BAR)
        .map(|i| {
            if Some(i) == mark {
                '│'
            } else if i < filled {
                '█'
            } else {
                '·'
            }
        })
        .collect()
}
