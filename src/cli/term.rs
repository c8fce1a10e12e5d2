//! What every terminal view shares: display widths of CJK text, padding, and
//! the 0–100 bar.

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
