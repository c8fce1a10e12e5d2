//! xAPI statements (IEEE 9274.1.1) as training records.
//!
//! Mapping (also in the README):
//! - actor → cadre: `actor.account.name`, else the part of `actor.mbox` before `@` (after `mailto:`);
//! - object → course: `object.id` if it equals a course id, else its last segment
//!   after `/`, `#` or `:` (so `https://lms.example/courses/C001` → `C001`);
//! - `timestamp` → date;
//! - `result.duration` (ISO 8601, `PT1H30M`) → minutes → 学时; absent → the course's 学时;
//! - `result.score.scaled` × 100, else `raw` rescaled by `min`/`max`, else `raw` as 0–100;
//! - `result.completion`, else verb `completed`/`passed` → completed, `failed` → not;
//!   any other verb counts as not completed.

use super::table::{Body, TableData};
use serde_json::Value;

const HEADER: [&str; 6] = ["actor", "object.id", "timestamp", "result.duration", "result.completion", "result.score"];

fn s(v: Option<&Value>) -> Option<&str> {
    v.and_then(Value::as_str)
}

fn actor_id(st: &Value) -> String {
    let a = &st["actor"];
    if let Some(n) = s(a.pointer("/account/name")) {
        return n.to_string();
    }
    if let Some(m) = s(a.get("mbox")) {
        let m = m.strip_prefix("mailto:").unwrap_or(m);
        return m.split('@').next().unwrap_or("").to_string();
    }
    String::new()
}

/// `PT1H30M20S` (and `P1DT2H`) → minutes.
pub fn iso_duration_minutes(d: &str) -> Option<f64> {
    let rest = d.strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        // A `T` must be followed by a time component.
        Some((_, "")) => return None,
        Some((a, b)) => (a, b),
        None => (rest, ""),
    };
    // `P` alone (or `PT`) is no duration at all.
    if date.is_empty() && time.is_empty() {
        return None;
    }
    fn parts(s: &str, units: &[(char, f64)]) -> Option<f64> {
        let mut total = 0.0;
        let mut num = String::new();
        for c in s.chars() {
            if c.is_ascii_digit() || c == '.' {
                num.push(c);
            } else {
                let (_, mult) = units.iter().find(|(u, _)| *u == c)?;
                total += num.parse::<f64>().ok()? * mult;
                num.clear();
            }
        }
        num.is_empty().then_some(total)
    }
    Some(parts(date, &[('D', 1440.0), ('W', 10080.0)])? + parts(time, &[('H', 60.0), ('M', 1.0), ('S', 1.0 / 60.0)])?)
}

fn score(result: &Value) -> String {
    let sc = &result["score"];
    if let Some(x) = sc.get("scaled").and_then(Value::as_f64) {
        return format!("{}", x * 100.0);
    }
    if let Some(raw) = sc.get("raw").and_then(Value::as_f64) {
        if let (Some(min), Some(max)) = (sc.get("min").and_then(Value::as_f64), sc.get("max").and_then(Value::as_f64))
            && max > min
        {
            return format!("{}", (raw - min) / (max - min) * 100.0);
        }
        return format!("{raw}");
    }
    String::new()
}

pub(crate) fn to_records(file: &str, statements: &[Value]) -> TableData<'static> {
    let rows = statements
        .iter()
        .enumerate()
        .map(|(i, st)| {
            let result = &st["result"];
            let verb = s(st.pointer("/verb/id")).unwrap_or("");
            let completed = match result.get("completion").and_then(Value::as_bool) {
                Some(b) => b,
                None => verb.ends_with("/completed") || verb.ends_with("/passed"),
            };
            let duration = match s(result.get("duration")) {
                Some(d) => iso_duration_minutes(d).map(|m| m.to_string()).unwrap_or_else(|| d.to_string()),
                None => String::new(),
            };
            let cells = vec![
                actor_id(st),
                s(st.pointer("/object/id")).unwrap_or("").to_string(),
                s(st.get("timestamp")).unwrap_or("").to_string(),
                duration,
                if completed { "true" } else { "false" }.to_string(),
                score(result),
            ];
            (i as u32 + 1, cells)
        })
        .collect();
    TableData {
        table: super::schema::Table::Records,
        file: file.to_string(),
        sheet: None,
        body: Body::Rows { header: HEADER.iter().map(|h| h.to_string()).collect(), header_row: 1, rows },
        xapi: true,
        json: true,
    }
}

/// The course id an xAPI object IRI stands for: the whole id if known, else its last segment.
pub(crate) fn course_candidate(iri: &str) -> &str {
    iri.trim_end_matches(['/', '#']).rsplit(['/', '#', ':']).next().unwrap_or(iri)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn durations_and_ids() {
        assert_eq!(iso_duration_minutes("PT1H30M"), Some(90.0));
        assert_eq!(iso_duration_minutes("PT45M30S"), Some(45.5));
        assert_eq!(iso_duration_minutes("P1DT1H"), Some(1500.0));
        assert_eq!(iso_duration_minutes("1H"), None);
        for bad in ["P", "PT", "P1DT", "PTM", "PT1.2.3M"] {
            assert_eq!(iso_duration_minutes(bad), None, "{bad}");
        }
        assert_eq!(course_candidate("https://lms.example/courses/C001"), "C001");
        assert_eq!(course_candidate("urn:course:C002"), "C002");
    }
}
