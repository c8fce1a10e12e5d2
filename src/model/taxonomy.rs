//! The default topic taxonomy (DOMAIN.md), used when a dataset brings no
//! `dimensions` table.

/// The twelve default knowledge dimensions, in radar-chart order.
pub const DEFAULT_DIMENSIONS: [&str; 12] = [
    "理想信念",
    "党性修养",
    "道德品行",
    "理论武装",
    "党史国史",
    "形势政策",
    "党章党规与党务",
    "纪律与廉政",
    "法律法规",
    "履职能力与专业知识",
    "群众工作",
    "心理健康",
];

/// Theory and Party-spirit education (理论教育和党性教育): at least 70% of a
/// Party-school class's hours (seed 004, case 1).
pub const THEORY_DIMENSIONS: [&str; 7] = ["理想信念", "党性修养", "道德品行", "理论武装", "党史国史", "党章党规与党务", "纪律与廉政"];
