//! Analytics over a loaded dataset.
//!
//! - [`reserve`]: the knowledge-reserve formula (evidence, decay, saturation) — the one place it lives;
//! - [`targets`]: which requirement applies to a cadre;
//! - [`snapshot`]: every cadre's reserves at one date, for percentiles and peer medians;
//! - [`profile`]: one cadre's profile with its explanation and trend;
//! - [`ratings`]: shrunk (Bayesian) course ratings;
//! - [`recommend`]: courses ranked by the gaps they close;
//! - [`compliance`]: 学时 rules and each cadre's progress on them;
//! - [`archive`]: a cadre's e-archive (电子档案), every record in full;
//! - [`layout`]: unit training layout (培训布局) and the city ranking;
//! - [`fairness`]: repeated training, 培训专业户, uneven and missing training.

pub mod archive;
pub mod compliance;
pub mod fairness;
pub mod layout;
pub mod profile;
pub mod ratings;
pub mod recommend;
pub mod reserve;
pub mod snapshot;
pub mod targets;

pub use profile::{Profile, profile};
pub use recommend::{RecommendParams, Recommendations, recommend};
pub use reserve::Model;
pub use snapshot::Snapshot;
