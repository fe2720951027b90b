//! `sqlx::migrate!` embeds migrations/postgres at compile time; a migration added there must
//! rebuild the crate (sqlx's documented build script).
fn main() {
    println!("cargo:rerun-if-changed=../../migrations/postgres");
}
