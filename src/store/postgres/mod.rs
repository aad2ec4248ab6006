//! The PostgreSQL back end: one log shared by many `serve` processes and CLI writers, in a
//! database its operators already run.

pub mod schema;
pub mod sql;
