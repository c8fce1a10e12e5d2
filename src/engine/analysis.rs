//! The analysis questions (feature `analysis`): the engine resolves what a
//! request names (the date's snapshot, a unit's subtree, a years filter) and
//! asks its [`crate::analysis::Session`], which holds the analysis tables.

use super::Engine;
use super::requests::AsOfRequest;
use crate::analysis::{Analysis, PivotRequest, SqlRequest, TableInfo, query};
use crate::error::Result;

impl Engine {
    /// Every analysis table with its columns (name, type, meaning) and row count.
    pub fn analysis_tables(&mut self, req: &AsOfRequest) -> Result<Vec<TableInfo>> {
        let model = self.model();
        self.at(req.as_of.as_deref())?;
        let (ds, snap, session) = self.analysis_parts();
        session.table_info(ds, snap, model)
    }

    /// A pivot (数据透视), its first `limit` rows.
    pub fn pivot(&mut self, req: &PivotRequest) -> Result<Analysis> {
        query::check_limit(req.limit)?;
        let mut a = self.pivot_all(req)?;
        a.truncate(req.limit);
        Ok(a)
    }

    /// A read-only SQL query over the analysis tables, its first `limit` rows.
    pub fn sql(&mut self, req: &SqlRequest) -> Result<Analysis> {
        query::check_limit(req.limit)?;
        let mut a = self.sql_all(req)?;
        a.truncate(req.limit);
        Ok(a)
    }

    /// A pivot, every row (what exports write).
    pub(crate) fn pivot_all(&mut self, req: &PivotRequest) -> Result<Analysis> {
        let subtree = match req.unit.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(u) => {
                let k = self.find_unit(u)?;
                Some(self.dataset().unit_subtree(k).into_iter().map(|i| self.dataset().units.id(i).to_string()).collect())
            }
            None => None,
        };
        let years = match req.years.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Some(super::parse_year_filter(s)?),
            None => None,
        };
        let model = self.model();
        self.at(req.as_of.as_deref())?;
        let (ds, snap, session) = self.analysis_parts();
        session.pivot(ds, snap, model, req, subtree, years)
    }

    /// A query, every row (what exports write).
    pub(crate) fn sql_all(&mut self, req: &SqlRequest) -> Result<Analysis> {
        let model = self.model();
        self.at(req.as_of.as_deref())?;
        let (ds, snap, session) = self.analysis_parts();
        session.sql(ds, snap, model, &req.query)
    }
}
