//! The data model: what a loaded dataset holds, laid out for the analytics.
//!
//! Ids from the files are interned to dense `u32` indices (`Keyed`), records are
//! stored column-wise and grouped by cadre (CSR offsets), and course→dimension
//! weights are one dense `courses × dimensions` matrix. A record costs ~21 bytes.

pub mod date;
pub mod par;
pub mod taxonomy;
pub mod text;

use rustc_hash::FxHashMap;
use serde::Serialize;

pub use date::Day;

/// A table of items that have a string id, with the id interned to a dense index.
#[derive(Debug, Clone)]
pub struct Keyed<T> {
    items: Vec<T>,
    ids: Vec<String>,
    /// Ids of at most 15 bytes (C000123, K0042: nearly all) packed into a
    /// number, hashed and compared without touching memory; longer ones as text.
    short: FxHashMap<u128, u32>,
    long: FxHashMap<String, u32>,
}

/// An id of at most 15 bytes as one number: its bytes, then its length in
/// the last byte, so different ids never share a number.
#[inline(always)]
fn packed(id: &str) -> Option<u128> {
    let b = id.as_bytes();
    let word = |s: &[u8]| s.iter().rev().fold(0u64, |w, &c| w << 8 | c as u64);
    let (lo, hi) = match b.len() {
        0..=8 => (word(b), 0),
        9..=15 => (word(&b[..8]), word(&b[8..])),
        _ => return None,
    };
    Some(((hi | (b.len() as u64) << 56) as u128) << 64 | lo as u128)
}

impl<T> Default for Keyed<T> {
    fn default() -> Self {
        Keyed { items: Vec::new(), ids: Vec::new(), short: FxHashMap::default(), long: FxHashMap::default() }
    }
}

impl<T> Keyed<T> {
    /// Adds an item; returns its index, or `Err(existing index)` for a duplicate id.
    pub fn insert(&mut self, id: &str, item: T) -> Result<u32, u32> {
        if let Some(i) = self.lookup(id) {
            return Err(i);
        }
        let i = self.items.len() as u32;
        self.items.push(item);
        self.ids.push(id.to_string());
        match packed(id) {
            Some(k) => self.short.insert(k, i),
            None => self.long.insert(id.to_string(), i),
        };
        Ok(i)
    }
    #[inline]
    pub fn lookup(&self, id: &str) -> Option<u32> {
        match packed(id) {
            Some(k) => self.short.get(&k).copied(),
            None => self.long.get(id).copied(),
        }
    }
    pub fn get(&self, i: u32) -> &T {
        &self.items[i as usize]
    }
    pub fn get_mut(&mut self, i: u32) -> &mut T {
        &mut self.items[i as usize]
    }
    pub fn id(&self, i: u32) -> &str {
        &self.ids[i as usize]
    }
    pub fn by_id(&self, id: &str) -> Option<&T> {
        self.lookup(id).map(|i| self.get(i))
    }
    pub fn len(&self) -> usize {
        self.items.len()
    }
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
    pub fn items(&self) -> &[T] {
        &self.items
    }
    /// `(index, id, item)` in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &str, &T)> {
        self.items.iter().enumerate().map(move |(i, t)| (i as u32, self.ids[i].as_str(), t))
    }
    fn heap_bytes(&self) -> usize {
        self.items.capacity() * std::mem::size_of::<T>()
            + self.ids.iter().map(|s| s.capacity() + 24).sum::<usize>()
            + self.short.capacity() * 24
            + self.long.keys().map(|s| s.capacity() + 32).sum::<usize>()
    }
}

#[derive(Debug, Clone)]
pub struct Unit {
    pub name: String,
    pub parent: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct Cadre {
    pub name: String,
    pub unit: u32,
    pub rank: String,
    pub post: String,
    /// 党内身份: 党员, 支部书记, 支委委员 … (empty when not given).
    pub party_role: String,
}

#[derive(Debug, Clone)]
pub struct Dimension {
    pub name: String,
    /// `S_d` of the reserve formula: the evidence (学时) at which the reserve reaches 63%.
    pub saturation_hours: f64,
}

/// 形式 of a course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Mode {
    #[serde(rename = "线下")]
    Offline,
    #[serde(rename = "网络")]
    Online,
    #[serde(rename = "混合")]
    Blended,
}

impl Mode {
    pub fn label(self) -> &'static str {
        match self {
            Mode::Offline => "线下",
            Mode::Online => "网络",
            Mode::Blended => "混合",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Course {
    pub title: String,
    pub hours: f64,
    pub mode: Mode,
    pub teacher: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct Teacher {
    pub name: String,
    pub specialty: Vec<u32>,
}

/// 类型 of a class (班次).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ClassType {
    #[serde(rename = "脱产")]
    FullTime,
    #[serde(rename = "集中")]
    Concentrated,
    #[serde(rename = "网络")]
    Online,
    #[serde(rename = "混合")]
    Blended,
}

impl ClassType {
    pub fn label(self) -> &'static str {
        match self {
            ClassType::FullTime => "脱产",
            ClassType::Concentrated => "集中",
            ClassType::Online => "网络",
            ClassType::Blended => "混合",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Class {
    pub name: String,
    pub kind: ClassType,
    pub start: Day,
    pub end: Day,
    pub capacity: u32,
}

#[derive(Debug, Clone)]
pub struct Rating {
    pub cadre: u32,
    pub course: u32,
    pub teacher: Option<u32>,
    pub score: f32,
    pub date: Option<Day>,
}

#[derive(Debug, Clone)]
pub struct Requirement {
    pub rank: Option<String>,
    pub post: Option<String>,
    pub dimension: u32,
    pub target: f64,
}

/// Marker for "no class" in `Records::class`.
pub const NO_CLASS: u32 = u32::MAX;

/// Training records, column-wise. After `finalize` they are sorted by
/// (cadre, date, input order) and `cadre_range` gives each cadre's slice.
#[derive(Debug, Clone, Default)]
pub struct Records {
    pub cadre: Vec<u32>,
    pub course: Vec<u32>,
    pub class: Vec<u32>,
    pub date: Vec<Day>,
    pub hours: Vec<f32>,
    /// `NaN` where the record has no score.
    pub score: Vec<f32>,
    pub completed: Vec<bool>,
    offsets: Vec<u32>,
}

/// One record, gathered from the columns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Record {
    pub cadre: u32,
    pub course: u32,
    pub class: Option<u32>,
    pub date: Day,
    pub hours: f32,
    pub score: Option<f32>,
    pub completed: bool,
}

impl Records {
    pub fn push(&mut self, r: Record) {
        self.cadre.push(r.cadre);
        self.course.push(r.course);
        self.class.push(r.class.unwrap_or(NO_CLASS));
        self.date.push(r.date);
        self.hours.push(r.hours);
        self.score.push(r.score.unwrap_or(f32::NAN));
        self.completed.push(r.completed);
    }
    /// Makes room for `n` more records.
    pub fn reserve(&mut self, n: usize) {
        self.cadre.reserve(n);
        self.course.reserve(n);
        self.class.reserve(n);
        self.date.reserve(n);
        self.hours.reserve(n);
        self.score.reserve(n);
        self.completed.reserve(n);
    }
    /// Moves `other`'s records to the end (column by column, in one copy each).
    /// For records being gathered: call `finalize` after the last one.
    pub fn append(&mut self, other: &mut Records) {
        self.cadre.append(&mut other.cadre);
        self.course.append(&mut other.course);
        self.class.append(&mut other.class);
        self.date.append(&mut other.date);
        self.hours.append(&mut other.hours);
        self.score.append(&mut other.score);
        self.completed.append(&mut other.completed);
    }
    pub fn len(&self) -> usize {
        self.cadre.len()
    }
    pub fn is_empty(&self) -> bool {
        self.cadre.is_empty()
    }
    pub fn get(&self, i: usize) -> Record {
        let score = self.score[i];
        let class = self.class[i];
        Record {
            cadre: self.cadre[i],
            course: self.course[i],
            class: (class != NO_CLASS).then_some(class),
            date: self.date[i],
            hours: self.hours[i],
            score: (!score.is_nan()).then_some(score),
            completed: self.completed[i],
        }
    }
    /// Sorts by (cadre, date), keeping input order among equals, and builds the
    /// per-cadre offsets. Every way of building a dataset ends here, so the
    /// order of records never depends on the file format they came from.
    pub fn finalize(&mut self, n_cadres: usize) {
        let n = self.len();
        // Counting sort by cadre (stable), then each cadre's slice by date (stable).
        let mut offsets = vec![0u32; n_cadres + 1];
        for &c in &self.cadre {
            offsets[c as usize + 1] += 1;
        }
        for i in 0..n_cadres {
            offsets[i + 1] += offsets[i];
        }
        let already_sorted = (1..n).all(|i| (self.cadre[i - 1], self.date[i - 1]) <= (self.cadre[i], self.date[i]));
        if !already_sorted {
            let mut next = offsets.clone();
            let mut order = vec![0u32; n];
            for (i, &c) in self.cadre.iter().enumerate() {
                order[next[c as usize] as usize] = i as u32;
                next[c as usize] += 1;
            }
            for c in 0..n_cadres {
                let slice = &mut order[offsets[c] as usize..offsets[c + 1] as usize];
                slice.sort_by_key(|&i| self.date[i as usize]);
            }
            fn permute<T: Copy>(v: &mut Vec<T>, order: &[u32]) {
                let out: Vec<T> = order.iter().map(|&i| v[i as usize]).collect();
                *v = out;
            }
            permute(&mut self.cadre, &order);
            permute(&mut self.course, &order);
            permute(&mut self.class, &order);
            permute(&mut self.date, &order);
            permute(&mut self.hours, &order);
            permute(&mut self.score, &order);
            permute(&mut self.completed, &order);
        }
        self.offsets = offsets;
    }
    /// Index range of a cadre's records (sorted by date). Requires `finalize`.
    pub fn cadre_range(&self, cadre: u32) -> std::ops::Range<usize> {
        let c = cadre as usize;
        if c + 1 >= self.offsets.len() {
            return 0..0;
        }
        self.offsets[c] as usize..self.offsets[c + 1] as usize
    }
    fn heap_bytes(&self) -> usize {
        self.cadre.capacity() * 4
            + self.course.capacity() * 4
            + self.class.capacity() * 4
            + self.date.capacity() * 4
            + self.hours.capacity() * 4
            + self.score.capacity() * 4
            + self.completed.capacity()
            + self.offsets.capacity() * 4
    }
}

/// Everything loaded: the nine tables, interned and cross-referenced.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    pub units: Keyed<Unit>,
    pub cadres: Keyed<Cadre>,
    pub dimensions: Keyed<Dimension>,
    pub courses: Keyed<Course>,
    /// `courses × dimensions`, row-major; each row sums to 1.
    pub course_weights: Vec<f32>,
    pub teachers: Keyed<Teacher>,
    pub classes: Keyed<Class>,
    pub records: Records,
    pub ratings: Vec<Rating>,
    pub requirements: Vec<Requirement>,
}

impl Dataset {
    pub fn n_dims(&self) -> usize {
        self.dimensions.len()
    }
    /// The weight row of a course over all dimensions.
    pub fn weights(&self, course: u32) -> &[f32] {
        let d = self.n_dims();
        &self.course_weights[course as usize * d..(course as usize + 1) * d]
    }
    /// The latest record date, the default "as of" date of every view.
    pub fn latest_date(&self) -> Option<Day> {
        self.records.date.iter().copied().max()
    }
    /// Approximate heap bytes held, for the memory figures of the bench.
    pub fn heap_bytes(&self) -> usize {
        self.units.heap_bytes()
            + self.cadres.heap_bytes()
            + self.cadres.items().iter().map(|c| c.name.capacity() + c.rank.capacity() + c.post.capacity()).sum::<usize>()
            + self.dimensions.heap_bytes()
            + self.courses.heap_bytes()
            + self.course_weights.capacity() * 4
            + self.teachers.heap_bytes()
            + self.classes.heap_bytes()
            + self.records.heap_bytes()
            + self.ratings.capacity() * std::mem::size_of::<Rating>()
            + self.requirements.capacity() * std::mem::size_of::<Requirement>()
    }
    /// A unit and all units below it.
    pub fn unit_subtree(&self, unit: u32) -> Vec<u32> {
        let mut out = vec![unit];
        let mut i = 0;
        while i < out.len() {
            let u = out[i];
            for (j, _, x) in self.units.iter() {
                if x.parent == Some(u) && !out.contains(&j) {
                    out.push(j);
                }
            }
            i += 1;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::Keyed;
    #[test]
    fn keyed_finds_short_and_long_ids() {
        // Ids around the 15-byte packing limit, prefixes of one another, empty, multi-byte.
        let ids: Vec<String> = (0..=20).map(|n| "C".repeat(n)).chain(["干部甲".into(), "干部甲乙丙丁戊".into(), "C\0".into(), "C\0\0".into()]).collect();
        let mut k = Keyed::default();
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(k.insert(id, i), Ok(i as u32), "{id:?}");
        }
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(k.lookup(id), Some(i as u32), "{id:?}");
            assert_eq!(k.insert(id, 0), Err(i as u32));
            assert_eq!(k.id(i as u32), id);
        }
        assert_eq!(k.lookup("D"), None);
        assert_eq!(k.lookup(&"C".repeat(21)), None);
    }
}
