//! The SQLite schema's migrations (`migrations/sqlite`), applied in order at open, each in its
//! own transaction, and recorded in the table both backends keep
//! ([`crate::schema::MIGRATIONS_TABLE`], with the SHA-384 of each file): databases made by
//! earlier versions of Strata upgrade in place.

use crate::error::{Result, StoreError};
use crate::schema::MIGRATIONS_TABLE as TABLE;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha384};

/// Every migration, in order: (version, description, SQL). A test checks that this list and
/// the folder agree.
pub(crate) const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../../../../migrations/sqlite/0001_init.sql"),
    ),
    (
        2,
        "blobs",
        include_str!("../../../../migrations/sqlite/0002_blobs.sql"),
    ),
    (
        3,
        "scram",
        include_str!("../../../../migrations/sqlite/0003_scram.sql"),
    ),
    (
        4,
        "internal zone",
        include_str!("../../../../migrations/sqlite/0004_internal_zone.sql"),
    ),
    (
        5,
        "covering indexes",
        include_str!("../../../../migrations/sqlite/0005_covering_indexes.sql"),
    ),
    (
        6,
        "kept expunged",
        include_str!("../../../../migrations/sqlite/0006_kept_expunged.sql"),
    ),
    (
        7,
        "mailbox keywords",
        include_str!("../../../../migrations/sqlite/0007_mailbox_keywords.sql"),
    ),
];

/// Applies the migrations `conn`'s database lacks. `Cannot` if it has one this build does not
/// know or whose text changed (a newer or a tampered database).
pub(crate) fn run(conn: &mut Connection) -> Result<()> {
    conn.execute_batch(&format!(
        "CREATE TABLE IF NOT EXISTS {TABLE} (
             version BIGINT PRIMARY KEY,
             description TEXT NOT NULL,
             installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
             success BOOLEAN NOT NULL,
             checksum BLOB NOT NULL,
             execution_time BIGINT NOT NULL
         )"
    ))?;
    let applied: Vec<(i64, Vec<u8>)> = conn
        .prepare(&format!(
            "SELECT version, checksum FROM {TABLE} WHERE success ORDER BY version"
        ))?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (version, checksum) in &applied {
        let known = MIGRATIONS.iter().find(|m| m.0 == *version);
        match known {
            Some((_, _, sql)) if Sha384::digest(sql.as_bytes()).as_slice() == checksum => {}
            Some(_) => {
                return Err(StoreError::Cannot(format!(
                    "migration {version} was applied from a different text"
                )));
            }
            None => {
                return Err(StoreError::Cannot(format!(
                    "the database has migration {version}, which this Strata does not know: \
                     it was made by a newer version"
                )));
            }
        }
    }
    for (version, description, sql) in MIGRATIONS {
        if applied.iter().any(|a| a.0 == *version) {
            continue;
        }
        let started = std::time::Instant::now();
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        let failed: Option<i64> = tx
            .query_row(
                &format!("SELECT version FROM {TABLE} WHERE version = ?1"),
                params![version],
                |r| r.get(0),
            )
            .optional()?;
        if failed.is_some() {
            // A failed attempt of an earlier version left its row: replace it.
            tx.execute(
                &format!("DELETE FROM {TABLE} WHERE version = ?1"),
                params![version],
            )?;
        }
        tx.execute(
            &format!(
                "INSERT INTO {TABLE} (version, description, success, checksum, execution_time) \
                 VALUES (?1, ?2, TRUE, ?3, ?4)"
            ),
            params![
                version,
                description,
                Sha384::digest(sql.as_bytes()).to_vec(),
                i64::try_from(started.elapsed().as_nanos()).unwrap_or(i64::MAX)
            ],
        )?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file of migrations/sqlite is in [`MIGRATIONS`], in order, and nothing else is.
    #[test]
    fn the_list_matches_the_folder() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations/sqlite");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        files.sort();
        let listed: Vec<String> = MIGRATIONS
            .iter()
            .map(|(v, d, _)| format!("{v:04}_{}.sql", d.replace(' ', "_")))
            .collect();
        assert_eq!(files, listed);
        for ((_, _, sql), file) in MIGRATIONS.iter().zip(&files) {
            let on_disk = std::fs::read_to_string(format!("{dir}/{file}")).unwrap();
            assert_eq!(*sql, on_disk, "{file}");
        }
    }

    #[test]
    fn migrates_once_and_refuses_an_unknown_version() {
        let mut c = Connection::open_in_memory().unwrap();
        run(&mut c).unwrap();
        run(&mut c).unwrap();
        let n: i64 = c
            .query_row(&format!("SELECT COUNT(*) FROM {TABLE}"), [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, MIGRATIONS.len() as i64);
        c.execute(
            &format!(
                "INSERT INTO {TABLE} (version, description, success, checksum, execution_time) \
                 VALUES (99, 'future', TRUE, x'00', 0)"
            ),
            [],
        )
        .unwrap();
        assert!(matches!(run(&mut c), Err(StoreError::Cannot(_))));
    }
}
