//! Calendar dates as plain day numbers (days from 0001-01-01, proleptic
//! Gregorian), parsed from the many ways Chinese office files write them.

use chrono::{Datelike, NaiveDate};

/// A date: days since 0001-01-01 (chrono's `num_days_from_ce`).
pub type Day = i32;

/// The day of a calendar date, or `None` for no such date. Years 1–9999
/// (every year a cell can write) by arithmetic: this runs for every record.
pub fn from_ymd(y: i32, m: u32, d: u32) -> Option<Day> {
    if !(1..=9999).contains(&y) {
        return NaiveDate::from_ymd_opt(y, m, d).map(|d| d.num_days_from_ce());
    }
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    const LEN: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&m) || d == 0 || d > LEN[m as usize - 1] + (m == 2 && leap) as u32 {
        return None;
    }
    // Days before this year, then before this month, then the day.
    const BEFORE: [u32; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let p = y - 1;
    Some(p * 365 + p / 4 - p / 100 + p / 400 + (BEFORE[m as usize - 1] + (m > 2 && leap) as u32 + d) as i32)
}

pub fn to_naive(day: Day) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day).unwrap_or(NaiveDate::MIN)
}

/// `YYYY-MM-DD`.
pub fn format(day: Day) -> String {
    to_naive(day).format("%Y-%m-%d").to_string()
}

pub fn year(day: Day) -> i32 {
    to_naive(day).year()
}

/// 31 December of `year`.
pub fn year_end(year: i32) -> Day {
    from_ymd(year, 12, 31).expect("valid year")
}

/// Parses `2024-03-05`, `2024/3/5`, `2024.3.5`, `2024年3月5日`, `20240305`,
/// and any of these followed by a valid time (`2024-03-05 10:00`,
/// `2024-03-05 10:00:00`, `2024-03-05T10:00:00Z`, `…+08:00`). Full-width
/// digits are accepted. Anything else is refused: a sign (`-2024-01-01`),
/// empty parts (`2024--01-01`), an impossible time (`25:61`).
pub fn parse(s: &str) -> Option<Day> {
    let b = s.as_bytes();
    // Fast path for the canonical form.
    if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' && (b.len() == 10 || !b[10].is_ascii_digit()) {
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let mut v = 0u32;
            for &c in &b[r] {
                if !c.is_ascii_digit() {
                    return None;
                }
                v = v * 10 + (c - b'0') as u32;
            }
            Some(v)
        };
        if let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10))
            && (b.len() == 10 || (matches!(b[10], b' ' | b'T') && valid_time(&s[11..])))
        {
            return from_ymd(y as i32, m, d);
        }
    }
    let s = super::text::ascii_fold(s);
    let s = s.trim();
    let (date_part, time) = match s.find(['T', ' ']) {
        Some(i) => (&s[..i], Some(s[i + 1..].trim())),
        None => (s, None),
    };
    if time.is_some_and(|t| !valid_time(t)) || !date_part.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    if date_part.len() == 8 && date_part.bytes().all(|c| c.is_ascii_digit()) {
        let y = date_part[0..4].parse().ok()?;
        let m = date_part[4..6].parse().ok()?;
        let d = date_part[6..8].parse().ok()?;
        return from_ymd(y, m, d);
    }
    // 2024年3月5日 → 2024-3-5; then exactly three parts of digits.
    let date_part = date_part.strip_suffix('日').unwrap_or(date_part);
    let parts: Vec<&str> = date_part.split(['-', '/', '.', '年', '月']).collect();
    if parts.len() != 3 || parts[0].len() != 4 || parts.iter().any(|p| p.is_empty() || p.len() > 2 && p.len() != 4 || !p.bytes().all(|c| c.is_ascii_digit())) {
        return None;
    }
    from_ymd(parts[0].parse().ok()?, parts[1].parse().ok()?, parts[2].parse().ok()?)
}

/// `HH:MM`, `HH:MM:SS` (fractions allowed), then nothing, `Z` or `±HH:MM`.
fn valid_time(t: &str) -> bool {
    let t = t.trim();
    let t = t.strip_suffix('Z').unwrap_or(t);
    let t = match t.rfind(['+', '-']) {
        Some(i) if i > 0 => {
            let (hh, mm) = t[i + 1..].split_once(':').unwrap_or((&t[i + 1..], "00"));
            if !matches!((hh.parse::<u32>(), mm.parse::<u32>()), (Ok(h), Ok(m)) if h <= 14 && m <= 59) {
                return false;
            }
            &t[..i]
        }
        _ => t,
    };
    let parts: Vec<&str> = t.split(':').collect();
    // Hours and minutes are two digits; seconds may have a fraction.
    let whole = |p: &str, max: u32| p.len() == 2 && p.bytes().all(|c| c.is_ascii_digit()) && p.parse::<u32>().is_ok_and(|v| v <= max);
    let secs = |p: &str| {
        let (int, frac) = p.split_once('.').unwrap_or((p, "0"));
        whole(int, 60) && !frac.is_empty() && frac.bytes().all(|c| c.is_ascii_digit())
    };
    match parts.as_slice() {
        [h, m] => whole(h, 23) && whole(m, 59),
        [h, m, s] => whole(h, 23) && whole(m, 59) && secs(s),
        _ => false,
    }
}

/// Today, from the system clock (the browser's clock in WebAssembly).
pub fn today() -> Day {
    #[cfg(target_arch = "wasm32")]
    let ms = js_sys::Date::now();
    #[cfg(not(target_arch = "wasm32"))]
    let ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as f64).unwrap_or(0.0);
    from_ymd(1970, 1, 1).expect("epoch") + (ms / 86_400_000.0).floor() as Day
}

/// The first date a training record may have: the founding of the People's Republic.
pub fn earliest_plausible() -> Day {
    from_ymd(1949, 10, 1).expect("a valid date")
}

/// The last date a training record may have: one year after today (planned
/// classes may be entered ahead; nothing is planned further).
pub fn latest_plausible() -> Day {
    today() + 366
}

/// An Excel serial date (1900 date system, with Excel's 1900 leap-year bug).
pub fn from_excel_serial(serial: f64) -> Option<Day> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let base = from_ymd(1899, 12, 30)?;
    Some(base + serial.floor() as i32)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn from_ymd_is_chronos() {
        // Every month and day (and the impossible ones) of years 0–10000.
        for y in 0..=10_000 {
            for m in 0..=13 {
                for d in 0..=32 {
                    assert_eq!(from_ymd(y, m, d), NaiveDate::from_ymd_opt(y, m, d).map(|d| d.num_days_from_ce()), "{y}-{m}-{d}");
                }
            }
        }
    }
    #[test]
    fn parses_office_forms() {
        let d = from_ymd(2024, 3, 5).unwrap();
        for s in ["2024-03-05", "2024/3/5", "2024.03.05", "2024年3月5日", "20240305", "2024-03-05 10:00:00", "2024-03-05T10:00:00Z", "２０２４-０３-０５"]
        {
            assert_eq!(parse(s), Some(d), "{s}");
        }
        for s in ["2024-03-05 10:00", "2024-03-05T10:00:00.5+08:00", "2024.3.5", "2024年03月05日 08:30"] {
            assert_eq!(parse(s), Some(d), "{s}");
        }
        for s in [
            "",
            "2024-13-01",
            "2024-02-30",
            "3/5/2024",
            "abc",
            "45000",
            "-2024-03-05",
            "+2024-03-05",
            "2024--03-05",
            "2024-03-05 25:61",
            "2024-06-01 24:00",
            "2024/3/5 10:61:00",
            "2024-03-05 garbage",
            "2024-003-05",
            "2024-03-05 10.5:00",
            "2024-03-05 1e1:00",
            "2024-03-05 10:00:5e1",
        ] {
            assert_eq!(parse(s), None, "{s}");
        }
        assert_eq!(format(d), "2024-03-05");
        assert_eq!(from_excel_serial(45356.0), Some(d));
    }
}
