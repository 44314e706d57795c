//! Putting back the server settings a case file changes with `CONFIG SET`, so that files
//! stay independent: a file that sets a password and stops halfway must not lock the next
//! file out.

use resplite_resp::Frame;

use super::cases::{Case, Step};
use super::runner::{Problem, Run, describe_reply, escape};
use super::wire::{Connection, Reply};

/// The parameters named by the file's `CONFIG SET` lines, lowercased, each once.
pub(crate) fn changed_by(cases: &[Case]) -> Vec<Vec<u8>> {
    let mut parameters = Vec::new();
    for case in cases {
        let (Step::Command { args, .. } | Step::Send(args)) = &case.step else {
            continue;
        };
        let [command, subcommand, pairs @ ..] = args.as_slice() else {
            continue;
        };
        if !command.eq_ignore_ascii_case(b"config") || !subcommand.eq_ignore_ascii_case(b"set") {
            continue;
        }
        for parameter in pairs.iter().step_by(2) {
            let parameter = parameter.to_ascii_lowercase();
            if !parameters.contains(&parameter) {
                parameters.push(parameter);
            }
        }
    }
    parameters
}

/// Runs `body` (one file on the server at `port`) with the values of `parameters` saved
/// before and put back after. Both happen on a connection of its own, opened before the
/// file starts: it stays authenticated whatever password the file sets, and no case can
/// leave it in subscribed mode or inside MULTI.
pub(crate) fn preserving(
    port: u16,
    parameters: &[Vec<u8>],
    body: impl FnOnce() -> Result<Run, String>,
) -> Result<Run, String> {
    if parameters.is_empty() {
        return body();
    }
    let mut keeper = Connection::open(port)
        .map_err(|error| format!("could not connect to save settings: {error}"))?;
    let saved = save(&mut keeper, parameters);
    let mut run = body();
    let failures = restore(&mut keeper, &saved);
    match &mut run {
        Ok(run) => {
            run.problems.extend(failures.into_iter().map(|message| Problem { line: None, message }))
        }
        Err(reason) => {
            for failure in failures {
                reason.push_str("; ");
                reason.push_str(&failure);
            }
        }
    }
    run
}

/// Each parameter's current value. A server that lacks the parameter (or `CONFIG`
/// altogether) has nothing to put back, so it is left out rather than reported.
fn save(keeper: &mut Connection, parameters: &[Vec<u8>]) -> Vec<(Vec<u8>, Vec<u8>)> {
    parameters
        .iter()
        .filter_map(|parameter| Some((parameter.clone(), current(keeper, parameter)?)))
        .collect()
}

/// The value of one parameter, if the server has it.
fn current(keeper: &mut Connection, parameter: &[u8]) -> Option<Vec<u8>> {
    let reply = keeper.command(&[b"CONFIG".to_vec(), b"GET".to_vec(), parameter.to_vec()]);
    match reply {
        Reply::Frame(Frame::Array(items) | Frame::Set(items)) => match items.as_slice() {
            [Frame::Bulk(_), Frame::Bulk(value)] => Some(value.to_vec()),
            _ => None,
        },
        Reply::Frame(Frame::Map(pairs)) => match pairs.as_slice() {
            [(_, Frame::Bulk(value))] => Some(value.to_vec()),
            _ => None,
        },
        _ => None,
    }
}

/// Sets every saved value that changed again, one parameter at a time so one refusal does
/// not stop the rest; answers a message for each one that failed. (Unchanged ones are left
/// alone: some, like `databases`, cannot be set at all.)
fn restore(keeper: &mut Connection, saved: &[(Vec<u8>, Vec<u8>)]) -> Vec<String> {
    let mut failures = Vec::new();
    for (parameter, value) in saved {
        if current(keeper, parameter).as_ref() == Some(value) {
            continue;
        }
        let request = [b"CONFIG".to_vec(), b"SET".to_vec(), parameter.clone(), value.clone()];
        match keeper.command(&request) {
            Reply::Frame(Frame::Simple(status)) if status.as_ref() == b"OK" => {}
            other => failures.push(format!(
                "could not put {} back to \"{}\": CONFIG SET answered {}",
                String::from_utf8_lossy(parameter),
                escape(value),
                describe_reply(&other)
            )),
        }
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::changed_by;
    use crate::oracle::cases::parse;

    #[test]
    fn finds_every_parameter_config_set_changes_once() {
        let cases = parse(
            "t",
            b"CONFIG SET requirepass secret\nconfig set Notify-Keyspace-Events KEA maxmemory 1\n\
              @2 CONFIG SET requirepass other\nCONFIG GET hz\nSET config set\nCONFIG SET\n\
              !send CONFIG SET hz 20\n!recv\n",
        )
        .unwrap();
        let names = ["requirepass", "notify-keyspace-events", "maxmemory", "hz"];
        let expected: Vec<Vec<u8>> = names.iter().map(|name| name.as_bytes().to_vec()).collect();
        assert_eq!(changed_by(&cases), expected);
    }
}
