//! Facts about the schema that both backends share (the schemas themselves are
//! `migrations/sqlite` and `migrations/postgres`: the same tables, columns and indexes, only the
//! type names differ).

/// The table in which each database records the migrations applied to it (version,
/// description, SHA-384 checksum of the file, …). The PostgreSQL driver's migrator (sqlx)
/// names and fills it; the SQLite driver keeps the same table in the same format, which is also
/// the table SQLite databases made by earlier versions of Strata have, so they upgrade in
/// place.
pub const MIGRATIONS_TABLE: &str = "_sqlx_migrations";
