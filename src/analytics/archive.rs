//! The e-archive (电子档案): every record of a cadre, in full, newest first.

use crate::model::{Dataset, date};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ArchiveEntry {
    pub date: String,
    pub course_id: String,
    pub title: String,
    pub mode: &'static str,
    pub class_id: Option<String>,
    pub class_name: Option<String>,
    pub class_type: Option<&'static str>,
    pub hours: f64,
    pub completed: bool,
    pub score: Option<f64>,
    /// The course's dimensions with their weights.
    pub dimensions: Vec<(String, f64)>,
}

pub fn archive(ds: &Dataset, cadre: u32) -> Vec<ArchiveEntry> {
    let mut out: Vec<ArchiveEntry> = ds
        .records
        .cadre_range(cadre)
        .map(|i| {
            let r = ds.records.get(i);
            let course = ds.courses.get(r.course);
            let class = r.class.map(|c| (ds.classes.id(c).to_string(), ds.classes.get(c)));
            ArchiveEntry {
                date: date::format(r.date),
                course_id: ds.courses.id(r.course).into(),
                title: course.title.clone(),
                mode: course.mode.label(),
                class_id: class.as_ref().map(|c| c.0.clone()),
                class_name: class.as_ref().map(|c| c.1.name.clone()),
                class_type: class.as_ref().map(|c| c.1.kind.label()),
                hours: r.hours as f64,
                completed: r.completed,
                score: r.score.map(|s| s as f64),
                dimensions: ds
                    .weights(r.course)
                    .iter()
                    .enumerate()
                    .filter(|(_, w)| **w > 0.0)
                    .map(|(d, w)| (ds.dimensions.get(d as u32).name.clone(), *w as f64))
                    .collect(),
            }
        })
        .collect();
    out.reverse();
    out
}
