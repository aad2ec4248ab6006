//! The filter language as PostgreSQL SQL (being written).
