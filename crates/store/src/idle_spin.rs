//! How a worker thread waits for its next job: for a short while by yielding the CPU and
//! looking again, and only then by sleeping.
//!
//! Waking a sleeping thread is dear on many machines, virtual ones above all: when the
//! thread's CPU has nothing else to run it halts, and the wake-up has to go through the
//! hypervisor before the thread runs again (tens of microseconds on the project's 2-core VM,
//! where a request at `-c 50 -P 1` used to pay that on the writer about once every two
//! requests). A thread that keeps yielding instead never lets its CPU halt, yet gives way at
//! once to any other thread that wants that CPU.
//!
//! Yielding still keeps an otherwise idle CPU busy, so it is only worth it while jobs come
//! close together. [`IdleSpin`] keeps a moving average of the gaps between the end of one
//! job and the arrival of the next; it spins only while that average is under a quarter of
//! its window, and never for longer than the window. Long waits (a light load) raise the
//! average, and a wait that outlasts the window without any job (the load paused) resets it
//! to idle, so the thread goes back to sleeping at once.

use std::time::{Duration, Instant};

/// The longest gap that counts in full towards the average, as a multiple of the window,
/// so that coming back from a long idle spell takes a few dozen short gaps, not hundreds.
const GAP_CLAMP_WINDOWS: u32 = 4;

/// Spinning pays while the average gap is under this fraction of the window.
const SPIN_BELOW_WINDOW_FRACTION: u32 = 4;

/// The averaging weight of a new gap: 1/8.
const AVERAGE_SHIFT: u32 = 3;

/// A wait policy: yield for up to `window` when recent gaps were short, then sleep.
#[derive(Clone, Debug)]
pub(crate) struct IdleSpin {
    window: Duration,
    /// Moving average of recent gaps, in nanoseconds; starts as if the thread had been idle.
    average_gap_ns: u64,
}

impl IdleSpin {
    /// A policy that spins for at most `window`; a zero window never spins.
    pub(crate) fn new(window: Duration) -> IdleSpin {
        IdleSpin { window, average_gap_ns: idle_average(window) }
    }

    /// How long the next wait yields before it sleeps.
    pub(crate) fn spin_window(&self) -> Duration {
        let threshold = nanos(self.window / SPIN_BELOW_WINDOW_FRACTION);
        if self.average_gap_ns < threshold { self.window } else { Duration::ZERO }
    }

    /// Records how long the thread waited before a job came.
    pub(crate) fn observe(&mut self, gap: Duration) {
        let gap = nanos(gap).min(idle_average(self.window));
        self.average_gap_ns =
            self.average_gap_ns - (self.average_gap_ns >> AVERAGE_SHIFT) + (gap >> AVERAGE_SHIFT);
    }

    /// Waits up to `timeout` for the next job: first by calling `poll` (`None` while
    /// nothing is there) and yielding between calls for up to the spin window, then by
    /// `sleep`, given the time left.
    pub(crate) fn wait<T, E>(
        &mut self,
        timeout: Duration,
        mut poll: impl FnMut() -> Option<Result<T, E>>,
        sleep: impl FnOnce(Duration) -> Result<T, E>,
    ) -> Result<T, E> {
        let started = Instant::now();
        let spin = self.spin_window().min(timeout);
        if !spin.is_zero() {
            loop {
                if let Some(outcome) = poll() {
                    self.observe(started.elapsed());
                    return outcome;
                }
                if started.elapsed() >= spin {
                    break;
                }
                std::thread::yield_now();
            }
        }
        let outcome = sleep(timeout.saturating_sub(started.elapsed()));
        let waited = started.elapsed();
        match outcome {
            Ok(_) => self.observe(waited),
            // No job for a whole window and more: the load has paused, so sleep at once
            // from now on. A wait cut shorter than that (a timer due) says nothing.
            Err(_) if waited >= self.window => self.average_gap_ns = idle_average(self.window),
            Err(_) => {}
        }
        outcome
    }
}

/// The average of a thread that has been idle: the longest gap that counts.
fn idle_average(window: Duration) -> u64 {
    nanos(window.saturating_mul(GAP_CLAMP_WINDOWS))
}

fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    use super::IdleSpin;

    const WINDOW: Duration = Duration::from_millis(1);

    #[test]
    fn starts_asleep_and_spins_once_gaps_are_short() {
        let mut policy = IdleSpin::new(WINDOW);
        assert_eq!(policy.spin_window(), Duration::ZERO);
        let mut rounds = 0;
        while policy.spin_window().is_zero() {
            policy.observe(Duration::from_micros(50));
            rounds += 1;
        }
        assert_eq!(policy.spin_window(), WINDOW);
        assert!((10..=40).contains(&rounds), "took {rounds} short gaps");
    }

    #[test]
    fn a_long_gap_stops_spinning_at_once() {
        let mut policy = IdleSpin::new(WINDOW);
        (0..100).for_each(|_| policy.observe(Duration::from_micros(20)));
        assert_eq!(policy.spin_window(), WINDOW);
        policy.observe(Duration::from_secs(10));
        assert_eq!(policy.spin_window(), Duration::ZERO);
    }

    #[test]
    fn gaps_near_a_quarter_of_the_window_do_not_spin() {
        let mut policy = IdleSpin::new(WINDOW);
        (0..200).for_each(|_| policy.observe(Duration::from_micros(300)));
        assert_eq!(policy.spin_window(), Duration::ZERO);
        (0..200).for_each(|_| policy.observe(Duration::from_micros(200)));
        assert_eq!(policy.spin_window(), WINDOW);
    }

    #[test]
    fn a_wait_without_a_job_ends_the_spinning_unless_it_was_cut_short() {
        let window = Duration::from_millis(20);
        let mut policy = IdleSpin::new(window);
        (0..100).for_each(|_| policy.observe(Duration::from_micros(10)));
        let (_sender, receiver) = mpsc::channel::<u8>();
        let wait = |policy: &mut IdleSpin, timeout| {
            policy.wait(
                timeout,
                || receiver.try_recv().ok().map(Ok),
                |left| receiver.recv_timeout(left).map_err(|_| ()),
            )
        };
        // A timer due at once (the writer's next sweep) tells nothing about the load.
        assert_eq!(wait(&mut policy, Duration::ZERO), Err(()));
        assert_eq!(policy.spin_window(), window);
        // A whole window and more without a job does, although the gap alone would not
        // raise the average past a quarter of the window.
        assert_eq!(wait(&mut policy, Duration::from_millis(25)), Err(()));
        assert_eq!(policy.spin_window(), Duration::ZERO);
    }

    #[test]
    fn any_window_is_accepted() {
        let mut policy = IdleSpin::new(Duration::MAX);
        assert_eq!(policy.spin_window(), Duration::ZERO);
        policy.observe(Duration::MAX);
        assert_eq!(policy.spin_window(), Duration::ZERO);
    }

    #[test]
    fn a_zero_window_never_spins() {
        let mut policy = IdleSpin::new(Duration::ZERO);
        (0..100).for_each(|_| policy.observe(Duration::ZERO));
        assert_eq!(policy.spin_window(), Duration::ZERO);
    }

    #[test]
    fn a_spinning_wait_takes_a_job_sent_meanwhile() {
        let mut policy = IdleSpin::new(Duration::from_millis(200));
        (0..100).for_each(|_| policy.observe(Duration::ZERO));
        let (sender, receiver) = mpsc::channel();
        let sleeps = std::cell::Cell::new(0);
        let sent = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(5));
            sender.send(7).unwrap();
        });
        let got = policy.wait(
            Duration::from_secs(5),
            || receiver.try_recv().ok().map(Ok::<_, ()>),
            |left| {
                sleeps.set(sleeps.get() + 1);
                receiver.recv_timeout(left).map_err(|_| ())
            },
        );
        sent.join().unwrap();
        assert_eq!(got, Ok(7));
        assert_eq!(sleeps.get(), 0, "the job came within the window, so no sleep");
    }

    #[test]
    fn an_idle_wait_sleeps_until_its_timeout() {
        let mut policy = IdleSpin::new(WINDOW);
        (0..100).for_each(|_| policy.observe(Duration::ZERO));
        let (_sender, receiver) = mpsc::channel::<u8>();
        let started = Instant::now();
        let got = policy.wait(
            Duration::from_millis(30),
            || receiver.try_recv().ok().map(Ok),
            |left| receiver.recv_timeout(left).map_err(|_| ()),
        );
        assert_eq!(got, Err(()));
        assert!(started.elapsed() >= Duration::from_millis(30));
        assert_eq!(policy.spin_window(), Duration::ZERO, "a long wait ends the spinning");
    }
}
