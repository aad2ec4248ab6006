//! The filter language as PostgreSQL SQL (placeholder until the emitter lands).

use crate::query::{Expr, Field};

#[derive(Debug, Clone)]
pub enum PgValue {
    Text(String),
    Int(i64),
    Float(f64),
    Bytes(Vec<u8>),
    TextArray(Vec<String>),
}

impl postgres::types::ToSql for PgValue {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut bytes::BytesMut,
    ) -> Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            PgValue::Text(v) => v.to_sql(ty, out),
            PgValue::Int(v) => v.to_sql(ty, out),
            PgValue::Float(v) => v.to_sql(ty, out),
            PgValue::Bytes(v) => v.to_sql(ty, out),
            PgValue::TextArray(v) => v.to_sql(ty, out),
        }
    }
    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }
    postgres::types::to_sql_checked!();
}

pub fn to_sql(expr: &Expr, _params: &mut Vec<PgValue>) -> String {
    match expr {
        Expr::All => "TRUE".into(),
        _ => "FALSE".into(),
    }
}

pub fn value_sql(_field: &Field, _params: &mut Vec<PgValue>) -> (String, bool) {
    ("user_name".into(), false)
}
