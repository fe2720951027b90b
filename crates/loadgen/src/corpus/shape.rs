//! What a message is made of: its [`Shape`], in the proportions of a real mailbox, and the
//! sizes of its text and attachments.
//!
//! Sizes are log-normal, one distribution per shape: text messages stay small (a few KB of text
//! under 2-5 KB of headers) and the large messages are large because of their attachments, so
//! that whole messages come out at a median of about 10 KB and a 90th percentile of about
//! 90 KB, with a few near the 1 MiB cap.

/// The MIME structure of a generated message (RFC 2046).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shape {
    /// One text/plain part (about 40 % of messages).
    Plain,
    /// multipart/alternative: text/plain and text/html of the same text (about 26 %).
    Alternative,
    /// multipart/mixed (about 28 %): the text (text/plain or multipart/alternative), then
    /// `attachments` files (base64, `Content-Disposition: attachment` with a file name) and, if
    /// `forwarded`, a message/rfc822 part holding a small message of its own.
    Mixed {
        /// File attachments, not counting the forwarded message.
        attachments: usize,
        /// Whether a message/rfc822 part follows the files.
        forwarded: bool,
    },
    /// multipart/related: HTML (alone or in a multipart/alternative with its text/plain) and
    /// the inline images it shows by `cid:` URL (about 6 %).
    Related,
}

/// The shape and the sizes one message is written to.
pub(super) struct Plan {
    pub shape: Shape,
    /// Characters of the letter's text (its quote included).
    pub text_chars: usize,
    /// Mixed and Related: the text is a multipart/alternative rather than one part.
    pub body_alternative: bool,
    /// Decoded sizes of the file attachments (Mixed), before the message is fitted into 1 MiB.
    pub attachments: Vec<usize>,
    /// Decoded sizes of the inline images (Related), likewise.
    pub images: Vec<usize>,
    /// Characters of the forwarded message's text (Mixed with `forwarded`).
    pub forwarded_chars: usize,
}

/// Largest attachment drawn (the whole message is cut to 1 MiB when written, by
/// [`mime`](super::mime)).
const CAP: usize = 1 << 20;

/// A value from a log-normal distribution: `median` times e to the power of `sigma` times a
/// standard normal draw (Box-Muller).
fn lognormal(rng: &mut fastrand::Rng, median: f64, sigma: f64) -> f64 {
    let u1 = 1.0 - rng.f64();
    let u2 = rng.f64();
    let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
    median * (sigma * z).exp()
}

/// [`lognormal`] as a size within `[lo, hi]`.
fn size(rng: &mut fastrand::Rng, median: f64, sigma: f64, lo: usize, hi: usize) -> usize {
    (lognormal(rng, median, sigma) as usize).clamp(lo, hi)
}

/// Draws a message's plan.
pub(super) fn plan(rng: &mut fastrand::Rng) -> Plan {
    let mut p = Plan {
        shape: Shape::Plain,
        text_chars: 0,
        body_alternative: rng.bool(),
        attachments: Vec::new(),
        images: Vec::new(),
        forwarded_chars: 0,
    };
    match rng.u8(0..100) {
        0..40 => p.text_chars = size(rng, 2000.0, 0.9, 150, 60_000),
        40..66 => {
            p.shape = Shape::Alternative;
            p.text_chars = size(rng, 1600.0, 0.8, 150, 40_000);
        }
        66..94 => {
            p.text_chars = size(rng, 800.0, 0.8, 100, 20_000);
            let forwarded = rng.u8(0..5) == 0;
            let n = match (forwarded, rng.u8(0..100)) {
                (true, r) => usize::from(r < 30),
                (false, 0..60) => 1,
                (false, 60..88) => 2,
                (false, _) => 3,
            };
            p.attachments = (0..n).map(|_| size(rng, 19_000.0, 1.5, 300, CAP)).collect();
            if forwarded {
                p.forwarded_chars = size(rng, 1200.0, 0.8, 100, 20_000);
            }
            p.shape = Shape::Mixed {
                attachments: n,
                forwarded,
            };
        }
        _ => {
            p.shape = Shape::Related;
            p.text_chars = size(rng, 1200.0, 0.8, 150, 20_000);
            let n = if rng.u8(0..3) == 0 { 2 } else { 1 };
            p.images = (0..n).map(|_| size(rng, 22_000.0, 1.2, 400, CAP)).collect();
        }
    }
    p
}

impl Plan {
    /// A text message (Plain or Alternative) of `chars` characters: what a forwarded message is.
    pub(super) fn text_only(rng: &mut fastrand::Rng, chars: usize) -> Plan {
        Plan {
            shape: if rng.bool() {
                Shape::Plain
            } else {
                Shape::Alternative
            },
            text_chars: chars,
            body_alternative: false,
            attachments: Vec::new(),
            images: Vec::new(),
            forwarded_chars: 0,
        }
    }
}
