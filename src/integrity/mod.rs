//! Tamper evidence (docs/SPEC.md §7): the RFC 9162 Merkle tree, C2SP checkpoints signed with
//! Ed25519, and the checks `verify` makes.

pub mod merkle;
pub mod note;
pub mod search_terms;
pub mod verify;
