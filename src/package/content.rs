//! What a 个人档案包 holds, and how it is cut from a city and read back.
//!
//! A package holds exactly what one cadre's pages need: their own cadre row,
//! unit (with the units above it), records and the classes of those
//! records; the catalogue every cadre shares (dimensions, courses and their
//! teachers, post requirements, the 学时 rules, the reserve model); the
//! peer statistics of their rank at the as-of date (per dimension: how many
//! peers are below and level with them, and the median); and each course's
//! aggregate rating, which recommendations weigh. The tables travel as the
//! CSV the loader reads, so a package is validated and built exactly as
//! imported data are. Nothing of any other cadre is in it: no id, name,
//! record or individual rating.

use crate::analytics::Model;
use crate::analytics::compliance::Rule;
use crate::analytics::ratings::RatingSummary;
pub use crate::analytics::snapshot::{PeerDim, Peers};
use crate::demo::export::{self, Headers};
use crate::engine::Engine;
pub use crate::engine::personal::{PackageInfo, Personal};
use crate::error::{Code, Error, Result};
use crate::ingest::schema::Table;
use crate::ingest::{LoadOptions, SourceFile};
use crate::model::{Dataset, date};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

pub const FORMAT: &str = "zhichu-personal 1";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CourseRating {
    pub course_id: String,
    #[serde(flatten)]
    pub rating: RatingSummary,
}

/// A package's content (its JSON is what `zhichu personal inspect` prints).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Content {
    pub format: String,
    pub issuer: String,
    /// The day the package was made.
    pub issued: String,
    /// The date every number is computed at.
    pub as_of: String,
    pub cadre_id: String,
    pub model: Model,
    pub options: LoadOptions,
    pub rules: Vec<Rule>,
    /// File name → CSV text (English headers), the loader's input.
    pub tables: BTreeMap<String, String>,
    pub peers: Peers,
    pub ratings: Vec<CourseRating>,
}

/// Calls its argument once per row.
type Rows<'a> = dyn FnMut(&mut dyn FnMut(&[String])) + 'a;

fn csv_text(table: Table, rows: &mut Rows) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record(export::header(table, Headers::English)).expect("write to memory");
    rows(&mut |r| w.write_record(r).expect("write to memory"));
    String::from_utf8(w.into_inner().expect("write to memory")).expect("UTF-8 in, UTF-8 out")
}

/// The parts of a city every package shares, cut once for many packages.
pub struct City {
    shared: BTreeMap<String, String>,
    units: Vec<Vec<String>>,
    classes: Vec<Vec<String>>,
    ratings: Vec<CourseRating>,
    model: Model,
    options: LoadOptions,
    rules: Vec<Rule>,
    as_of: String,
}

impl City {
    /// The shared parts of `engine`'s city at `as_of` (default: the engine's).
    pub fn new(engine: &mut Engine, options: &LoadOptions, as_of: Option<&str>) -> Result<City> {
        let ratings: Vec<RatingSummary> = engine.course_ratings().to_vec();
        let ratings =
            ratings.into_iter().zip(engine.dataset().courses.iter()).map(|(rating, (_, id, _))| CourseRating { course_id: id.to_string(), rating }).collect();
        let (model, rules) = (engine.model(), engine.rules().to_vec());
        let (ds, snap) = engine.at(as_of)?;
        let as_of = date::format(snap.as_of);
        let all = |table: Table| {
            let mut rows = Vec::new();
            export::for_each_row(ds, table, &mut |r| rows.push(r.to_vec()));
            rows
        };
        let mut shared = BTreeMap::new();
        for t in [Table::Dimensions, Table::Teachers, Table::Courses, Table::Requirements] {
            let rows = all(t);
            shared.insert(format!("{}.csv", t.name()), csv_text(t, &mut |put| rows.iter().for_each(|r| put(r))));
        }
        let (units, classes) = (all(Table::Units), all(Table::Classes));
        Ok(City { shared, units, classes, ratings, model, options: options.clone(), rules, as_of })
    }

    /// One cadre's package content.
    /// (Read-only on the engine, so that many packages are cut at once.)
    pub fn content(&self, engine: &Engine, cadre: &str, issuer: &str, issued: &str) -> Result<Content> {
        let c = engine.find_cadre(cadre)?;
        let ds = engine.dataset();
        let snap =
            engine.snapshot().filter(|s| date::format(s.as_of) == self.as_of).ok_or_else(|| Error::new(Code::Stale, "城市数据的截至日期已变，请重新准备"))?;
        let cadre_id = ds.cadres.id(c).to_string();
        let mut tables = self.shared.clone();
        // The cadre's unit and the units above it (so that every reference resolves).
        let mut chain = BTreeSet::new();
        let mut u = Some(ds.cadres.get(c).unit);
        while let Some(i) = u.filter(|i| chain.insert(*i)) {
            u = ds.units.get(i).parent;
        }
        let units: BTreeSet<&str> = chain.iter().map(|&i| ds.units.id(i)).collect();
        tables.insert("units.csv".into(), csv_text(Table::Units, &mut |put| self.units.iter().filter(|r| units.contains(r[0].as_str())).for_each(|r| put(r))));
        tables.insert("cadres.csv".into(), csv_text(Table::Cadres, &mut |put| put(&export::cadre_row(ds, c))));
        let range = ds.records.cadre_range(c);
        let classes: BTreeSet<&str> = range.clone().filter_map(|i| ds.records.get(i).class.map(|k| ds.classes.id(k))).collect();
        tables.insert(
            "classes.csv".into(),
            csv_text(Table::Classes, &mut |put| self.classes.iter().filter(|r| classes.contains(r[0].as_str())).for_each(|r| put(r))),
        );
        tables.insert(
            "records.csv".into(),
            csv_text(Table::Records, &mut |put| {
                let mut row = vec![String::new(); 7];
                for i in range.clone() {
                    export::record_row(ds, &ds.records.get(i), &mut row);
                    put(&row);
                }
            }),
        );
        let peers = peers(ds, snap, c);
        Ok(Content {
            format: FORMAT.into(),
            issuer: issuer.into(),
            issued: issued.into(),
            as_of: self.as_of.clone(),
            cadre_id,
            model: self.model,
            options: self.options.clone(),
            rules: self.rules.clone(),
            tables,
            peers,
            ratings: self.ratings.clone(),
        })
    }
}

fn peers(ds: &Dataset, snap: &crate::analytics::snapshot::Snapshot, c: u32) -> Peers {
    let rank = ds.cadres.get(c).rank.clone();
    let mut n = 0;
    let dimensions = (0..ds.n_dims())
        .map(|d| {
            let (below, equal, peers) = snap.position(ds, c, d);
            n = peers;
            PeerDim { dimension: ds.dimensions.get(d as u32).name.clone(), below, equal, median: snap.peer_median(&rank, d) }
        })
        .collect();
    Peers { rank, n, dimensions }
}

impl Content {
    /// An engine over this content: the tables loaded as imported data are,
    /// the package's model, rules, ratings and peer statistics in place.
    pub fn engine(&self, fingerprint: String, sealed: bool) -> Result<Engine> {
        let bad = |m: String| Error::new(Code::BadPackage, format!("档案包内容有误：{m}"));
        if self.format != FORMAT {
            return Err(bad(format!("格式为「{}」，应为「{FORMAT}」", self.format)));
        }
        let files: Vec<SourceFile> = self.tables.iter().map(|(n, t)| SourceFile { name: n.clone(), bytes: t.as_bytes().to_vec() }).collect();
        let mut e = Engine::load(&files, &self.options, &mut |_| {})?;
        if let Some(i) = e.report().errors.first() {
            return Err(bad(format!("{} 第 {} 行：{}", i.file, i.row.unwrap_or(0), i.message)));
        }
        e.set_model(self.model)?;
        e.set_rules(self.rules.clone())?;
        if e.dataset().cadres.len() != 1 || e.dataset().cadres.lookup(&self.cadre_id).is_none() {
            return Err(bad("应只含本人的干部信息".into()));
        }
        let ratings: std::collections::HashMap<&str, RatingSummary> = self.ratings.iter().map(|r| (r.course_id.as_str(), r.rating)).collect();
        let aligned: Vec<RatingSummary> = e
            .dataset()
            .courses
            .iter()
            .map(|(_, id, _)| ratings.get(id).copied().ok_or_else(|| bad(format!("缺少课程「{id}」的评分汇总"))))
            .collect::<Result<_>>()?;
        let as_of = date::parse(&self.as_of).ok_or_else(|| bad(format!("截至日期「{}」无法识别", self.as_of)))?;
        if self.peers.dimensions.len() != e.dataset().n_dims() || self.peers.dimensions.iter().any(|p| p.below + p.equal > self.peers.n) {
            return Err(bad("同级统计与维度不符".into()));
        }
        let info = PackageInfo {
            issuer: self.issuer.clone(),
            issued: self.issued.clone(),
            as_of: self.as_of.clone(),
            cadre_id: self.cadre_id.clone(),
            fingerprint,
            sealed,
        };
        e.become_personal(Personal { info, as_of, peers: self.peers.clone() }, aligned);
        Ok(e)
    }
}
