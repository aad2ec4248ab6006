//! auditctl: query, diff, export, verify and revert audit logs from the terminal.

pub mod change;
pub mod model;
pub mod query;
pub mod store;
pub mod timespec;
