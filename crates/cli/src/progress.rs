//! What the migration commands share: Ctrl+C handling, progress display, output format and
//! the parsing of sizes and durations.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Set by SIGINT or SIGTERM; long steps poll it and stop cleanly (resumable).
pub(crate) fn interrupt_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let setter = flag.clone();
    std::thread::spawn(move || {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
            return;
        };
        runtime.block_on(async {
            let interrupt = tokio::signal::ctrl_c();
            #[cfg(unix)]
            {
                use tokio::signal::unix::{SignalKind, signal};
                match signal(SignalKind::terminate()) {
                    Ok(mut terminate) => tokio::select! {
                        _ = interrupt => {}
                        _ = terminate.recv() => {}
                    },
                    Err(_) => {
                        let _ = interrupt.await;
                    }
                }
            }
            #[cfg(not(unix))]
            let _ = interrupt.await;
        });
        setter.store(true, Ordering::Relaxed);
        eprintln!(
            "\nstopping: finishing what is in flight (run the same command again to continue)"
        );
    });
    flag
}

/// A live status line on a terminal; silent when output is for scripts (`--json`) or not a
/// terminal.
pub(crate) struct Live {
    bar: ProgressBar,
}

impl Live {
    pub(crate) fn new(json: bool, total: Option<u64>) -> Live {
        let bar = match total {
            Some(total) if total > 0 => ProgressBar::new(total),
            _ => ProgressBar::new_spinner(),
        };
        let template = if total.is_some_and(|total| total > 0) {
            "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} keys (eta {eta}) {msg}"
        } else {
            "{spinner} [{elapsed_precise}] {msg}"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        if json {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        bar.enable_steady_tick(Duration::from_millis(200));
        Live { bar }
    }

    pub(crate) fn update(&self, position: Option<u64>, message: String) {
        if let Some(position) = position {
            self.bar.set_position(position);
        }
        self.bar.set_message(message);
    }

    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// Runs a long step with Ctrl+C turned into a clean stop and a live line describing its
/// progress (hidden with `--json`).
pub(crate) fn run_live<T, P>(
    json: bool,
    describe: fn(&P) -> Vec<String>,
    step: impl FnOnce(&dyn Fn() -> bool, &mut dyn FnMut(&P)) -> T,
) -> T {
    let interrupted = interrupt_flag();
    let live = Live::new(json, None);
    let stop = || interrupted.load(Ordering::Relaxed);
    let outcome = step(&stop, &mut |progress| live.update(None, describe(progress).join(" ")));
    live.finish();
    outcome
}

/// Prints a JSON document, or the human lines.
pub(crate) fn emit(json: bool, document: serde_json::Value, human: &[String]) {
    if json {
        println!("{document}");
    } else {
        for line in human {
            println!("{line}");
        }
    }
}

/// Parses a byte size: `67108864`, `64MB`, `64MiB`, `512kb`, `1GB` (multiples of 1,024).
pub(crate) fn parse_bytes(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let digits = text.chars().take_while(|c| c.is_ascii_digit()).count();
    let (number, unit) = text.split_at(digits);
    let number: i64 = number.parse().map_err(|_| format!("invalid size {text:?}"))?;
    let multiplier: i64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => return Err(format!("invalid size unit in {text:?} (use B, KB, MB or GB)")),
    };
    number
        .checked_mul(multiplier)
        .filter(|bytes| *bytes > 0)
        .ok_or_else(|| format!("invalid size {text:?}"))
}

/// Parses a duration: `120s`, `2m`, `500ms`, or plain seconds.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let digits = text.chars().take_while(|c| c.is_ascii_digit()).count();
    let (number, unit) = text.split_at(digits);
    let number: u64 = number.parse().map_err(|_| format!("invalid duration {text:?}"))?;
    match unit {
        "" | "s" => Ok(Duration::from_secs(number)),
        "ms" => Ok(Duration::from_millis(number)),
        "m" => number
            .checked_mul(60)
            .map(Duration::from_secs)
            .ok_or_else(|| format!("invalid duration {text:?}")),
        _ => Err(format!("invalid duration {text:?} (use ms, s or m)")),
    }
}

/// `1.5 MB`-style sizes for people.
pub(crate) fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{bytes} B") } else { format!("{value:.1} {}", UNITS[unit]) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_durations_parse_like_the_docs_say() {
        assert_eq!(parse_bytes("64MB"), Ok(64 << 20));
        assert_eq!(parse_bytes("512kb"), Ok(512 << 10));
        assert_eq!(parse_bytes("1000"), Ok(1000));
        assert!(parse_bytes("64XB").is_err());
        assert!(parse_bytes("0").is_err());
        assert_eq!(parse_duration("120s"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(human_bytes(1536), "1.5 KB");
    }
}
