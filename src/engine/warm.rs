//! A small load run once when a WebAssembly engine starts. Browsers compile
//! WebAssembly with a quick baseline compiler first and optimise the functions
//! that turn out hot in the background; a call already running keeps the code
//! it started with. The first real load is one such long call: without this
//! it runs the baseline code throughout (~290 ms instead of ~240 ms for the `m`
//! city in Chromium, see `benches/wasm_bench.mjs`). A few thousand rows
//! through the same path beforehand make its functions hot. The web worker
//! runs it when idle (www/worker.js), never just before a load: there it
//! would cost more than it saves.

use super::{AsOfRequest, Engine};
use crate::ingest::{LoadOptions, SourceFile};
use crate::model::taxonomy::DEFAULT_DIMENSIONS;
use std::fmt::Write;

/// Cadres and records of the synthetic city the warm-up loads.
const CADRES: usize = 200;
const RECORDS_PER_CADRE: usize = 30;

impl Engine {
    /// Loads a small synthetic city from CSV text (what an import reads) and
    /// computes every reserve. Returns (records loaded, errors reported).
    pub fn warm_up() -> (usize, usize) {
        let mut courses = String::from("course_id,title,hours,dimensions,mode\n");
        for k in 0..48 {
            let _ = writeln!(courses, "K{k:04},课程{k},{},{}:0.7;{}:0.3,线下", 2 + k % 6, DEFAULT_DIMENSIONS[k % 12], DEFAULT_DIMENSIONS[(k + 5) % 12]);
        }
        let mut cadres = String::from("cadre_id,name,unit_id,rank,post\n");
        let mut records = String::from("cadre_id,course_id,class_id,date,hours,completed,score\n");
        let mut ratings = String::from("cadre_id,course_id,teacher_id,score,date\n");
        for c in 0..CADRES {
            let _ = writeln!(cadres, "C{c:06},干部{c},U{},{},科员", c % 3, ["乡科级正职", "乡科级副职"][c % 2]);
            for r in 0..RECORDS_PER_CADRE {
                let k = (c * 7 + r * 5) % 48;
                let (month, day) = (1 + r % 12, 1 + (c + r) % 28);
                let (done, score) = if r % 4 == 0 { ("否", String::new()) } else { ("是", (60 + (c + r) % 40).to_string()) };
                let _ = writeln!(records, "C{c:06},K{k:04},,{}-{month:02}-{day:02},{},{done},{score}", 2021 + r % 5, 1 + r % 8);
                if r % 6 == 0 {
                    let _ = writeln!(ratings, "C{c:06},K{k:04},,{},{}-{month:02}-{day:02}", 1 + (c + r) % 5, 2021 + r % 5);
                }
            }
        }
        let file = |name: &str, text: String| SourceFile { name: name.into(), bytes: text.into_bytes() };
        let files = [
            file("units.csv", "unit_id,name,parent_id\nU0,组织部,\nU1,宣传部,U0\nU2,统战部,U0\n".into()),
            file("courses.csv", courses),
            file("cadres.csv", cadres),
            file("records.csv", records),
            file("ratings.csv", ratings),
        ];
        let Ok(mut e) = Engine::load(&files, &LoadOptions::default(), &mut |_| {}) else { return (0, 0) };
        let _ = e.prepare(&AsOfRequest::default());
        (e.ds.records.len(), e.report.errors.len())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn warm_up_loads_every_row() {
        // Every synthetic row passes validation, so the warm-up runs the whole record path.
        assert_eq!(super::Engine::warm_up(), (super::CADRES * super::RECORDS_PER_CADRE, 0));
    }
}
