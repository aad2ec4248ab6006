//! Integration tests: the real binary in a pinned environment (temporary HOME and store,
//! TZ=UTC, COLUMNS=100, NO_COLOR=1, a fixed "now").

mod answers;
mod browse;
mod cloudtrail;
mod common;
mod diff;
mod export;
mod filter;
mod follow;
mod generated;
mod import;
mod integrity;
mod k8s;
mod list;
mod mapping;
mod postgres;
mod pty;
mod readme;
mod readonly;
mod record;
mod remote;
mod revert;
mod search;
mod show;
mod stats;
mod store;
mod stress;
mod terminal;
mod trust;
mod writers;
