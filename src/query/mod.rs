//! The filter language (docs/SPEC.md §4): one expression tree, built from the quick flags or
//! parsed from text, run as SQL on the store and as an in-memory match on JSON Lines.

pub mod ast;
pub mod entry_pieces;
pub mod error;
pub mod eval;
pub mod parse;
pub mod prefilter;
pub mod print;
pub mod quick;
pub mod search;
pub mod sensitive;
pub mod sql;

#[cfg(test)]
pub(crate) mod agree_tests;

pub use ast::{CmpOp, Expr, Field, Literal, Path, Segment};
pub use eval::Matcher;
pub use parse::parse;
