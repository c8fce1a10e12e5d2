//! 云江市 (a fictional city; every name and number here is synthetic): a
//! deterministic, seeded generator of units, cadres, courses, teachers,
//! classes, records, ratings and requirements over 2021–2025.
//!
//! Planted stories the product should find:
//! - 市住房和城乡建设局 (`U019`) is weak in 纪律与廉政: its cadres avoid those courses;
//! - ~3% of cadres are weak in 理想信念 (weakest) and 道德品行 (cadre `C000001` is one);
//! - ~0.5% are 培训专业户, sent to 3–4 classes a year (`C000002` is one);
//! - ~3% repeat an online course within a year or so (重复培训; `C000003` does);
//! - ~5% fall short of the yearly 50 online 学时 (`C000004` does).

use crate::model::taxonomy::DEFAULT_DIMENSIONS;
use crate::model::{Cadre, Class, ClassType, Course, Dataset, Day, Dimension, Mode, Rating, Record, Requirement, Teacher, Unit, date};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// ~1k cadres.
    S,
    /// ~20k cadres, ~600k records.
    M,
    /// ~200k cadres, ~6M records.
    L,
    /// ~1M cadres, ~32M records: a province (written as files in chunks, see
    /// [`generate_streaming`]).
    XL,
}

impl Scale {
    pub fn cadres(self) -> usize {
        match self {
            Scale::S => 1_000,
            Scale::M => 20_000,
            Scale::L => 200_000,
            Scale::XL => 1_000_000,
        }
    }
    pub fn parse(s: &str) -> Option<Scale> {
        match s.to_lowercase().as_str() {
            "s" => Some(Scale::S),
            "m" => Some(Scale::M),
            "l" => Some(Scale::L),
            "xl" => Some(Scale::XL),
            _ => None,
        }
    }
}

pub const DEFAULT_SEED: u64 = 20_251_231;
pub const FIRST_YEAR: i32 = 2021;
pub const LAST_YEAR: i32 = 2025;
/// The unit planted as weak in 纪律与廉政.
pub const WEAK_DISCIPLINE_UNIT: &str = "U019";
pub const WEAK_IDEALS_CADRE: &str = "C000001";
pub const FREQUENT_TRAINEE_CADRE: &str = "C000002";
pub const REPEATER_CADRE: &str = "C000003";
pub const SHORT_HOURS_CADRE: &str = "C000004";

const CITY_DEPARTMENTS: [&str; 30] = [
    "市委办公室",
    "市委组织部",
    "市委宣传部",
    "市委统战部",
    "市委政法委员会",
    "市纪委监委",
    "市政府办公室",
    "市发展和改革委员会",
    "市教育局",
    "市科学技术局",
    "市经济和信息化局",
    "市公安局",
    "市民政局",
    "市司法局",
    "市财政局",
    "市人力资源和社会保障局",
    "市自然资源和规划局",
    "市生态环境局",
    "市住房和城乡建设局",
    "市交通运输局",
    "市水务局",
    "市农业农村局",
    "市商务局",
    "市文化广电旅游局",
    "市卫生健康委员会",
    "市应急管理局",
    "市审计局",
    "市市场监督管理局",
    "市统计局",
    "市医疗保障局",
];
const DISTRICTS: [&str; 12] = ["青川区", "锦湾区", "云台区", "望江区", "临溪区", "白鹭区", "松林县", "石门县", "桃源县", "清河县", "柳溪县", "凤鸣县"];
const DISTRICT_DEPTS: [&str; 2] = ["委组织部", "纪委监委"];
const PLACE_SYLLABLES: [&str; 24] = [
    "东山", "西湖", "南桥", "北关", "金沙", "玉泉", "长乐", "永安", "新民", "太平", "和平", "龙潭", "花溪", "竹林", "杨柳", "石桥", "双河", "三元", "红星",
    "青龙", "白云", "黄田", "梅林", "高坪",
];
const SURNAMES: [&str; 60] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许",
    "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢",
    "姜", "崔", "钟", "谭", "陆", "汪", "范", "金",
];
const GIVEN: [&str; 64] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞", "平", "刚", "英", "华", "玉", "萍", "红",
    "玲", "斌", "宇", "浩", "凯", "健", "俊", "帆", "旭", "宁", "琳", "晨", "阳", "雪", "梅", "鹏", "辉", "林", "海", "波", "然", "欣", "怡", "婷", "嘉", "思",
    "文", "志", "建", "国", "东", "春", "兰", "云", "飞", "龙", "立", "诚",
];
/// (rank, share of cadres).
const RANKS: [(&str, f64); 4] = [("厅局级", 0.02), ("县处级", 0.13), ("乡科级", 0.40), ("一般干部", 0.45)];
const POSTS: [&str; 10] = ["党政正职", "党政副职", "组织人事", "宣传思想", "纪检监察", "政法", "经济管理", "社会事业", "基层党建", "综合文秘"];

/// Topics per dimension, in `DEFAULT_DIMENSIONS` order.
const TOPICS: [&[&str]; 12] = [
    &["坚定理想信念 筑牢信仰之基", "共产主义远大理想与共同理想", "红色基因传承", "新时代共产党人的精神谱系", "初心使命教育", "信仰的力量：榜样人物精神解读"],
    &["加强党性修养 锤炼过硬作风", "党员干部的党性锻炼", "民主集中制与批评和自我批评", "党内政治生活若干准则解读", "坚持以人民为中心的党性立场"],
    &["社会主义核心价值观与干部道德修养", "中华优秀传统文化中的官德", "家风建设与领导干部修身", "公德、私德与职业道德", "干部诚信与担当精神"],
    &[
        "习近平新时代中国特色社会主义思想概论",
        "马克思主义基本原理专题",
        "党的二十大精神专题解读",
        "马克思主义中国化时代化",
        "新发展理念的理论与实践",
        "实事求是的思想方法",
    ],
    &["中国共产党百年奋斗的重大成就和历史经验", "新中国史专题", "改革开放史专题", "社会主义发展史", "党史上的重要会议", "地方党史与革命遗址"],
    &["当前国际形势与我国外交政策", "宏观经济形势分析", "高质量发展与新发展格局", "乡村振兴战略解读", "数字中国建设", "区域协调发展战略"],
    &["党章学习专题", "党内法规体系概述", "基层党组织工作实务", "党务工作规范与流程", "发展党员工作实务"],
    &["中国共产党纪律处分条例解读", "廉洁从政与警示教育", "中央八项规定精神解读", "以案促改：典型案例剖析", "廉政风险防控"],
    &["宪法学习专题", "民法典与依法行政", "行政诉讼与行政复议实务", "法治政府建设", "安全生产法律法规"],
    &[
        "领导科学与领导艺术",
        "公共政策分析",
        "突发事件应急管理",
        "数字政府与数据治理",
        "项目管理与财政预算",
        "调查研究方法",
        "公文写作与材料起草",
        "招商引资实务",
    ],
    &["新时代群众工作方法", "信访工作条例与矛盾纠纷化解", "基层治理与网格化管理", "舆情应对与新闻发布", "枫桥经验的时代内涵"],
    &["干部心理调适与压力管理", "情绪管理与有效沟通", "心理健康与幸福感", "职业倦怠的预防"],
];
/// (format suffix, mode, possible 学时).
const FORMATS: [(&str, Mode, &[f64]); 6] = [
    ("专题讲座", Mode::Offline, &[4.0, 6.0, 8.0]),
    ("专题研讨", Mode::Offline, &[8.0, 12.0, 16.0]),
    ("现场教学", Mode::Offline, &[6.0, 8.0]),
    ("网络专题课程", Mode::Online, &[8.0, 10.0, 12.0, 16.0]),
    ("网络微课包", Mode::Online, &[8.0, 10.0, 12.0]),
    ("线上线下混合课程", Mode::Blended, &[8.0, 12.0, 16.0]),
];
const COURSES_PER_DIM: usize = 25;
const N_TEACHERS: usize = 150;

const D_IDEALS: usize = 0;
const D_MORALS: usize = 2;
const D_DISCIPLINE: usize = 7;

struct Gen {
    rng: ChaCha8Rng,
}

impl Gen {
    /// A uniform index below `n`, drawn as u32 so that native and wasm32
    /// (where usize is 32 bits) draw the same numbers.
    fn idx(&mut self, n: usize) -> usize {
        self.rng.gen_range(0..n as u32) as usize
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.idx(xs.len())]
    }
    fn chance(&mut self, p: f64) -> bool {
        self.rng.gen_bool(p.clamp(0.0, 1.0))
    }
    /// Index drawn with the given weights.
    fn weighted(&mut self, w: &[f64]) -> usize {
        let total: f64 = w.iter().sum();
        let mut x = self.rng.gen_range(0.0..total);
        for (i, &wi) in w.iter().enumerate() {
            if x < wi {
                return i;
            }
            x -= wi;
        }
        w.len() - 1
    }
    fn name(&mut self) -> String {
        let mut s = (*self.pick(&SURNAMES)).to_string();
        s.push_str(self.pick::<&str>(&GIVEN));
        if self.chance(0.6) {
            s.push_str(self.pick::<&str>(&GIVEN));
        }
        s
    }
    fn day_in(&mut self, from: Day, to: Day) -> Day {
        self.rng.gen_range(from..=to)
    }
}

/// What kind of trainee a cadre is in the story.
#[derive(Clone, Copy, Default)]
struct Story {
    weak_ideals: bool,
    frequent: bool,
    repeater: bool,
    short_hours: bool,
    weak_discipline_unit: bool,
}

/// Whether a cadre of this story stays away from a course with these weights.
fn avoids(s: &Story, w: &[f32]) -> bool {
    (s.weak_ideals && (w[D_IDEALS] > 0.0 || w[D_MORALS] >= 0.5)) || (s.weak_discipline_unit && w[D_DISCIPLINE] > 0.0)
}

pub fn generate(scale: Scale) -> Dataset {
    generate_seeded(scale, DEFAULT_SEED)
}

pub fn generate_seeded(scale: Scale, seed: u64) -> Dataset {
    let mut records = crate::model::Records::default();
    let mut ds = generate_streaming(scale, seed, &mut |_, rs| rs.iter().for_each(|&r| records.push(r)));
    records.finalize(ds.cadres.len());
    ds.records = records;
    ds
}

/// The same city, its records handed to `sink` one cadre at a time (sorted
/// by date, as the dataset holds them) instead of kept: the returned dataset
/// has every table but the records. What a scale too big to hold is written from.
///
/// The tables are drawn in this order from one random stream: changing the
/// order (or a draw) changes the city.
pub fn generate_streaming(scale: Scale, seed: u64, sink: &mut dyn FnMut(&Dataset, &[Record])) -> Dataset {
    let mut g = Gen { rng: ChaCha8Rng::seed_from_u64(seed) };
    let mut ds = Dataset::default();
    dimensions(&mut ds);
    units(&mut g, &mut ds);
    let teachers_by_dim = teachers(&mut g, &mut ds);
    let courses = courses(&mut g, &mut ds, &teachers_by_dim);
    let trainees = cadres(&mut g, &mut ds, scale.cadres());
    let classes = classes(&mut g, &mut ds, &courses.by_dim_mode, scale.cadres());
    let rate = records(&mut g, &ds, &courses, &trainees, &classes, sink);
    ratings(&mut g, &mut ds, &courses.quality, rate);
    requirements(&mut ds);
    ds
}

const N_DIMS: usize = DEFAULT_DIMENSIONS.len();

fn dimensions(ds: &mut Dataset) {
    for (i, d) in DEFAULT_DIMENSIONS.iter().enumerate() {
        let saturation_hours = if i == 9 { 30.0 } else { 20.0 };
        ds.dimensions.insert(d, Dimension { name: d.to_string(), saturation_hours }).unwrap();
    }
}

/// Units: city departments, districts/counties, and below each district two
/// departments and three townships/streets.
fn units(g: &mut Gen, ds: &mut Dataset) {
    let mut uid = 0;
    let mut next_uid = || {
        uid += 1;
        format!("U{uid:03}")
    };
    for name in CITY_DEPARTMENTS {
        ds.units.insert(&next_uid(), Unit { name: name.into(), parent: None }).unwrap();
    }
    let mut places: Vec<&str> = PLACE_SYLLABLES.to_vec();
    places.shuffle(&mut g.rng);
    let mut place_iter = places.iter().cycle();
    for d in DISTRICTS {
        let parent = ds.units.insert(&next_uid(), Unit { name: d.into(), parent: None }).unwrap();
        let short = &d[..d.len() - "区".len()];
        let level = if d.ends_with('县') { "县" } else { "区" };
        for dept in DISTRICT_DEPTS {
            ds.units.insert(&next_uid(), Unit { name: format!("{short}{level}{dept}"), parent: Some(parent) }).unwrap();
        }
        for k in 0..3 {
            let kind = if level == "区" {
                if k == 2 { "镇" } else { "街道" }
            } else if k == 0 {
                "镇"
            } else {
                "乡"
            };
            ds.units.insert(&next_uid(), Unit { name: format!("{d}{}{kind}", place_iter.next().unwrap()), parent: Some(parent) }).unwrap();
        }
    }
}

/// Teachers: one or two specialties each. Returns the teachers of each dimension.
fn teachers(g: &mut Gen, ds: &mut Dataset) -> Vec<Vec<u32>> {
    for t in 0..N_TEACHERS {
        let main = t % N_DIMS;
        let mut specialty = vec![main as u32];
        if g.chance(0.4) {
            let other = g.idx(N_DIMS) as u32;
            if other != main as u32 {
                specialty.push(other);
            }
        }
        let name = g.name();
        ds.teachers.insert(&format!("T{:03}", t + 1), Teacher { name, specialty }).unwrap();
    }
    (0..N_DIMS).map(|d| ds.teachers.iter().filter(|(_, _, t)| t.specialty.contains(&(d as u32))).map(|(i, _, _)| i).collect()).collect()
}

/// What the story knows of each course beyond the dataset.
#[derive(Default)]
struct CourseFacts {
    quality: Vec<f64>,
    /// (dimension, topic) of each course: the same topic in another format is a near-duplicate.
    topic: Vec<(usize, usize)>,
    popularity: Vec<f64>,
    /// The courses of each dimension, by mode (offline, online, blended).
    by_dim_mode: Vec<[Vec<u32>; 3]>,
}

/// Courses: 25 per dimension, a main dimension and up to two others.
fn courses(g: &mut Gen, ds: &mut Dataset, teachers_by_dim: &[Vec<u32>]) -> CourseFacts {
    let mut facts = CourseFacts { by_dim_mode: vec![Default::default(); N_DIMS], ..Default::default() };
    let mut cid = 0;
    for d in 0..N_DIMS {
        let mut combos: Vec<(usize, usize)> = (0..TOPICS[d].len()).flat_map(|t| (0..FORMATS.len()).map(move |f| (t, f))).collect();
        combos.shuffle(&mut g.rng);
        for &(t, f) in combos.iter().take(COURSES_PER_DIM) {
            cid += 1;
            let (suffix, mode, hours) = FORMATS[f];
            let hours = *g.pick(hours);
            let w = course_weights(g, d);
            let teacher = (mode != Mode::Online || g.chance(0.5)).then(|| *g.pick(&teachers_by_dim[d]));
            let title = format!("{}（{suffix}）", TOPICS[d][t]);
            let c = ds.courses.insert(&format!("K{cid:04}"), Course { title, hours, mode, teacher }).unwrap();
            ds.course_weights.extend(w);
            // A few niche gems: excellent but rarely chosen.
            let niche = cid % 47 == 0;
            facts.topic.push((d, t));
            facts.quality.push(if niche { 4.9 } else { g.rng.gen_range(3.4..4.8) });
            facts.popularity.push(if niche { 0.02 } else { g.rng.gen_range(0.3..1.5) });
            let m = match mode {
                Mode::Offline => 0,
                Mode::Online => 1,
                Mode::Blended => 2,
            };
            facts.by_dim_mode[d][m].push(c);
        }
    }
    facts
}

/// A course's weights: most on its main dimension `d`, the rest on others.
fn course_weights(g: &mut Gen, d: usize) -> Vec<f32> {
    let mut w = vec![0f32; N_DIMS];
    let main_w: f32 = [1.0, 0.8, 0.7, 0.6][g.idx(4)];
    w[d] = main_w;
    let mut rest = 1.0 - main_w;
    while rest > 1e-6 {
        let o = g.idx(N_DIMS);
        if o == d {
            continue;
        }
        let part = if rest > 0.25 { 0.2 } else { rest };
        w[o] += part;
        rest -= part;
    }
    w
}

/// Each cadre's story and liking for each dimension.
struct Trainees {
    stories: Vec<Story>,
    prefs: Vec<[f64; 12]>,
}

/// Cadres, and the story of each.
fn cadres(g: &mut Gen, ds: &mut Dataset, n_cadres: usize) -> Trainees {
    let weak_unit = ds.units.lookup(WEAK_DISCIPLINE_UNIT).unwrap();
    let n_units = ds.units.len();
    let rank_w: Vec<f64> = RANKS.iter().map(|r| r.1).collect();
    let mut out = Trainees { stories: Vec::with_capacity(n_cadres), prefs: Vec::with_capacity(n_cadres) };
    for i in 0..n_cadres {
        let unit = if i < 4 { 20 + i as u32 } else { g.rng.gen_range(0..n_units as u32) };
        let rank = if i < 4 { "乡科级" } else { RANKS[g.weighted(&rank_w)].0 };
        let post = *g.pick(&POSTS);
        let name = g.name();
        // Most cadres are Party members; some are branch secretaries or committee members.
        let party_role = match (i * 37 + 11) % 100 {
            0..=7 => "支部书记",
            8..=15 => "支委委员",
            16..=89 => "党员",
            _ => "群众",
        };
        ds.cadres.insert(&format!("C{:06}", i + 1), Cadre { name, unit, rank: rank.into(), post: post.into(), party_role: party_role.into() }).unwrap();
        let s = Story {
            weak_ideals: i == 0 || (i >= 4 && g.chance(0.03)),
            frequent: i == 1 || (i >= 4 && g.chance(0.005)),
            repeater: i == 2 || (i >= 4 && g.chance(0.03)),
            short_hours: i == 3 || (i >= 4 && g.chance(0.05)),
            weak_discipline_unit: unit == weak_unit,
        };
        out.prefs.push(preferences(g, post, &s));
        out.stories.push(s);
    }
    out
}

/// How much a cadre of this post and story likes each dimension.
fn preferences(g: &mut Gen, post: &str, s: &Story) -> [f64; 12] {
    let mut p = [1.0f64; 12];
    for x in p.iter_mut() {
        *x = g.rng.gen_range(0.6..1.4);
    }
    let post_dim = match post {
        "纪检监察" => Some(7),
        "组织人事" | "基层党建" => Some(6),
        "政法" => Some(8),
        "宣传思想" => Some(3),
        "经济管理" => Some(9),
        "社会事业" => Some(10),
        _ => None,
    };
    if let Some(d) = post_dim {
        p[d] *= 2.0;
    }
    if s.weak_ideals {
        p[D_IDEALS] *= 0.03;
        p[D_MORALS] *= 0.1;
    }
    if s.weak_discipline_unit {
        p[D_DISCIPLINE] *= 0.03;
    }
    p
}

/// Per year, per class type: each class with its courses.
type Classes = Vec<(u32, Vec<u32>)>;

/// Classes: per year, per type, enough seats for the year's attendance.
fn classes(g: &mut Gen, ds: &mut Dataset, by_dim_mode: &[[Vec<u32>; 3]], n_cadres: usize) -> Vec<[Classes; 4]> {
    let per_year = (n_cadres / 60).max(6);
    let mut classes_by_year_type: Vec<[Classes; 4]> = Vec::new();
    let mut clid = 0;
    for year in FIRST_YEAR..=LAST_YEAR {
        let mut slot: [Vec<(u32, Vec<u32>)>; 4] = Default::default();
        for k in 0..per_year {
            let (kind, ti) = match k % 6 {
                0 => (ClassType::FullTime, 0),
                1 | 2 => (ClassType::Concentrated, 1),
                3 | 4 => (ClassType::Online, 2),
                _ => (ClassType::Blended, 3),
            };
            let theme = g.idx(N_DIMS);
            let start = g.day_in(date::from_ymd(year, 2, 20).unwrap(), date::from_ymd(year, 11, 30).unwrap());
            let days = match kind {
                ClassType::FullTime => g.rng.gen_range(30..60),
                ClassType::Concentrated => g.rng.gen_range(10..18),
                ClassType::Online => g.rng.gen_range(20..60),
                ClassType::Blended => g.rng.gen_range(10..30),
            };
            let who = match kind {
                ClassType::FullTime => "县处级干部进修班",
                ClassType::Concentrated => ["乡科级干部培训班", "年轻干部培训班", "基层党组织书记培训班"][k % 3],
                ClassType::Online => "专题网络培训班",
                ClassType::Blended => "混合式专题培训班",
            };
            let season = ["春季", "夏季", "秋季", "冬季"][((date::to_naive(start).format("%m").to_string().parse::<u32>().unwrap() - 1) / 3) as usize];
            let name = format!("{year}年{season}{}{who}（第{}期）", DEFAULT_DIMENSIONS[theme], k / 6 + 1);
            clid += 1;
            let c = ds
                .classes
                .insert(&format!("B{clid:05}"), Class { name, kind, start, end: (start + days).min(date::year_end(year)), capacity: g.rng.gen_range(40..=120) })
                .unwrap();
            slot[ti].push((c, class_courses(g, by_dim_mode, kind, theme)));
        }
        classes_by_year_type.push(slot);
    }
    classes_by_year_type
}

/// A class's courses: half on its theme, the rest on the political core and others.
fn class_courses(g: &mut Gen, by_dim_mode: &[[Vec<u32>; 3]], kind: ClassType, theme: usize) -> Vec<u32> {
    let mode_i = if kind == ClassType::Online {
        1
    } else if kind == ClassType::Blended {
        2
    } else {
        0
    };
    let mut cs: Vec<u32> = Vec::new();
    let n_courses = 4 + g.idx(5);
    for attempt in 0..64 {
        if cs.len() >= n_courses {
            break;
        }
        let d = if attempt < 8 && cs.len() < n_courses / 2 { theme } else { g.idx(N_DIMS) };
        let pool = &by_dim_mode[d][mode_i];
        let pool = if pool.is_empty() { &by_dim_mode[d][0] } else { pool };
        if pool.is_empty() {
            continue;
        }
        let k = *g.pick(pool);
        if !cs.contains(&k) {
            cs.push(k);
        }
    }
    cs
}

/// A completed record to be rated: (cadre, course, date, completed).
type ToRate = (u32, u32, Day, bool);

/// The courses a cadre may study online, by dimension, and their popularity.
struct Online {
    pool: Vec<Vec<u32>>,
    pop: Vec<Vec<f64>>,
}

/// Records, one cadre at a time into `sink`. Returns the records to be rated.
fn records(
    g: &mut Gen,
    ds: &Dataset,
    courses: &CourseFacts,
    trainees: &Trainees,
    classes: &[[Classes; 4]],
    sink: &mut dyn FnMut(&Dataset, &[Record]),
) -> Vec<ToRate> {
    let mut records: Vec<Record> = Vec::new(); // one cadre's
    let mut rate: Vec<ToRate> = Vec::new();
    let by_dim_mode = &courses.by_dim_mode;
    let pool: Vec<Vec<u32>> = (0..N_DIMS).map(|d| [&by_dim_mode[d][1][..], &by_dim_mode[d][2][..]].concat()).collect();
    let pop: Vec<Vec<f64>> = pool.iter().map(|p| p.iter().map(|&c| courses.popularity[c as usize]).collect()).collect();
    let online = Online { pool, pop };
    for c in 0..trainees.stories.len() {
        let rank = ds.cadres.get(c as u32).rank.clone();
        let senior = rank == "县处级" || rank == "厅局级";
        let mut t = Trainee {
            ds,
            cadre: c as u32,
            story: trainees.stories[c],
            records: &mut records,
            rate: &mut rate,
            history: Vec::new(),
            course_topic: &courses.topic,
        };
        for (yi, year) in (FIRST_YEAR..=LAST_YEAR).enumerate() {
            t.study_online(g, &trainees.prefs[c], &online, year, yi);
            t.attend_classes(g, senior, &classes[yi]);
        }
        // Stable by date, as `Records::finalize` orders a cadre's records.
        records.sort_by_key(|r| r.date);
        sink(ds, &records);
        records.clear();
    }
    rate
}

/// One cadre's records as they are drawn.
struct Trainee<'a> {
    ds: &'a Dataset,
    cadre: u32,
    story: Story,
    records: &'a mut Vec<Record>,
    rate: &'a mut Vec<ToRate>,
    /// Topics taken, with dates: nobody but the planted repeaters retakes a topic within 3 years.
    history: Vec<((usize, usize), Day)>,
    course_topic: &'a [(usize, usize)],
}

impl Trainee<'_> {
    fn push(&mut self, g: &mut Gen, course: u32, class: Option<u32>, day: Day) {
        let ds = self.ds;
        let completed = g.chance(0.95);
        let scored = ds.courses.get(course).mode != Mode::Offline || g.chance(0.4);
        let score = (completed && scored).then(|| (g.rng.gen_range(0.0..1.0f64) * 30.0 + 70.0 - if g.chance(0.1) { 20.0 } else { 0.0 }).round() as f32);
        let hours = ds.courses.get(course).hours as f32;
        self.records.push(Record { cadre: self.cadre, course, class, date: day, hours, score, completed });
        if completed && g.chance(0.25) {
            self.rate.push((self.cadre, course, day, completed));
        }
    }

    /// Whether the course's topic was taken within 3 years of `day`.
    fn recent(&self, course: u32, day: Day) -> bool {
        let t = self.course_topic[course as usize];
        self.history.iter().any(|&(k, d)| k == t && (day - d).abs() < 1096)
    }

    /// Online self-study: about 50 学时 a year.
    fn study_online(&mut self, g: &mut Gen, p: &[f64; 12], online: &Online, year: i32, yi: usize) {
        let (y0, y1) = (date::from_ymd(year, 1, 1).unwrap(), date::from_ymd(year, 12, 31).unwrap());
        let s = self.story;
        let mut target = if s.short_hours { g.rng.gen_range(14.0..34.0) } else { g.rng.gen_range(44.0..56.0) };
        let mut taken: Vec<u32> = Vec::new();
        for _ in 0..64 {
            if target <= 0.0 {
                break;
            }
            let d = g.weighted(p);
            if online.pool[d].is_empty() {
                continue;
            }
            let course = online.pool[d][g.weighted(&online.pop[d])];
            let day = g.day_in(y0, y1);
            if taken.contains(&course) || avoids(&s, self.ds.weights(course)) || self.recent(course, day) {
                continue;
            }
            taken.push(course);
            self.history.push((self.course_topic[course as usize], day));
            target -= self.ds.courses.get(course).hours;
            self.push(g, course, None, day);
            if s.repeater && yi.is_multiple_of(2) && taken.len() == 1 {
                // The same course again 6–18 months later (重复培训).
                let again = (day + g.rng.gen_range(180..540)).min(date::from_ymd(LAST_YEAR, 12, 31).unwrap());
                self.push(g, course, None, again);
            }
        }
    }

    /// Classes of one year (`by_type`: that year's classes by type).
    fn attend_classes(&mut self, g: &mut Gen, senior: bool, by_type: &[Classes; 4]) {
        let s = self.story;
        let n_classes = if s.frequent {
            g.rng.gen_range(3..=4)
        } else if g.chance(if senior { 0.75 } else { 0.8 }) {
            1
        } else {
            0
        };
        for _ in 0..n_classes {
            let ti = if senior && g.chance(0.8) { 0 } else { *g.pick(&[1usize, 1, 1, 2, 3]) };
            let pool = &by_type[ti];
            if pool.is_empty() {
                continue;
            }
            let (class, cs) = &pool[g.idx(pool.len())];
            let cl = self.ds.classes.get(*class).clone();
            let k = 2.min(cs.len());
            let mut picked = 0;
            for &course in cs.iter() {
                if picked >= k {
                    break;
                }
                let day = g.day_in(cl.start, cl.end);
                // Weak cadres skip the sessions that touch their weak dimensions;
                // frequent trainees may sit a topic again, others do not.
                if avoids(&s, self.ds.weights(course)) || (!s.frequent && self.recent(course, day)) {
                    continue;
                }
                self.history.push((self.course_topic[course as usize], day));
                self.push(g, course, Some(*class), day);
                picked += 1;
            }
        }
    }
}

/// Ratings: a quarter of completed records, around the course's quality.
fn ratings(g: &mut Gen, ds: &mut Dataset, quality: &[f64], rate: Vec<ToRate>) {
    for (cadre, course, day, _) in rate {
        let q = quality[course as usize] + g.rng.gen_range(-0.9..0.9);
        let score = q.round().clamp(1.0, 5.0) as f32;
        ds.ratings.push(Rating { cadre, course, teacher: ds.courses.get(course).teacher, score, date: Some(day + g.rng.gen_range(0..3)) });
    }
}

/// Requirements: by rank over every dimension, raised for some posts.
fn requirements(ds: &mut Dataset) {
    let core = [0usize, 1, 2, 3, 7];
    for (rank, base) in [("厅局级", 70.0), ("县处级", 65.0), ("乡科级", 60.0), ("一般干部", 55.0)] {
        for d in 0..N_DIMS {
            let target = if core.contains(&d) { base + 5.0 } else { base - 5.0 };
            ds.requirements.push(Requirement { rank: Some(rank.into()), post: None, dimension: d as u32, target });
        }
    }
    for (post, d, target) in
        [("纪检监察", 7, 85.0), ("纪检监察", 6, 75.0), ("组织人事", 6, 80.0), ("政法", 8, 80.0), ("基层党建", 10, 75.0), ("基层党建", 6, 75.0)]
    {
        ds.requirements.push(Requirement { rank: None, post: Some(post.into()), dimension: d, target });
    }
}
