//! Timing each command and reporting it to `INFO commandstats`, `INFO errorstats` and the
//! slow log.
//!
//! A command's time is what it spends running: its handler, plus its read or write on the
//! store's thread (measured there, so time spent queued behind other commands does not
//! count, as Redis does not count time waiting for the event loop). A write is recorded
//! each time the writer runs it; the writer replays a run of writes only after a failure
//! that changed data, which is rare, and then the replay's time is counted too.
//!
//! This runs for every command, so it is kept cheap: a read or write of a pipeline is timed
//! by the code that runs it ([`Recording::complete`]) rather than wrapped in another
//! closure, and the few arguments of a typical command are kept without an allocation in
//! case the command turns out slow.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use resplite_resp::Frame;

use crate::clients::{Client, ClientInfo};
use crate::command::Outcome;
use crate::error::{CommandError, store_error_frame};
use crate::registry::CommandSpec;
use crate::state::ServerState;

/// One command being timed, from just before its handler runs.
pub(crate) struct Recording {
    command: &'static CommandSpec,
    subcommand: Option<&'static str>,
    started: Instant,
    /// How long the handler took (set by [`Recording::finish`]).
    handler_time: Duration,
    /// The request and who sent it, kept only while the slow log is on.
    slowlog: Option<(KeptArgs, Arc<Mutex<ClientInfo>>)>,
}

/// A request's arguments kept for the slow log: up to four inline (most commands), more in
/// a vector.
enum KeptArgs {
    Few(usize, [Bytes; 4]),
    Many(Vec<Bytes>),
}

impl KeptArgs {
    fn of(request: &[Bytes]) -> KeptArgs {
        if request.len() > 4 {
            return KeptArgs::Many(request.to_vec());
        }
        let mut few: [Bytes; 4] = [Bytes::new(), Bytes::new(), Bytes::new(), Bytes::new()];
        for (slot, argument) in few.iter_mut().zip(request) {
            *slot = argument.clone();
        }
        KeptArgs::Few(request.len(), few)
    }

    fn as_slice(&self) -> &[Bytes] {
        match self {
            KeptArgs::Few(count, few) => &few[..*count],
            KeptArgs::Many(all) => all,
        }
    }
}

impl Recording {
    /// Starts timing `command`; call before its handler runs.
    pub(crate) fn start(
        server: &Arc<ServerState>,
        client: &Client,
        command: &'static CommandSpec,
        request: &[Bytes],
    ) -> Recording {
        // `CONFIG SET` may turn the slow log on, and then enters it itself, as in Redis.
        let slowlog_on = (server.settings.slowlog_log_slower_than() >= 0
            && server.settings.slowlog_max_len() > 0)
            || command.name == "config";
        Recording {
            command,
            subcommand: None,
            started: Instant::now(),
            handler_time: Duration::ZERO,
            slowlog: slowlog_on.then(|| (KeptArgs::of(request), client.shared_info())),
        }
    }

    /// Takes the handler's decision: records a command answered at once and answers `None`;
    /// for a read or a write answers the recording back, to [`Recording::complete`] once the
    /// read or write has run (or to [`Recording::wrap`] into it).
    pub(crate) fn finish(
        mut self,
        server: &Arc<ServerState>,
        client: &Client,
        decided: Result<Outcome, CommandError>,
    ) -> (Result<Outcome, CommandError>, Option<Recording>) {
        self.subcommand = client.subcommand;
        let handler_time = self.started.elapsed();
        self.handler_time = handler_time;
        let outcome = match decided {
            Ok(outcome @ (Outcome::Read(_) | Outcome::Write(_))) => {
                return (Ok(outcome), Some(self));
            }
            decided => decided,
        };
        let outcome = match outcome {
            Ok(Outcome::Reply(frame)) => {
                self.record(server, handler_time, error_text(&frame));
                Ok(Outcome::Reply(frame))
            }
            Ok(Outcome::ReplyAndClose(frame)) => {
                self.record(server, handler_time, error_text(&frame));
                Ok(Outcome::ReplyAndClose(frame))
            }
            // The pause is the command's own doing (DEBUG SLEEP), so it counts.
            Ok(Outcome::ReplyAfter(delay, frame)) => {
                self.record(server, handler_time + delay, error_text(&frame));
                Ok(Outcome::ReplyAfter(delay, frame))
            }
            // The queued commands record themselves as they are decided.
            Ok(Outcome::Exec(job)) => {
                self.record(server, handler_time, None);
                Ok(Outcome::Exec(job))
            }
            Ok(Outcome::Several(frames)) => {
                self.record(server, handler_time, None);
                Ok(Outcome::Several(frames))
            }
            Ok(Outcome::WriteOnce(operation)) => {
                self.record(server, handler_time, None);
                Ok(Outcome::WriteOnce(operation))
            }
            // Time spent blocked is not time spent running (Redis does not count it either).
            Ok(Outcome::Block(request)) => {
                self.record(server, handler_time, None);
                Ok(Outcome::Block(request))
            }
            Err(error) => {
                self.record(server, handler_time, Some(&error.to_frame()).and_then(error_text));
                Err(error)
            }
            Ok(outcome @ (Outcome::Read(_) | Outcome::Write(_))) => Ok(outcome),
        };
        (outcome, None)
    }

    /// Records a read or write that took `elapsed` on its thread and answered `reply`.
    pub(crate) fn complete(&self, server: &ServerState, elapsed: Duration, reply: &Frame) {
        self.record(server, self.handler_time + elapsed, error_text(reply));
    }

    /// Makes a read or write record itself when it runs (for commands run outside a
    /// pipeline's own runners: a transaction's queue).
    pub(crate) fn wrap(self, server: &Arc<ServerState>, outcome: Outcome) -> Outcome {
        match outcome {
            Outcome::Read(operation) => {
                let server = Arc::clone(server);
                Outcome::Read(Box::new(move |reader| {
                    let started = Instant::now();
                    let result = operation(reader);
                    let error = match &result {
                        Ok(frame) => error_text(frame),
                        Err(error) => error_text(&error.to_frame()),
                    };
                    self.record(&server, self.handler_time + started.elapsed(), error);
                    result
                }))
            }
            Outcome::Write(mut operation) => {
                let server = Arc::clone(server);
                Outcome::Write(Box::new(move |writer| {
                    let started = Instant::now();
                    let result = operation(writer);
                    let error = match &result {
                        Ok(frame) => error_text(frame),
                        Err(error) => error_text(&store_error_frame(error)),
                    };
                    self.record(&server, self.handler_time + started.elapsed(), error);
                    result
                }))
            }
            other => other,
        }
    }

    fn record(&self, server: &ServerState, elapsed: Duration, error: Option<Bytes>) {
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        server.command_stats.record_call(self.command, self.subcommand, micros, error.is_some());
        if let Some(text) = error {
            server.command_stats.record_error(&text);
        }
        // The command's end on the server's clock, without reading the clock again.
        let now = self.started.saturating_duration_since(server.started) + elapsed;
        let now_ms = u64::try_from(now.as_millis()).unwrap_or(u64::MAX);
        server.command_stats.sample_rates(now_ms, server.stats.totals());
        let threshold = server.settings.slowlog_log_slower_than();
        if let Some((args, client)) = &self.slowlog
            && threshold >= 0
            && micros >= threshold as u64
        {
            let (peer, name) = {
                let info = client.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                (info.peer.map(|peer| peer.to_string()).unwrap_or_default(), info.name.clone())
            };
            let args = args.as_slice();
            server.slowlog.push(args, micros, peer, name, server.settings.slowlog_max_len());
        }
    }
}

/// The text of an error reply, or `None` for any other reply.
fn error_text(frame: &Frame) -> Option<Bytes> {
    match frame {
        Frame::Error(text) => Some(text.clone()),
        _ => None,
    }
}

/// Records an error answered before any command ran (an unknown command).
pub(crate) fn record_unknown_command(server: &ServerState, reply: &Frame) {
    if let Some(text) = error_text(reply) {
        server.command_stats.record_error(&text);
    }
}

/// Records a command (or subcommand) refused before its handler ran (wrong number of
/// arguments, or authentication missing).
pub(crate) fn record_rejected(
    server: &ServerState,
    command: &'static CommandSpec,
    subcommand: Option<&'static str>,
    error: &CommandError,
) {
    server.command_stats.record_rejected(command, subcommand);
    if let Some(text) = error_text(&error.to_frame()) {
        server.command_stats.record_error(&text);
    }
}
