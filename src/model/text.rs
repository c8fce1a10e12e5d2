//! Text as people type it: full-width forms folded to ASCII (numbers, dates
//! and ids may be typed with a Chinese input method).

/// Folds full-width ASCII (`０-９`, `．`, `：` …) to ASCII, and the ideographic space to a space.
pub fn ascii_fold(s: &str) -> std::borrow::Cow<'_, str> {
    // Full-width forms are U+FF01–U+FF5E (EF BC 81 – EF BD 9E in UTF-8), the ideographic space U+3000 (E3 80 80).
    if !s.bytes().any(|b| b == 0xEF || b == 0xE3) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.chars()
            .map(|c| match c {
                '\u{3000}' => ' ',
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                c => c,
            })
            .collect(),
    )
}
