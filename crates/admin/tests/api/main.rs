//! End-to-end tests of the admin API: the real tonic server on 127.0.0.1:0 over SQLite and a
//! local blob folder, driven through `AdminClient`.

mod accounts;
mod auth;
mod transfer;
mod util;
