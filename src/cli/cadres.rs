//! `zhichu cadres`: find cadres by id or part of a name. Exit 3 when none matches.

use super::term::out;
use super::{DataArgs, Fail, load};
use zhichu::engine::questions::{Answer, Question};
use zhichu::engine::requests::CadreSearch;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    req: CadreSearch,
    #[command(flatten)]
    out: super::Output,
}

pub fn run(a: Args) -> Result<i32, Fail> {
    let answer = a.out.ask(&mut super::quiet(load(&a.data)?), Question::Cadres(a.req), Answer::cadres, |hits| {
        for h in hits {
            out!("{}\t{}\t{}\t{}\t{}", h.cadre_id, h.name, h.unit_name, h.rank, h.post);
        }
    })?;
    Ok(if answer.cadres().is_none_or(|h| h.is_empty()) { super::EXIT_NOT_FOUND } else { 0 })
}
