//! Connection commands: `PING`, `ECHO`, `QUIT`, `SELECT`, `AUTH`, `HELLO`.

use bytes::Bytes;
use resplite_resp::{Frame, Protocol};

use crate::args::{Args, is_word};
use crate::auth;
use crate::clients::ReplyMode;
use crate::command::{CommandResult, Context, Outcome, reply};
use crate::commands::client::is_valid_name;
use crate::commands::info::REDIS_VERSION;
use crate::error::CommandError;

pub(crate) fn ping(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    if args.remaining() > 1 {
        return Err(CommandError::WrongArity("ping".into()));
    }
    // A RESP2 client with subscriptions reads everything as messages, so PING answers in
    // their shape.
    let subscribed = context.client.pubsub.as_ref().is_some_and(|inbox| inbox.subscriptions() > 0);
    if subscribed && context.client.protocol == Protocol::Resp2 {
        let message = args.next().unwrap_or_default();
        return reply(Frame::Array(vec![Frame::bulk("pong"), Frame::Bulk(message)]));
    }
    reply(args.next().map_or_else(|| Frame::simple("PONG"), Frame::Bulk))
}

pub(crate) fn echo(_: &mut Context<'_>, mut args: Args) -> CommandResult {
    reply(Frame::Bulk(args.bytes()?))
}

pub(crate) fn quit(_: &mut Context<'_>, _: Args) -> CommandResult {
    Ok(Outcome::ReplyAndClose(Frame::ok()))
}

pub(crate) fn select(context: &mut Context<'_>, mut args: Args) -> CommandResult {
    let db = context.parse_db(&args.bytes()?)?;
    context.client.select(db);
    reply(Frame::ok())
}

/// `AUTH [username] password`.
pub(crate) fn auth(context: &mut Context<'_>, args: Args) -> CommandResult {
    let words = args.rest();
    let (user, password) = match words.as_slice() {
        [password] => (None, password),
        [user, password] => (Some(user), password),
        _ => return Err(CommandError::Syntax),
    };
    if user.is_none() && context.server.required_password().is_none() {
        return Err(CommandError::err(
            "AUTH <password> called without any password configured for the default user. \
             Are you sure your configuration is correct?",
        ));
    }
    match authenticate(context, user.map(|user| &user[..]), password) {
        Ok(()) => reply(Frame::ok()),
        Err(refusal) => Ok(refusal),
    }
}

/// Checks a user name and password for this connection. On success the connection is
/// authenticated; a failure comes back as the delayed `WRONGPASS` reply to send.
fn authenticate(
    context: &mut Context<'_>,
    user: Option<&[u8]>,
    password: &[u8],
) -> Result<(), Outcome> {
    let required = context.server.required_password();
    let address = context.client.peer_ip();
    match auth::check(required.as_deref(), user, password) {
        Ok(()) => {
            context.client.authenticated = true;
            context.server.failed_logins.record_success(address);
            Ok(())
        }
        Err(error) => {
            let delay = context.server.failed_logins.record_failure(address);
            Err(Outcome::ReplyAfter(delay, error.to_frame()))
        }
    }
}

/// `HELLO [protover [AUTH username password] [SETNAME clientname]]`: switches the protocol
/// version, optionally authenticating and naming the connection, and describes the server.
pub(crate) fn hello(context: &mut Context<'_>, args: Args) -> CommandResult {
    let words = args.rest();
    let mut words = words.iter();
    let protocol = match words.next() {
        None => None,
        Some(version) => match resplite_store::parse_i64(version) {
            Some(2) => Some(Protocol::Resp2),
            Some(3) => Some(Protocol::Resp3),
            Some(_) => {
                return Err(CommandError::Message(
                    "NOPROTO unsupported protocol version".to_string(),
                ));
            }
            None => {
                return Err(CommandError::err(
                    "Protocol version is not an integer or out of range",
                ));
            }
        },
    };
    let mut credentials: Option<(&Bytes, &Bytes)> = None;
    let mut name: Option<&Bytes> = None;
    while let Some(option) = words.next() {
        let remaining = words.len();
        if is_word(option, "auth") && remaining >= 2 {
            credentials = words.next().zip(words.next());
        } else if is_word(option, "setname") && remaining >= 1 {
            name = words.next();
        } else {
            return Err(CommandError::err(format!(
                "Syntax error in HELLO option '{}'",
                String::from_utf8_lossy(option)
            )));
        }
    }
    if let Some((user, password)) = credentials
        && let Err(refusal) = authenticate(context, Some(user), password)
    {
        return Ok(refusal);
    }
    if !context.client.authenticated {
        return Err(CommandError::Message(
            "NOAUTH HELLO must be called with the client already authenticated, otherwise the \
             HELLO AUTH <user> <pass> option can be used to authenticate the client and select \
             the RESP protocol version at the same time"
                .to_string(),
        ));
    }
    if let Some(name) = name {
        if !is_valid_name(name) {
            return Err(CommandError::err(
                "Client names cannot contain spaces, newlines or special characters.",
            ));
        }
        context.client.info().name = name.clone();
    }
    if let Some(protocol) = protocol {
        context.client.set_protocol(protocol);
    }
    let version = match context.client.protocol {
        Protocol::Resp2 => 2,
        Protocol::Resp3 => 3,
    };
    let fields = [
        ("server", Frame::bulk("redis")),
        ("version", Frame::bulk(REDIS_VERSION)),
        ("proto", Frame::Integer(version)),
        ("id", Frame::Integer(i64::try_from(context.client.id).unwrap_or(i64::MAX))),
        ("mode", Frame::bulk("standalone")),
        ("role", Frame::bulk("master")),
        ("modules", Frame::Array(Vec::new())),
    ];
    reply(Frame::Map(fields.into_iter().map(|(name, value)| (Frame::bulk(name), value)).collect()))
}

/// `RESET`: returns the connection to the state of a new one — no transaction or watches,
/// database 0, RESP2, no name, and authenticated only if no password is required.
pub(crate) fn reset(context: &mut Context<'_>, _: Args) -> CommandResult {
    context.client.transaction = None;
    if context.client.monitoring {
        context.server.monitors.remove(context.client.id);
        context.client.monitoring = false;
    }
    crate::commands::pubsub::leave_all(context);
    let watches = std::mem::take(&mut context.client.watches);
    context.server.watched.release(watches);
    context.client.select(0);
    context.client.set_protocol(Protocol::Resp2);
    context.client.info().name = Bytes::new();
    context.client.authenticated = context.server.required_password().is_none();
    // Redis clears `CLIENT REPLY OFF` and a pending `SKIP`, but a `SKIP` already in force
    // still drops this very reply.
    if context.client.replies != ReplyMode::Skip {
        context.client.replies = ReplyMode::On;
    }
    reply(Frame::simple("RESET"))
}
