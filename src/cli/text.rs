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

pub fn layout(l: &zhichu::analytics::layout::Layout) {
    println!("{}（{}）培训布局 · {} 名干部{} · 截至 {} · 对比：{}", l.unit_name, l.unit_id, l.cadres, if l.include_subunits { "（含下级单位）" } else { "" }, l.as_of, if l.compared_with == "city" { "全市" } else { &l.compared_with });
    let w = l.dimensions.iter().map(|d| width(&d.dimension)).max().unwrap_or(8);
    print!("  {}", pad("维度", w));
    for y in &l.years {
        print!(" {y:>6}");
    }
    println!("   储备度 对比   覆盖率  短板人数");
    for d in &l.dimensions {
        print!("  {}", pad(&d.dimension, w));
        for h in &d.hours_by_year {
            print!(" {h:>6.0}");
        }
        println!("   {:>5.1} {:>5.1}  {:>5.0}%  {:>6}", d.mean_reserve, d.compare_mean_reserve, d.coverage * 100.0, d.cadres_short);
    }
    println!("薄弱点（按平均缺口）：{}", if l.weak_points.is_empty() { "无".to_string() } else { l.weak_points.join(" > ") });
}

pub fn city_ranking(r: &[(String, Vec<zhichu::analytics::layout::UnitRank>)]) {
    for (dim, units) in r {
        let top: Vec<String> = units.iter().take(3).map(|u| format!("{} {:.1}", u.unit_name, u.mean_reserve)).collect();
        let bottom: Vec<String> = units.iter().rev().take(3).map(|u| format!("{} {:.1}", u.unit_name, u.mean_reserve)).collect();
        println!("{}：前 {} … 后 {}", dim, top.join("、"), bottom.join("、"));
    }
}

pub fn ratings(t: &zhichu::analytics::ratings::RatingTable, top: usize) {
    println!("{}评分（修正均值 = 向总体均值 {:.2} 收缩 {} 票；区间约 95%）", if t.by == "teacher" { "教师" } else { "课程" }, t.overall_mean, t.prior_weight);
    for (i, r) in t.rows.iter().take(top).enumerate() {
        let mean = r.mean.map(|m| format!("{m:.2}")).unwrap_or_else(|| "—".into());
        println!("{:>3}. {} {}  修正 {:.2} [{:.2}, {:.2}]  原始 {} ({} 票)  选课 {}", i + 1, r.id, r.name, r.shrunk, r.low, r.high, mean, r.n, r.records);
    }
    println!("优质受欢迎：{}", t.excellent_and_popular.join("、"));
    println!("评分低或少人选：{}", t.poor_or_rare.join("、"));
}

pub fn fairness(f: &zhichu::analytics::fairness::Fairness) {
    println!("截至 {}，近 {} 年", f.as_of, f.window_years);
    println!("重复培训 {} 次（同一课程 {}，相近课程 {}）", f.repeats.len(), f.repeats.iter().filter(|r| r.kind == "same").count(), f.repeats.iter().filter(|r| r.kind == "near").count());
    for r in f.repeats.iter().take(10) {
        println!("  {} {} {}：{} → {}{}", r.cadre_id, r.name, r.title, r.first_date, r.repeat_date, if r.kind == "near" { format!("（与 {} 相近）", r.first_course_id) } else { String::new() });
    }
    println!("培训专业户（班次学时高于同职级 P95 且超过中位数 3 倍）{} 人", f.frequent_trainees.len());
    for t in f.frequent_trainees.iter().take(10) {
        println!("  {} {} {} · {} 学时 / {} 个班次（同职级中位数 {:.0}，{:.1} 倍）", t.cadre.cadre_id, t.cadre.name, t.cadre.rank, t.class_hours, t.classes, t.peer_median, t.ratio);
    }
    println!("从未参训 {} 人", f.never_trained.len());
    let mut units = f.units.clone();
    units.sort_by(|a, b| b.gini.total_cmp(&a.gini));
    for u in units.iter().filter(|u| u.cadres > 0).take(5) {
        println!("  {} 基尼系数 {:.2}，未参训 {} / {}", u.unit_name, u.gini, u.never_trained, u.cadres);
    }
}

pub fn compliance(g: &zhichu::analytics::compliance::GroupCompliance) {
    println!("{} 年学时达标：{} / {} 人全部达标（{:.1}%）", g.year, g.compliant, g.cadres, g.rate * 100.0);
    for r in &g.by_rule {
        println!("  {}：{} / {}（{:.1}%）", r.name, r.met, r.applicable, r.rate * 100.0);
    }
    println!("{} 年脱产班次理论与党性教育占比不足 70%：{} / {} 个", g.year, g.classes_below_theory_share.len(), g.classes_checked);
    for c in g.classes_below_theory_share.iter().take(5) {
        println!("  {} {}：{:.0}%", c.class_id, c.name, c.share * 100.0);
    }
    println!("未达标 {} 人次，差距最大的：", g.short.len());
    for s in g.short.iter().take(15) {
        println!("  {} {} {} · {}：{:.1} / {} 学时，还差 {:.1}（截止 {}）", s.cadre.cadre_id, s.cadre.name, s.cadre.unit_name, s.rule, s.earned_hours, s.required_hours, s.remaining_hours, s.deadline);
    }
}

pub fn plan(p: &zhichu::planning::plan::Plan) {
    println!("班次方案：{} 名学员，预算 {} 学时，已用 {} 学时，理论与党性教育占 {:.0}%，截至 {}", p.cohort, p.budget_hours, p.hours_used, p.theory_share * 100.0, p.as_of);
    for (i, c) in p.courses.iter().enumerate() {
        let t = match (&c.teacher_name, c.teacher_rating) {
            (Some(n), Some(r)) => format!("{n}（★{r:.2}）"),
            _ => "待定".into(),
        };
        println!("{:>2}. {} {} {}学时{}  教师 {}", i + 1, c.course_id, c.title, c.hours, if c.pinned { " [必选]" } else { "" }, t);
        println!("    {}", c.reason);
    }
    println!("全班平均储备度（前 → 后）：");
    let w = p.dimensions.iter().map(|d| width(d)).max().unwrap_or(8);
    for (d, name) in p.dimensions.iter().enumerate() {
        println!("  {} {:>5.1} → {:>5.1}  （平均缺口 {:.1}）", pad(name, w), p.before[d], p.after[d], p.mean_gap[d]);
    }
    println!("人均预计提升（缺口内）{:.1}", p.mean_gain);
    if !p.skipped_common.is_empty() {
        println!("多数学员近年已学、未排入：{}", p.skipped_common.join("、"));
    }
    for w in &p.warnings {
        println!("注意：{w}");
    }
}

pub fn assignment(a: &zhichu::planning::assign::Assignment) {
    println!("{}（{}）调训名单：{} 个名额，课程 {}；已参加或近年学过而排除 {} 人，因单位名额已满跳过 {} 人", a.class_name, a.class_id, a.capacity, a.courses.join("、"), a.excluded_recent, a.held_by_quota);
    for p in &a.picks {
        println!("{:>3}. {} {} {} {}  +{:.1}  {}", p.rank, p.cadre.cadre_id, p.cadre.name, p.cadre.unit_name, p.cadre.rank, p.expected_gain, p.reason);
    }
}
