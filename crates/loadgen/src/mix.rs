//! The operation mix: which commands a client sends and how often ([`Mix`], parsed from
//! `name=weight,…`). The base profile's operations are [`Op`] ([`DEFAULT_MIX`] when none is
//! given); the realistic profile has its own ([`crate::realistic::RealOp`]).

/// A set of named operations a [`Mix`] draws from.
pub trait Operation: Copy + Eq + std::fmt::Debug + 'static {
    /// Every operation with its name in mixes and reports.
    const ALL: &'static [(Self, &'static str)];

    /// The operation's name in mixes and reports.
    fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(o, _)| *o == self)
            .map_or("?", |(_, n)| n)
    }
}

/// The operations of the mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// LOGOUT, connect again, LOGIN (timed), SELECT.
    Login,
    /// SELECT INBOX.
    Select,
    /// `FETCH a:b (UID FLAGS)`, 20 messages.
    FetchFlags,
    /// `FETCH a:b (UID ENVELOPE)`, 10 messages.
    FetchEnvelope,
    /// `FETCH n BODY.PEEK[]`.
    FetchBody,
    /// APPEND to INBOX.
    Append,
    /// `UID STORE` ±\Flagged on an own message.
    Store,
    /// One of several SEARCHes.
    Search,
    /// `UID COPY` of an own message to the private mailbox.
    Copy,
    /// `UID MOVE` of an own message to the private mailbox.
    Move,
    /// \Deleted + `UID EXPUNGE` of an own message (the EXPUNGE is timed).
    Expunge,
    /// IDLE for a while, then DONE (DONE to OK is timed).
    Idle,
    /// NOOP.
    Noop,
}

impl Operation for Op {
    const ALL: &'static [(Op, &'static str)] = &[
        (Op::Login, "login"),
        (Op::Select, "select"),
        (Op::FetchFlags, "fetch_flags"),
        (Op::FetchEnvelope, "fetch_envelope"),
        (Op::FetchBody, "fetch_body"),
        (Op::Append, "append"),
        (Op::Store, "store"),
        (Op::Search, "search"),
        (Op::Copy, "copy"),
        (Op::Move, "move"),
        (Op::Expunge, "expunge"),
        (Op::Idle, "idle"),
        (Op::Noop, "noop"),
    ];
}

/// Weights of the operations.
#[derive(Debug, Clone)]
pub struct Mix<O: Operation = Op> {
    weights: Vec<(O, u32)>,
}

/// The default mix: reads dominate, as with real clients.
pub const DEFAULT_MIX: &str = "login=1,select=4,fetch_flags=20,fetch_envelope=15,fetch_body=10,\
append=10,store=12,search=10,copy=4,move=3,expunge=3,idle=3,noop=5";

impl<O: Operation> Mix<O> {
    /// Parses `name=weight,…` (names from [`Operation::ALL`]).
    pub fn parse(s: &str) -> Result<Mix<O>, String> {
        let mut weights = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, w) = part
                .split_once('=')
                .ok_or_else(|| format!("{part:?}: expected name=weight"))?;
            let op = O::ALL
                .iter()
                .find(|(_, n)| *n == name.trim())
                .map(|(o, _)| *o)
                .ok_or_else(|| format!("unknown operation {name:?}"))?;
            let w: u32 = w
                .trim()
                .parse()
                .map_err(|_| format!("{part:?}: weight is not a number"))?;
            if w > 0 {
                weights.push((op, w));
            }
        }
        if weights.is_empty() {
            return Err("the mix has no operation with a weight".into());
        }
        Ok(Mix { weights })
    }

    /// One operation, drawn with the weights' odds.
    pub(crate) fn pick(&self, rng: &mut fastrand::Rng) -> O {
        let total: u32 = self.weights.iter().map(|(_, w)| w).sum();
        let mut x = rng.u32(0..total);
        for (op, w) in &self.weights {
            if x < *w {
                return *op;
            }
            x -= w;
        }
        self.weights[0].0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixes() {
        let m: Mix = Mix::parse("fetch_flags=3, store=1,noop=0").unwrap();
        assert_eq!(m.weights, vec![(Op::FetchFlags, 3), (Op::Store, 1)]);
        assert!(Mix::<Op>::parse("bogus=1").is_err());
        assert!(Mix::<Op>::parse("noop=x").is_err());
        assert!(Mix::<Op>::parse("noop=0").is_err());
        assert!(Mix::<Op>::parse(DEFAULT_MIX).is_ok());
        let mut rng = fastrand::Rng::with_seed(1);
        let picks: Vec<Op> = (0..4000).map(|_| m.pick(&mut rng)).collect();
        let stores = picks.iter().filter(|&&o| o == Op::Store).count();
        assert!((800..1200).contains(&stores), "{stores}");
    }
}
