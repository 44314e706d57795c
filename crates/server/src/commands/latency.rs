//! `LATENCY`: resplite does not run Redis's latency monitor, so there are never samples;
//! the subcommands answer as Redis does when it has recorded nothing, and `DOCTOR` says
//! where resplite's timings are instead.

use resplite_resp::Frame;

use crate::args::Args;
use crate::command::{CommandResult, Context, reply};
use crate::error::CommandError;

const DOCTOR: &str = "resplite does not run the latency monitor: no latency events are \
    recorded, so there is nothing to analyse, whatever latency-monitor-threshold says. \
    Per-command call counts and times are in INFO commandstats, and commands slower than \
    slowlog-log-slower-than microseconds are in SLOWLOG GET.\n";

pub(crate) fn latency(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    match context.subcommand("LATENCY", &mut args)? {
        "doctor" => reply(Frame::bulk(DOCTOR)),
        "graph" => {
            let event = args.bytes()?;
            Err(CommandError::err_quoting(
                "No samples available for event '",
                &event,
                usize::MAX,
                "'",
            ))
        }
        "latest" | "history" | "histogram" => reply(Frame::Array(Vec::new())),
        "reset" => reply(Frame::Integer(0)),
        _ => reply(help()),
    }
}

fn help() -> Frame {
    let lines = [
        "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return a human readable latency analysis report.",
        "GRAPH <event>",
        "    Return an ASCII latency graph for the <event> class.",
        "HISTORY <event>",
        "    Return time-latency samples for the <event> class.",
        "LATEST",
        "    Return the latest latency samples for all events.",
        "RESET [<event> ...]",
        "    Reset latency data of one or more <event> classes.",
        "    (default: reset all data for all event classes)",
        "HISTOGRAM [COMMAND ...]",
        "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
        "    If no commands are specified then all histograms are replied.",
        "HELP",
        "    Prints this help.",
    ];
    Frame::Array(lines.iter().map(|line| Frame::simple(line)).collect())
}
