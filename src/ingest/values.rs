//! Parsing of cell values: numbers, yes/no, dimension weights. Tolerant of
//! what office files contain (full-width digits, Chinese punctuation), strict
//! about meaning.

pub use crate::model::text::ascii_fold;

pub fn parse_f64(s: &str) -> Option<f64> {
    if let Some(v) = plain_decimal(s) {
        return Some(v);
    }
    let s = ascii_fold(s);
    let v: f64 = s.trim().parse().ok()?;
    v.is_finite().then_some(v)
}

/// Digits with at most one point inside, 15 characters at most (`2`, `1.5`,
/// `85`): the value exactly as `str::parse` gives it, faster. The mantissa is
/// below 2^53 and the power of ten exact, so the one division is correctly
/// rounded, as parsing is.
fn plain_decimal(s: &str) -> Option<f64> {
    const POW10: [f64; 16] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
    let b = s.as_bytes();
    if b.is_empty() || b.len() > 15 || b[0] == b'.' || b[b.len() - 1] == b'.' {
        return None;
    }
    let (mut m, mut frac) = (0u64, None::<usize>);
    for &c in b {
        match c {
            b'0'..=b'9' => {
                m = m * 10 + (c - b'0') as u64;
                if let Some(k) = &mut frac {
                    *k += 1;
                }
            }
            b'.' if frac.is_none() => frac = Some(0),
            _ => return None,
        }
    }
    Some(m as f64 / POW10[frac.unwrap_or(0)])
}

pub fn parse_bool(s: &str) -> Option<bool> {
    let word = |w: &str| match w {
        "是" | "true" | "1" | "yes" | "y" | "完成" | "已完成" | "通过" | "合格" => Some(true),
        "否" | "false" | "0" | "no" | "n" | "未完成" | "未通过" | "不合格" => Some(false),
        _ => None,
    };
    // The usual cell is one of the words as it stands.
    if let Some(b) = word(s) {
        return Some(b);
    }
    let folded = ascii_fold(s);
    let t = folded.trim();
    // Every word is its own lower case: only another spelling needs lowering.
    word(t).or_else(|| word(&t.to_lowercase()))
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
    fn fast_paths_agree_with_the_slow_ones() {
        // Plain decimals: exactly what str::parse gives, over many digit strings.
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let digits = format!("{}", x % 10u64.pow((x % 15) as u32 + 1));
            let cut = (x >> 40) as usize % (digits.len() + 1);
            for s in [digits.clone(), format!("{}.{}", &digits[..cut.max(1).min(digits.len())], &digits[cut.max(1).min(digits.len())..]), format!("0.{digits}")]
            {
                let want = s.parse::<f64>().ok().filter(|v| v.is_finite());
                assert_eq!(parse_f64(&s).map(f64::to_bits), want.map(f64::to_bits), "{s}");
            }
        }
        for s in ["", ".", "1.", ".5", "1..2", "+1", "-1", "1e3", "０.５", " 2 ", "1234567890123456", "0.1234567890123456789"] {
            assert_eq!(parse_f64(s).map(f64::to_bits), ascii_fold(s).trim().parse::<f64>().ok().filter(|v| v.is_finite()).map(f64::to_bits), "{s:?}");
        }
        for s in ["是", " 否 ", "TRUE", "Yes", "Ｙ", "完成", "x", "", "\u{3000}是"] {
            assert_eq!(
                parse_bool(s),
                match ascii_fold(s).trim().to_lowercase().as_str() {
                    "是" | "true" | "1" | "yes" | "y" | "完成" | "已完成" | "通过" | "合格" => Some(true),
                    "否" | "false" | "0" | "no" | "n" | "未完成" | "未通过" | "不合格" => Some(false),
                    _ => None,
                },
                "{s:?}"
            );
        }
        assert_eq!(ascii_fold("２０２４\u{3000}年"), "2024 年");
        assert!(matches!(ascii_fold("干部编号"), std::borrow::Cow::Borrowed(_)));
    }
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
