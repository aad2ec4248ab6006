//! Where events live: the trait every command reads and writes through, and its back ends.

pub mod functions;
pub mod schema;
