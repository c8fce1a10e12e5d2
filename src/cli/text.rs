//! Terminal views: bars per dimension with the target marked, readable reports.

use zhichu::analytics::recommend::Recommendations;
use zhichu::analytics::Profile;
use zhichu::ingest::Report;

/// Display width in a terminal: CJK characters take two columns.
fn width(s: &str) -> usize {
    s.chars().map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 }).sum()
}

fn pad(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

const BAR: usize = 40;

/// A 0–100 bar, with `│` where the target is.
fn bar(value: f64, target: Option<f64>) -> String {
    let filled = ((value / 100.0) * BAR as f64).round().clamp(0.0, BAR as f64) as usize;
    let mark = target.map(|t| ((t / 100.0) * BAR as f64).round().clamp(0.0, BAR as f64 - 1.0) as usize);
    (0..BAR)
        .map(|i| {
            if Some(i) == mark {
                '│'
            } else if i < filled {
                '█'
            } else {
                '·'
            }
        })
        .collect()
}

pub fn profile(p: &Profile) {
    let c = &p.cadre;
    println!("{}（{}）· {} · {} · {}    截至 {}", c.name, c.cadre_id, c.unit_name, c.rank, c.post, p.as_of);
    println!("参训知识储备度（0–100，│ 为岗位目标）");
    let w = p.dimensions.iter().map(|d| width(&d.dimension)).max().unwrap_or(8);
    for d in &p.dimensions {
        let target = match (d.target, d.gap) {
            (Some(t), Some(g)) if g > 0.0 => format!("目标 {t:.0}  缺口 {g:.1}"),
            (Some(t), _) => format!("目标 {t:.0}  已达标"),
            _ => "无目标".to_string(),
        };
        println!("  {} {} {:>5.1}  {}  同职级 P{:.0}", pad(&d.dimension, w), bar(d.reserve, d.target), d.reserve, target, d.percentile);
    }
    let mut gaps: Vec<_> = p.dimensions.iter().filter(|d| d.gap.unwrap_or(0.0) > 0.0).collect();
    gaps.sort_by(|a, b| b.gap.unwrap_or(0.0).total_cmp(&a.gap.unwrap_or(0.0)));
    if !gaps.is_empty() {
        println!("短板：{}", gaps.iter().take(3).map(|d| format!("{}（缺口 {:.1}）", d.dimension, d.gap.unwrap_or(0.0))).collect::<Vec<_>>().join("、"));
    }
}

pub fn recommendations(r: &Recommendations) {
    let c = &r.cadre;
    println!("为 {}（{}）推荐课程，截至 {}", c.name, c.cadre_id, r.as_of);
    if r.recommendations.is_empty() {
        println!("  没有能提高储备度的可选课程（近期已学过的课程不再推荐）。");
    }
    for (i, x) in r.recommendations.iter().enumerate() {
        let rating = match x.rating.mean {
            Some(m) => format!("★{m:.1}（{}人评，修正后 {:.2}）", x.rating.n, x.rating.shrunk),
            None => "暂无评分".into(),
        };
        println!("{:>2}. {} {}  {}学时 {}  {}", i + 1, x.course_id, x.title, x.hours, x.mode, rating);
        println!("    {}", x.reason);
    }
}

pub fn report(r: &Report) {
    println!("已载入：{}", r.loaded.iter().map(|(t, n)| format!("{t} {n}")).collect::<Vec<_>>().join("，"));
    for f in &r.files {
        println!("  {} [{}{}] → {}", f.file, f.format, f.encoding.map(|e| format!(", {e}")).unwrap_or_default(), f.tables.join(", "));
    }
    if !r.warnings.is_empty() {
        println!("提示 {} 条：", r.warnings.len());
        for w in &r.warnings {
            println!("  {w}");
        }
    }
    if r.errors.is_empty() {
        println!("没有错误。");
    } else {
        println!("错误 {} 条（这些行未载入，其余数据已载入）：", r.errors.len());
        for e in &r.errors {
            println!("  {e}");
        }
    }
}
