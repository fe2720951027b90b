//! Quota (RFC 9208): what a write costs and whether it fits. Usage is exact: every write
//! charges the account in the same transaction as its change.

use crate::error::{Result, StoreError};
use crate::types::QuotaUsage;

/// What a write adds to (or, negative, frees from) an account's usage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Charge {
    /// Octets (RFC822.SIZE of the messages).
    pub storage: i64,
    /// Messages.
    pub messages: i64,
}

impl Charge {
    /// The cost of adding messages of these sizes: each one counts, a copy as much as the
    /// original.
    pub fn of_messages(sizes: impl IntoIterator<Item = u64>) -> Charge {
        let mut c = Charge::default();
        for size in sizes {
            c.storage = c
                .storage
                .saturating_add(i64::try_from(size).unwrap_or(i64::MAX));
            c.messages += 1;
        }
        c
    }

    /// The same amount, freed.
    pub fn freed(self) -> Charge {
        Charge {
            storage: -self.storage,
            messages: -self.messages,
        }
    }

    /// Whether the charge changes nothing.
    pub fn is_zero(self) -> bool {
        self.storage == 0 && self.messages == 0
    }

    /// Whether the charge adds anything (then it must fit).
    pub fn adds(self) -> bool {
        self.storage > 0 || self.messages > 0
    }
}

/// Checks an account's usage after `charge` was applied: a charge that adds must leave the
/// usage within every limit (`OverQuota` otherwise, and the write is rolled back); one that
/// only frees always passes, even on an account that is over its limits.
pub fn check(after: &QuotaUsage, charge: Charge) -> Result<()> {
    if !charge.adds() {
        return Ok(());
    }
    let over = |used: u64, limit: Option<u64>| limit.is_some_and(|l| used > l);
    if over(after.storage, after.limits.storage) || over(after.messages, after.limits.messages) {
        return Err(StoreError::OverQuota);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::QuotaLimits;

    fn usage(storage: u64, messages: u64, limit: Option<u64>) -> QuotaUsage {
        QuotaUsage {
            storage,
            messages,
            limits: QuotaLimits {
                storage: limit,
                messages: None,
            },
        }
    }

    #[test]
    fn adding_must_fit_freeing_always_passes() {
        let c = Charge::of_messages([60, 40]);
        assert_eq!(
            c,
            Charge {
                storage: 100,
                messages: 2
            }
        );
        assert!(
            check(&usage(100, 2, Some(100)), c).is_ok(),
            "exactly at the limit"
        );
        assert!(matches!(
            check(&usage(101, 2, Some(100)), c),
            Err(StoreError::OverQuota)
        ));
        assert!(check(&usage(500, 2, Some(100)), c.freed()).is_ok());
        assert!(check(&usage(500, 2, None), c).is_ok(), "no limit");
    }
}
