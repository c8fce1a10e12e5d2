#![cfg(not(target_arch = "wasm32"))]
//! Ingest never panics: arbitrary bytes under every supported file name, and
//! random cells in otherwise valid tables. Every row is either loaded or
//! reported.
use crate::common;
use proptest::prelude::*;
use zhichu::ingest::{self, LoadOptions, SourceFile};

const NAMES: [&str; 6] = ["records.csv", "干部.csv", "data.json", "book.xlsx", "courses.tsv", "x.json"];

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600), name in 0usize..NAMES.len()) {
        let l = ingest::load(&[SourceFile { name: NAMES[name].into(), bytes }], &LoadOptions::default());
        let _ = serde_json::to_string(&l.report).unwrap();
    }

    #[test]
    fn json_shaped_noise_never_panics(items in prop::collection::vec(prop::collection::vec(("[a-z_]{1,10}|干部编号|课程编号|日期|学时|actor", "\\PC{0,12}"), 0..6), 0..6), table in "records|cadres|courses|units|statements") {
        let arr: Vec<serde_json::Value> = items.iter().map(|kv| serde_json::Value::Object(kv.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect())).collect();
        let doc = serde_json::json!({ table: arr });
        let l = ingest::load(&[SourceFile { name: "d.json".into(), bytes: doc.to_string().into_bytes() }], &LoadOptions::default());
        let _ = serde_json::to_string(&l.report).unwrap();
    }

    #[test]
    fn every_record_row_is_loaded_or_reported(rows in prop::collection::vec(("C[1-4]|", "K[1-5]|", "2024-0[1-9]-1[0-9]|2024/13/1|x", "[0-9]{1,2}|-1|abc|", "是|否|maybe|", "[0-9]{1,3}|"), 1..25)) {
        let mut files = common::files("basic_gbk");
        files.retain(|f| f.name != "培训记录.csv");
        let mut csv = String::from("干部编号,课程编号,日期,学时,是否完成,成绩\n");
        for r in &rows {
            csv.push_str(&format!("{},{},{},{},{},{}\n", r.0, r.1, r.2, r.3, r.4, r.5));
        }
        files.push(SourceFile { name: "records.csv".into(), bytes: csv.into_bytes() });
        let l = ingest::load(&files, &LoadOptions::default());
        let bad_rows: std::collections::BTreeSet<u32> = l.report.errors.iter().filter(|e| e.table == Some("records")).filter_map(|e| e.row).collect();
        prop_assert_eq!(l.report.loaded["records"] + bad_rows.len(), rows.len());
        prop_assert!(bad_rows.iter().all(|&r| r >= 2 && r as usize <= rows.len() + 1));
    }
}
