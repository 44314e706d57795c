//! Password authentication for the `default` user: the check itself, done in constant time,
//! and the growing delay that makes guessing a password over the network impractical.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use subtle::ConstantTimeEq;

use crate::error::CommandError;

/// The only user resplite has, as in a Redis without ACL rules.
const DEFAULT_USER: &[u8] = b"default";

/// The first wrong password from an address is answered after this long; each further one
/// in a row doubles it, up to [`MAX_DELAY`].
const FIRST_DELAY: Duration = Duration::from_millis(20);
const MAX_DELAY: Duration = Duration::from_secs(5);
/// An address that has not failed for this long starts afresh.
const FORGET_AFTER: Duration = Duration::from_secs(600);
/// Past this many remembered addresses the oldest half is forgotten, so the table itself
/// cannot be grown without bound by a flood of addresses.
const MAX_REMEMBERED: usize = 10_000;

/// Redis's reply to a wrong user name or password.
pub(crate) fn wrong_password() -> CommandError {
    CommandError::Message(
        "WRONGPASS invalid username-password pair or user is disabled.".to_string(),
    )
}

/// Checks `user` (the `default` user when `None`) and `password` against the configured
/// password; `None` configured means the default user needs none and any password works for
/// it, as in Redis.
pub(crate) fn check(
    required: Option<&[u8]>,
    user: Option<&[u8]>,
    password: &[u8],
) -> Result<(), CommandError> {
    let user_is_default = user.is_none_or(|user| user == DEFAULT_USER);
    let password_matches = match required {
        None => true,
        // Both sides are compared whole whatever their content, so the reply time tells
        // nothing about how much of a guess was right.
        Some(required) => bool::from(required.ct_eq(password)),
    };
    if user_is_default && password_matches { Ok(()) } else { Err(wrong_password()) }
}

/// Recent failed attempts per client address.
#[derive(Default)]
pub(crate) struct FailedAttempts {
    by_address: Mutex<HashMap<IpAddr, (u32, Instant)>>,
}

impl FailedAttempts {
    /// Records a failure from `address` and returns how long to wait before answering it.
    pub(crate) fn record_failure(&self, address: Option<IpAddr>) -> Duration {
        let Some(address) = address else { return FIRST_DELAY };
        let mut table = self.by_address.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = Instant::now();
        if table.len() >= MAX_REMEMBERED {
            let mut ages: Vec<Instant> = table.values().map(|(_, last)| *last).collect();
            ages.sort_unstable();
            let cutoff = ages[ages.len() / 2];
            table.retain(|_, (_, last)| *last > cutoff);
        }
        let entry = table.entry(address).or_insert((0, now));
        if now.duration_since(entry.1) > FORGET_AFTER {
            entry.0 = 0;
        }
        entry.0 = entry.0.saturating_add(1);
        entry.1 = now;
        delay_after(entry.0)
    }

    /// Forgets the failures of `address` after it authenticated.
    pub(crate) fn record_success(&self, address: Option<IpAddr>) {
        if let Some(address) = address {
            let mut table = self.by_address.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            table.remove(&address);
        }
    }
}

/// The delay for the `failures`-th failure in a row.
fn delay_after(failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(16);
    FIRST_DELAY.saturating_mul(1 << doublings).min(MAX_DELAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_user_and_the_configured_password_pass() {
        assert!(check(Some(b"secret"), None, b"secret").is_ok());
        assert!(check(Some(b"secret"), Some(b"default"), b"secret").is_ok());
        assert!(check(Some(b"secret"), None, b"secre").is_err());
        assert!(check(Some(b"secret"), None, b"secrets").is_err());
        assert!(check(Some(b"secret"), Some(b"alice"), b"secret").is_err());
    }

    #[test]
    fn without_a_password_any_password_works_for_the_default_user_only() {
        assert!(check(None, None, b"anything").is_ok());
        assert!(check(None, Some(b"default"), b"").is_ok());
        assert!(check(None, Some(b"alice"), b"anything").is_err());
    }

    #[test]
    fn delays_double_per_failure_up_to_the_cap_and_reset_on_success() {
        let attempts = FailedAttempts::default();
        let address = Some(IpAddr::from([127, 0, 0, 1]));
        assert_eq!(attempts.record_failure(address), FIRST_DELAY);
        assert_eq!(attempts.record_failure(address), FIRST_DELAY * 2);
        assert_eq!(attempts.record_failure(address), FIRST_DELAY * 4);
        for _ in 0..20 {
            attempts.record_failure(address);
        }
        assert_eq!(attempts.record_failure(address), MAX_DELAY);
        attempts.record_success(address);
        assert_eq!(attempts.record_failure(address), FIRST_DELAY);
        // Another address has its own count.
        assert_eq!(attempts.record_failure(Some(IpAddr::from([127, 0, 0, 2]))), FIRST_DELAY);
    }
}
