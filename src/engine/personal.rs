//! An engine opened from a 个人档案包 (personal mode): what it knows of the
//! package, and the peer statistics it uses in place of the other cadres it
//! does not hold. `crate::package` makes it; the engine only keeps it.

use crate::analytics::snapshot::Peers;
use serde::Serialize;

/// What an engine opened from a package knows of it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PackageInfo {
    pub issuer: String,
    pub issued: String,
    pub as_of: String,
    pub cadre_id: String,
    /// The issuer's public-key fingerprint (SM3).
    pub fingerprint: String,
    /// Sealed with a 提取码 (else only signed).
    pub sealed: bool,
}

/// The peer statistics an engine opened from a package uses in place of
/// its own (it holds one cadre).
#[derive(Debug, Clone)]
pub struct Personal {
    pub info: PackageInfo,
    pub as_of: crate::model::Day,
    pub peers: Peers,
}
