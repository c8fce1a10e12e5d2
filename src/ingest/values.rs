//! Parsing of cell values: numbers, yes/no, dimension weights. Tolerant of
//! what office files contain (full-width digits, Chinese punctuation), strict
//! about meaning.

/// Folds full-width ASCII (`０-９`, `．`, `：` …) to ASCII, and the ideographic space to a space.
pub fn ascii_fold(s: &str) -> std::borrow::Cow<'_, str> {
    if s.is_ascii() {
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

pub fn parse_f64(s: &str) -> Option<f64> {
    let s = ascii_fold(s);
    let v: f64 = s.trim().parse().ok()?;
    v.is_finite().then_some(v)
}

pub fn parse_bool(s: &str) -> Option<bool> {
    match ascii_fold(s).trim().to_lowercase().as_str() {
        "是" | "true" | "1" | "yes" | "y" | "完成" | "已完成" | "通过" | "合格" => Some(true),
        "否" | "false" | "0" | "no" | "n" | "未完成" | "未通过" | "不合格" => Some(false),
        _ => None,
    }
}

/// Why a weights cell could not be read.
#[derive(Debug, PartialEq)]
pub enum WeightError {
    Empty,
    /// The item that is not `name:weight` with a positive number.
    BadItem(String),
    /// The weights are too large to add up (e.g. `1e308;1e308`).
    Overflow,
}

/// Parses `理想信念:0.6;党史国史:0.4` (also `；`, `,`, `，`, `、`, `|` as
/// separators, `：` or `=` before the weight, weights as `60%`). An item
/// without a weight counts as 1. Returns (name, weight) pairs, not yet
/// normalised; repeated names are summed.
pub fn parse_weights(s: &str) -> Result<Vec<(String, f64)>, WeightError> {
    let mut out: Vec<(String, f64)> = Vec::new();
    for item in s.split([';', '；', ',', '，', '、', '|']) {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let (name, w) = match item.split_once([':', '：', '=']) {
            Some((n, w)) => {
                let w = ascii_fold(w);
                let w = w.trim();
                let v = if let Some(p) = w.strip_suffix('%') { parse_f64(p).map(|v| v / 100.0) } else { parse_f64(w) };
                match v {
                    Some(v) if v > 0.0 => (n.trim(), v),
                    _ => return Err(WeightError::BadItem(item.to_string())),
                }
            }
            None => (item, 1.0),
        };
        if name.is_empty() {
            return Err(WeightError::BadItem(item.to_string()));
        }
        match out.iter_mut().find(|(n, _)| n == name) {
            Some(e) => e.1 += w,
            None => out.push((name.to_string(), w)),
        }
    }
    if out.is_empty() {
        return Err(WeightError::Empty);
    }
    // Normalising divides by the sum: it must be a finite positive number.
    if !out.iter().map(|(_, w)| w).sum::<f64>().is_finite() {
        return Err(WeightError::Overflow);
    }
    Ok(out)
}

/// Excel column letters for a 0-based index: 0 → A, 27 → AB.
pub fn column_letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn weights_and_values() {
        assert_eq!(parse_weights("理想信念:0.6;党史国史:0.4").unwrap(), vec![("理想信念".into(), 0.6), ("党史国史".into(), 0.4)]);
        assert_eq!(parse_weights("理想信念：60%，党史国史：40%").unwrap(), vec![("理想信念".into(), 0.6), ("党史国史".into(), 0.4)]);
        assert_eq!(parse_weights("理想信念").unwrap(), vec![("理想信念".into(), 1.0)]);
        assert_eq!(parse_weights("理想信念:abc"), Err(WeightError::BadItem("理想信念:abc".into())));
        assert_eq!(parse_weights("理想信念:-1"), Err(WeightError::BadItem("理想信念:-1".into())));
        assert_eq!(parse_weights(" ; "), Err(WeightError::Empty));
        assert_eq!(parse_weights("理想信念:1e308;党史国史:1e308"), Err(WeightError::Overflow));
        assert_eq!(parse_weights("理想信念:1e308;理想信念:1e308"), Err(WeightError::Overflow));
        assert_eq!(parse_weights("理想信念:1e309"), Err(WeightError::BadItem("理想信念:1e309".into())));
        assert_eq!(parse_f64("１２.５"), Some(12.5));
        assert_eq!(parse_f64("NaN"), None);
        assert_eq!(parse_bool("是"), Some(true));
        assert_eq!(parse_bool("FALSE"), Some(false));
        assert_eq!(parse_bool("也许"), None);
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(27), "AB");
    }
}
