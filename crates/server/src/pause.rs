//! `CLIENT PAUSE`: holding back clients' commands (all of them, or only writes) until a
//! deadline or `CLIENT UNPAUSE`. A migration tool freezes writes this way for a cutover.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use tokio::sync::Notify;

/// What a pause holds back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PauseMode {
    /// Commands that may change data (and `PUBLISH`).
    Write,
    /// Every command.
    All,
}

/// The server's pause, if any.
#[derive(Default)]
pub(crate) struct Pause {
    /// Whether a pause may be in force: lets every command skip the rest with one load.
    active: AtomicBool,
    until: Mutex<Option<(Instant, PauseMode)>>,
    lifted: Notify,
}

impl Pause {
    /// Pauses until `deadline`; a pause already in force is only ever extended or made
    /// stricter, as in Redis.
    pub(crate) fn pause(&self, deadline: Instant, mode: PauseMode) {
        let mut until = self.until.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let (deadline, mode) = match *until {
            Some((current, current_mode)) if current > Instant::now() => (
                deadline.max(current),
                if current_mode == PauseMode::All { PauseMode::All } else { mode },
            ),
            _ => (deadline, mode),
        };
        *until = Some((deadline, mode));
        self.active.store(true, Ordering::SeqCst);
    }

    /// Whether a pause may be in force (one atomic load).
    pub(crate) fn is_active(&self) -> bool {
        self.active.load(Ordering::SeqCst)
    }

    /// Ends the pause at once.
    pub(crate) fn unpause(&self) {
        *self.until.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
        self.active.store(false, Ordering::SeqCst);
        self.lifted.notify_waiters();
    }

    /// Waits while a pause holds back a command (`writes` tells whether it may change data).
    pub(crate) async fn wait(&self, writes: bool) {
        while self.active.load(Ordering::SeqCst) {
            let lifted = self.lifted.notified();
            tokio::pin!(lifted);
            // Registered before looking, so an UNPAUSE between the look and the wait is seen.
            lifted.as_mut().enable();
            let deadline = {
                let mut until = self.until.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                match *until {
                    Some((deadline, _)) if deadline <= Instant::now() => {
                        *until = None;
                        self.active.store(false, Ordering::SeqCst);
                        return;
                    }
                    Some((deadline, PauseMode::All)) => deadline,
                    Some((deadline, PauseMode::Write)) if writes => deadline,
                    _ => return,
                }
            };
            tokio::select! {
                () = tokio::time::sleep_until(deadline.into()) => {}
                () = &mut lifted => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_write_pause_holds_writes_until_its_deadline_and_lets_reads_through() {
        let pause = Pause::default();
        pause.pause(Instant::now() + Duration::from_millis(50), PauseMode::Write);
        let started = Instant::now();
        pause.wait(false).await;
        assert!(started.elapsed() < Duration::from_millis(40));
        pause.wait(true).await;
        assert!(started.elapsed() >= Duration::from_millis(45));
    }

    #[tokio::test]
    async fn unpause_releases_waiters_at_once() {
        let pause = std::sync::Arc::new(Pause::default());
        pause.pause(Instant::now() + Duration::from_secs(30), PauseMode::All);
        let waiting = tokio::spawn({
            let pause = std::sync::Arc::clone(&pause);
            async move { pause.wait(false).await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        pause.unpause();
        tokio::time::timeout(Duration::from_secs(2), waiting).await.unwrap().unwrap();
    }
}
