//! What a document is: the schema's fields (the body's identity, its stored text and one 3-gram
//! field per text key), the text keys that search them, the document key, which shard holds an
//! account, and the format of a shard's documents, recorded with its watermarks in every
//! commit ([`Payload`]).

use super::{IndexError, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use store::{AccountId, BlobRef};
use tantivy::schema::{
    FAST, Field as TField, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions,
};

/// The format of what a document holds for a body: its grams and its stored text, as made
/// from mail-model's [`SearchText`](mail_model::SearchText) and imap-search's folding. Raise
/// it whenever either changes what a body gives: a shard whose payload records another format
/// (or none) is emptied when opened, its watermarks go back to 1, the indexer builds it again,
/// and searches meanwhile read the bodies as without an index, so they stay exact.
///
/// - 1 (recorded as a bare watermark map): headers, subjects, part headers, bodies, names.
/// - 2: also the address fields' parsed addresses (FROM/TO/CC/BCC, issue 17).
/// - 3: the stored text in postcard instead of JSON; oversize bodies keep their stored text
///   (up to [`MAX_STORED_TEXT`]); a header line's grams once (`Name: value`), not again for
///   the value alone (issue 16: the indexer was a third of the server's CPU under load).
pub(super) const FORMAT: u32 = 3;

/// What a shard records with every commit (tantivy's commit payload), so the documents and the
/// watermarks that vouch for them become visible together.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct Payload {
    /// [`FORMAT`] of the shard's documents.
    pub(super) format: u32,
    /// Per mailbox, every UID below this is indexed.
    pub(super) watermarks: BTreeMap<i64, u32>,
}

impl Payload {
    /// The payload of a shard in the current [`FORMAT`] with these watermarks.
    pub(super) fn encode(watermarks: &BTreeMap<i64, u32>) -> Result<String> {
        serde_json::to_string(&Payload {
            format: FORMAT,
            watermarks: watermarks.clone(),
        })
        .map_err(|e| IndexError::Data(format!("shard payload: {e}")))
    }

    /// The watermarks of a shard whose payload is `text`; `None` when its documents are not
    /// in the current [`FORMAT`] (an older one, no payload yet, or an unreadable one) and the
    /// shard must be emptied.
    pub(super) fn current(text: &str) -> Option<BTreeMap<i64, u32>> {
        serde_json::from_str::<Payload>(text)
            .ok()
            .filter(|p| p.format == FORMAT)
            .map(|p| p.watermarks)
    }
}

/// Which gram field a text key searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// The From header values and their parsed addresses.
    From,
    /// To.
    To,
    /// Cc.
    Cc,
    /// Bcc.
    Bcc,
    /// Subject, blanks collapsed as SUBJECT compares it.
    Subject,
    /// Every header line (`Name: value`, all parts), every text part, attachment names: a
    /// superset of what BODY, TEXT and HEADER look at.
    All,
}

/// A text key as the index sees it: the field and the search string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// FROM/TO/CC/BCC/SUBJECT.
    Header(Field),
    /// BODY, TEXT, HEADER name.
    Any,
}

/// Length of the grams every field is cut into.
pub(super) const GRAM: usize = 3;

/// Most decoded text (octets) of one body that is indexed. Past it the body is recorded as
/// oversize: high-entropy text would otherwise make the writer hold one posting per distinct
/// 3-gram (about 100 bytes each), hundreds of MB for a few large messages.
pub const MAX_TEXT: usize = 64 * 1024;

/// Most decoded text (octets) of one body whose folded text is stored. An oversize body up to
/// this gets no grams (a candidate for every needle) but its stored text, so a search confirms
/// it without reading and parsing the message; past it nothing is stored and searches read
/// the message.
pub const MAX_STORED_TEXT: usize = 1024 * 1024;

/// The schema's fields.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fields {
    pub(super) account: TField,
    /// `account:blobhex`, the document's identity.
    pub(super) key: TField,
    /// First 8 bytes of the body hash, to map hits back to messages.
    pub(super) blob64: TField,
    /// 1 for a body whose text is too large to index ([`MAX_TEXT`]): no grams; it is a
    /// candidate for every needle, confirmed on its stored text (read from the message when
    /// that is over [`MAX_STORED_TEXT`] too).
    pub(super) oversize: TField,
    pub(super) text: TField,
    pub(super) from: TField,
    pub(super) to: TField,
    pub(super) cc: TField,
    pub(super) bcc: TField,
    pub(super) subject: TField,
    pub(super) all: TField,
}

impl Fields {
    /// The gram field a text key searches.
    pub(super) fn of(&self, f: Field) -> TField {
        match f {
            Field::From => self.from,
            Field::To => self.to,
            Field::Cc => self.cc,
            Field::Bcc => self.bcc,
            Field::Subject => self.subject,
            Field::All => self.all,
        }
    }
}

/// The schema every shard is created with, and its fields.
pub(super) fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let grams = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("gram3")
            .set_index_option(IndexRecordOption::Basic),
    );
    let fields = Fields {
        account: b.add_u64_field("account", INDEXED),
        key: b.add_text_field("key", STRING | STORED),
        blob64: b.add_u64_field("blob64", FAST),
        oversize: b.add_u64_field("oversize", INDEXED),
        text: b.add_bytes_field("text", STORED),
        from: b.add_text_field("from", grams.clone()),
        to: b.add_text_field("to", grams.clone()),
        cc: b.add_text_field("cc", grams.clone()),
        bcc: b.add_text_field("bcc", grams.clone()),
        subject: b.add_text_field("subject", grams.clone()),
        all: b.add_text_field("all", grams),
    };
    (b.build(), fields)
}

/// The shard (of `shards`) that holds `account`'s documents. Account ids are database
/// sequence numbers: the modulus spreads them evenly. The cluster's raft shard map assigns
/// these same numbers to replicas.
pub fn shard_of(account: AccountId, shards: usize) -> usize {
    (account.0.unsigned_abs() % shards.max(1) as u64) as usize
}

/// The first 8 bytes of a body hash: how a hit names its body.
pub fn blob64(blob: &BlobRef) -> u64 {
    u64::from_be_bytes(blob.sha256[..8].try_into().unwrap_or_default())
}

/// A document's identity: `account:blobhex` (the `key` field).
pub(super) fn doc_key(account: AccountId, blob: &BlobRef) -> String {
    format!("{}:{}", account.0, blob.hex())
}
