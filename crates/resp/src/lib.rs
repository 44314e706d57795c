//! The RESP wire protocol (RESP2 and RESP3), as a codec for `tokio_util`'s framing.
//!
//! Redis clients and servers talk in RESP: typed values (status, error, integer, bulk
//! string, array) each introduced by one marker byte and ended by `\r\n`. This crate turns
//! bytes into values and values into bytes, for both ends of a connection:
//!
//! - [`RequestCodec`] is the server's end. It decodes what clients send, multibulk arrays
//!   of bulk strings or inline lines typed by a person, into argument vectors, and encodes
//!   [`Frame`] replies. It reproduces Redis 7's request parser, errors included, because a
//!   drop-in replacement has to accept, wait on and reject the same bytes with the same
//!   replies ([`ProtocolError::reply_text`]). It is incremental: a large request arriving
//!   slowly is parsed once, and its arguments are split off the read buffer, not copied.
//! - [`FrameCodec`] is the client's end. It decodes any RESP2 or RESP3 reply and encodes
//!   commands.
//!   It is for tools and tests talking to a server, so it favours simplicity over the
//!   incremental work the server side does.
//!
//! Both decoders enforce [`Limits`] before buffering anything, never panic, whatever the
//! input, and answer "need more bytes" on partial input rather than failing. A fuzz target
//! in `fuzz/` at the repository root holds them to that.
//!
//! Replies are [`Frame`]s, written in whichever [`Protocol`] the connection negotiated:
//! RESP3's richer types (maps, sets, doubles …) fall back to their RESP2 forms exactly as
//! Redis writes them, so one reply value serves clients of both versions. A reply of many
//! elements read one at a time can instead be written straight into its wire form for one
//! client's protocol with [`ReplyEncoder`], which ends as a [`Frame::Encoded`].
//!
//! What this crate does not do: I/O (pair it with `tokio_util::codec::Framed`), command
//! semantics (argument counts, names, and which version a connection speaks are the
//! server's business), or RESP3 attributes and streamed strings, which Redis never sends.
//!
//! # Example
//!
//! A client encodes a command, the server decodes it and replies, the client reads the
//! reply:
//!
//! ```
//! use bytes::BytesMut;
//! use resplite_resp::{Frame, FrameCodec, RequestCodec};
//! use tokio_util::codec::{Decoder, Encoder};
//!
//! let mut client = FrameCodec::default();
//! let mut server = RequestCodec::default();
//!
//! let mut wire = BytesMut::new();
//! client.encode(&["SET", "greeting", "hello"][..], &mut wire)?;
//! // Inline commands work too, as when typing into telnet.
//! wire.extend_from_slice(b"GET greeting\r\n");
//!
//! let set = server.decode(&mut wire)?.expect("a whole command");
//! assert_eq!(set, ["SET", "greeting", "hello"]);
//! let get = server.decode(&mut wire)?.expect("a whole command");
//! assert_eq!(get, ["GET", "greeting"]);
//! assert_eq!(server.decode(&mut wire)?, None);
//!
//! let mut replies = BytesMut::new();
//! server.encode(Frame::ok(), &mut replies)?;
//! server.encode(Frame::bulk("hello"), &mut replies)?;
//! assert_eq!(&replies[..], b"+OK\r\n$5\r\nhello\r\n");
//!
//! assert_eq!(client.decode(&mut replies)?, Some(Frame::ok()));
//! assert_eq!(client.decode(&mut replies)?, Some(Frame::bulk("hello")));
//!
//! // Malformed input is an error carrying the reply Redis would send before hanging up.
//! let mut bad = BytesMut::from(&b"*1\r\n$-3\r\n"[..]);
//! let err = server.decode(&mut bad).unwrap_err();
//! assert_eq!(err.reply_text(), "ERR Protocol error: invalid bulk length");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]

mod encoded;
mod error;
mod frame;
pub mod inline;
mod limits;
mod number;
mod reply;
mod request;

pub use encoded::{Element, ReplyEncoder, Shape};
pub use error::ProtocolError;
pub use frame::{Frame, Protocol, encode_command};
pub use limits::Limits;
pub use reply::{FrameCodec, parse_frame};
pub use request::RequestCodec;
