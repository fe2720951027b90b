//! BODY and BODYSTRUCTURE (RFC 9051 §7.5.2, `body` in §9).
//!
//! ```text
//! body            = "(" (body-type-1part / body-type-mpart) ")"
//! body-type-1part = (body-type-basic / body-type-msg / body-type-text) [SP body-ext-1part]
//! body-type-basic = media-basic SP body-fields
//! body-type-msg   = media-message SP body-fields SP envelope SP body SP body-fld-lines
//! body-type-text  = media-text SP body-fields SP body-fld-lines
//! body-fields     = body-fld-param SP body-fld-id SP body-fld-desc SP body-fld-enc SP
//!                   body-fld-octets
//! body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
//! body-ext-1part  = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc …]]]
//! body-ext-mpart  = body-fld-param [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc …]]]
//! ```
//!
//! BODY is the same structure without extension data. With extension data, all four fields are
//! always written (`NIL` where unknown), as most servers do.

use super::Envelope;
use crate::types::IString;
use crate::write::Writer;

/// The MIME structure of a message or of one of its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyStructure {
    /// A leaf part (or a message/rfc822 part, which holds a nested message).
    Single(SinglePart),
    /// A `multipart/*` part.
    Multi(MultiPart),
}

/// A non-multipart part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinglePart {
    /// Media type as given, e.g. `TEXT`, `IMAGE` (upper case is conventional).
    pub media_type: IString,
    /// Media subtype as given, e.g. `PLAIN`, `RFC822`.
    pub subtype: IString,
    /// The basic fields.
    pub fields: BodyFields,
    /// Type-specific fields: which of `body-type-basic/-text/-msg` this is.
    pub kind: SingleKind,
    /// Extension data, written only for BODYSTRUCTURE.
    pub extension: SinglePartExtension,
}

/// What follows the basic fields of a single part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SingleKind {
    /// Nothing (`body-type-basic`).
    Basic,
    /// `text/*`: the size in lines.
    Text {
        /// Lines of the encoded body.
        lines: u32,
    },
    /// `message/rfc822` or `message/global`: the nested message.
    Message {
        /// The nested message's envelope.
        envelope: Box<Envelope>,
        /// The nested message's structure.
        body: Box<BodyStructure>,
        /// Lines of the encoded part.
        lines: u32,
    },
}

/// `body-fields`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyFields {
    /// Content-Type parameters, `(name, value)`, RFC 2231 already decoded; empty is `NIL`.
    pub params: Vec<(IString, IString)>,
    /// `Content-ID`.
    pub id: Option<IString>,
    /// `Content-Description`.
    pub description: Option<IString>,
    /// `Content-Transfer-Encoding`, `7BIT` when absent.
    pub encoding: IString,
    /// Size of the encoded body in octets.
    pub octets: u32,
}

/// Extension data of a single part (`body-ext-1part`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SinglePartExtension {
    /// `Content-MD5`.
    pub md5: Option<IString>,
    /// `Content-Disposition`.
    pub disposition: Option<Disposition>,
    /// `Content-Language` tags; empty is `NIL`, one is a string, more are a list.
    pub language: Vec<IString>,
    /// `Content-Location`.
    pub location: Option<IString>,
}

/// A `multipart/*` part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultiPart {
    /// The children. The grammar needs at least one; an empty list is written as one empty
    /// `text/plain` part.
    pub parts: Vec<BodyStructure>,
    /// Subtype as given, e.g. `MIXED`.
    pub subtype: IString,
    /// Extension data, written only for BODYSTRUCTURE.
    pub extension: MultiPartExtension,
}

/// Extension data of a multipart (`body-ext-mpart`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MultiPartExtension {
    /// Content-Type parameters (e.g. `BOUNDARY`); empty is `NIL`.
    pub params: Vec<(IString, IString)>,
    /// `Content-Disposition`.
    pub disposition: Option<Disposition>,
    /// `Content-Language` tags.
    pub language: Vec<IString>,
    /// `Content-Location`.
    pub location: Option<IString>,
}

/// `Content-Disposition`: `("ATTACHMENT" ("FILENAME" "a.txt"))`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disposition {
    /// Disposition type, e.g. `INLINE`, `ATTACHMENT`.
    pub kind: IString,
    /// Parameters; empty is `NIL`.
    pub params: Vec<(IString, IString)>,
}

impl BodyStructure {
    /// Writes the structure: BODYSTRUCTURE form when `extended`, BODY form otherwise.
    pub fn serialize(&self, w: &mut Writer, extended: bool) {
        match self {
            BodyStructure::Single(p) => p.write(w, extended),
            BodyStructure::Multi(m) => m.write(w, extended),
        }
    }
}

impl SinglePart {
    fn write(&self, w: &mut Writer, extended: bool) {
        w.raw(b"(")
            .string(&self.media_type)
            .sp()
            .string(&self.subtype)
            .sp();
        let f = &self.fields;
        params(w, &f.params);
        w.sp()
            .nstring(f.id.as_deref())
            .sp()
            .nstring(f.description.as_deref());
        w.sp().string(&f.encoding).sp().num(f.octets as u64);
        match &self.kind {
            SingleKind::Basic => {}
            SingleKind::Text { lines } => {
                w.sp().num(*lines as u64);
            }
            SingleKind::Message {
                envelope,
                body,
                lines,
            } => {
                w.sp();
                envelope.write(w);
                w.sp();
                body.serialize(w, extended);
                w.sp().num(*lines as u64);
            }
        }
        if extended {
            let e = &self.extension;
            w.sp().nstring(e.md5.as_deref()).sp();
            tail(
                w,
                e.disposition.as_ref(),
                &e.language,
                e.location.as_deref(),
            );
        }
        w.raw(b")");
    }
}

impl MultiPart {
    fn write(&self, w: &mut Writer, extended: bool) {
        w.raw(b"(");
        if self.parts.is_empty() {
            w.raw(b"(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 0 0)");
        }
        for p in &self.parts {
            p.serialize(w, extended);
        }
        w.sp().string(&self.subtype);
        if extended {
            let e = &self.extension;
            w.sp();
            params(w, &e.params);
            w.sp();
            tail(
                w,
                e.disposition.as_ref(),
                &e.language,
                e.location.as_deref(),
            );
        }
        w.raw(b")");
    }
}

/// `body-fld-param`: `("name" "value" …)` or `NIL`.
fn params(w: &mut Writer, list: &[(IString, IString)]) {
    if list.is_empty() {
        w.raw(b"NIL");
        return;
    }
    w.raw(b"(");
    for (i, (name, value)) in list.iter().enumerate() {
        if i > 0 {
            w.sp();
        }
        w.string(name).sp().string(value);
    }
    w.raw(b")");
}

/// `body-fld-dsp SP body-fld-lang SP body-fld-loc`, shared by both extension kinds.
fn tail(w: &mut Writer, dsp: Option<&Disposition>, lang: &[IString], loc: Option<&[u8]>) {
    match dsp {
        Some(d) => {
            w.raw(b"(").string(&d.kind).sp();
            params(w, &d.params);
            w.raw(b")");
        }
        None => {
            w.raw(b"NIL");
        }
    }
    w.sp();
    match lang {
        [] => {
            w.raw(b"NIL");
        }
        [one] => {
            w.string(one);
        }
        many => {
            w.raw(b"(");
            for (i, l) in many.iter().enumerate() {
                if i > 0 {
                    w.sp();
                }
                w.string(l);
            }
            w.raw(b")");
        }
    }
    w.sp().nstring(loc);
}

#[cfg(test)]
#[path = "body_test.rs"]
mod tests;
