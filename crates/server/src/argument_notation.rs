//! A compact notation for a command's arguments, and its parser.
//!
//! `COMMAND DOCS` describes each argument as a tree of maps (name, type, token, flags,
//! nested arguments), and redis-cli builds its `help` text and its typing hints from that
//! tree. Written out as Rust values the trees of 200 commands would fill thousands of
//! lines, so `command_syntax.rs` writes each as one line of this notation instead:
//!
//! | notation | argument |
//! |---|---|
//! | `value` | a string named `value` |
//! | `key:k`, `n:i`, `score:d`, `match:p`, `at:t` | a key, integer, double, pattern, Unix time |
//! | `NX` | a pure token `NX`, named `nx` (`CH@change` names it `change`) |
//! | `EX=seconds:i` | an argument that follows the token `EX` |
//! | `expiration{EX=seconds:i\|KEEPTTL}` | one of several alternatives, named `expiration` |
//! | `field_value(field value)` | a block of arguments given together |
//! | `?`, `*`, `+` after an argument | optional; may repeat; its token repeats with it |
//!
//! Arguments are separated by spaces, alternatives by `|`. A name may contain `:` (as in
//! `ip:port`); only a last `:` followed by one of the type letters gives the type.

/// What kind of value an argument takes, as `COMMAND DOCS` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ArgumentType {
    Key,
    String,
    Integer,
    Double,
    Pattern,
    UnixTime,
    PureToken,
    OneOf,
    Block,
}

impl ArgumentType {
    pub(crate) fn name(self) -> &'static str {
        match self {
            ArgumentType::Key => "key",
            ArgumentType::String => "string",
            ArgumentType::Integer => "integer",
            ArgumentType::Double => "double",
            ArgumentType::Pattern => "pattern",
            ArgumentType::UnixTime => "unix-time",
            ArgumentType::PureToken => "pure-token",
            ArgumentType::OneOf => "oneof",
            ArgumentType::Block => "block",
        }
    }

    /// The type a `:letter` suffix stands for.
    fn from_letter(letter: &str) -> Option<ArgumentType> {
        Some(match letter {
            "k" => ArgumentType::Key,
            "i" => ArgumentType::Integer,
            "d" => ArgumentType::Double,
            "p" => ArgumentType::Pattern,
            "t" => ArgumentType::UnixTime,
            _ => return None,
        })
    }
}

/// One argument of a command, with the arguments inside it for a block or a choice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Argument {
    pub(crate) name: String,
    pub(crate) kind: ArgumentType,
    pub(crate) token: Option<&'static str>,
    pub(crate) optional: bool,
    pub(crate) multiple: bool,
    pub(crate) multiple_token: bool,
    pub(crate) children: Vec<Argument>,
}

/// Parses a whole notation line into its top-level arguments.
pub(crate) fn parse(notation: &'static str) -> Result<Vec<Argument>, String> {
    let mut parser = Parser { text: notation, position: 0 };
    let arguments = parser.sequence()?;
    if parser.position < notation.len() {
        return Err(parser.error("unexpected character"));
    }
    Ok(arguments)
}

/// Characters that end a word.
const DELIMITERS: &[u8] = b" |(){}?*+=@";

struct Parser {
    text: &'static str,
    position: usize,
}

impl Parser {
    /// Arguments separated by single spaces, up to the end or a closing bracket or `|`.
    fn sequence(&mut self) -> Result<Vec<Argument>, String> {
        let mut arguments = Vec::new();
        if self.at_end_of_group() {
            return Ok(arguments);
        }
        loop {
            arguments.push(self.argument()?);
            if self.peek() != Some(b' ') {
                return Ok(arguments);
            }
            self.position += 1;
        }
    }

    /// Alternatives separated by `|`, up to the closing `}`.
    fn alternatives(&mut self) -> Result<Vec<Argument>, String> {
        let mut choices = vec![self.argument()?];
        while self.peek() == Some(b'|') {
            self.position += 1;
            choices.push(self.argument()?);
        }
        Ok(choices)
    }

    fn argument(&mut self) -> Result<Argument, String> {
        let mut word = self.word()?;
        let mut token = None;
        if self.peek() == Some(b'=') {
            if !is_token(word) {
                return Err(self.error("a token before `=` must be in capitals"));
            }
            self.position += 1;
            token = Some(word);
            word = self.word()?;
        }
        let mut argument = match self.peek() {
            Some(b'(') => {
                let children = self.group(b')', Parser::sequence)?;
                Argument::new(word.to_owned(), ArgumentType::Block, children)
            }
            Some(b'{') => {
                let children = self.group(b'}', Parser::alternatives)?;
                Argument::new(word.to_owned(), ArgumentType::OneOf, children)
            }
            _ if token.is_none() && is_token(word) => {
                token = Some(word);
                let name = if self.peek() == Some(b'@') {
                    self.position += 1;
                    self.word()?.to_owned()
                } else {
                    word.to_ascii_lowercase()
                };
                Argument::new(name, ArgumentType::PureToken, Vec::new())
            }
            _ => leaf(word),
        };
        argument.token = token;
        self.flags(&mut argument)?;
        Ok(argument)
    }

    /// `open` at the current position, the inside parsed by `inside`, then `close`.
    fn group(
        &mut self,
        close: u8,
        inside: fn(&mut Parser) -> Result<Vec<Argument>, String>,
    ) -> Result<Vec<Argument>, String> {
        self.position += 1;
        let children = inside(self)?;
        if children.is_empty() {
            return Err(self.error("an empty group"));
        }
        if self.peek() != Some(close) {
            return Err(self.error(&format!("expected `{}`", char::from(close))));
        }
        self.position += 1;
        Ok(children)
    }

    fn flags(&mut self, argument: &mut Argument) -> Result<(), String> {
        while let Some(flag) = self.peek() {
            let seen = match flag {
                b'?' => &mut argument.optional,
                b'*' => &mut argument.multiple,
                b'+' => &mut argument.multiple_token,
                _ => break,
            };
            if *seen {
                return Err(self.error("a flag given twice"));
            }
            *seen = true;
            self.position += 1;
        }
        Ok(())
    }

    fn word(&mut self) -> Result<&'static str, String> {
        let start = self.position;
        let rest = &self.text.as_bytes()[start..];
        let length = rest.iter().position(|byte| DELIMITERS.contains(byte)).unwrap_or(rest.len());
        if length == 0 {
            return Err(self.error("expected a name or a token"));
        }
        self.position += length;
        Ok(&self.text[start..self.position])
    }

    fn at_end_of_group(&self) -> bool {
        matches!(self.peek(), None | Some(b')' | b'}' | b'|'))
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.position).copied()
    }

    fn error(&self, problem: &str) -> String {
        format!("{problem} at byte {} of `{}`", self.position, self.text)
    }
}

impl Argument {
    fn new(name: String, kind: ArgumentType, children: Vec<Argument>) -> Argument {
        Argument {
            name,
            kind,
            token: None,
            optional: false,
            multiple: false,
            multiple_token: false,
            children,
        }
    }
}

/// A plain argument: `name` or `name:letter`.
fn leaf(word: &str) -> Argument {
    let typed = word
        .rsplit_once(':')
        .and_then(|(name, letter)| Some((name, ArgumentType::from_letter(letter)?)));
    let (name, kind) = typed.unwrap_or((word, ArgumentType::String));
    Argument::new(name.to_owned(), kind, Vec::new())
}

/// Tokens are written in capitals (digits, `-` and `_` allowed); names never are.
fn is_token(word: &str) -> bool {
    word.bytes().any(|byte| byte.is_ascii_uppercase())
        && word.bytes().all(|byte| {
            byte.is_ascii_uppercase() || byte.is_ascii_digit() || byte == b'-' || byte == b'_'
        })
}

#[cfg(test)]
mod tests {
    use super::{Argument, ArgumentType, parse};

    fn only(notation: &'static str) -> Argument {
        let mut arguments = parse(notation).unwrap();
        assert_eq!(arguments.len(), 1, "{notation}");
        arguments.remove(0)
    }

    #[test]
    fn plain_arguments_take_their_type_from_a_letter() {
        let arguments = parse("key:k value count:i score:d pattern:p when:t").unwrap();
        let described: Vec<(&str, ArgumentType)> =
            arguments.iter().map(|argument| (argument.name.as_str(), argument.kind)).collect();
        assert_eq!(
            described,
            [
                ("key", ArgumentType::Key),
                ("value", ArgumentType::String),
                ("count", ArgumentType::Integer),
                ("score", ArgumentType::Double),
                ("pattern", ArgumentType::Pattern),
                ("when", ArgumentType::UnixTime),
            ]
        );
    }

    #[test]
    fn a_colon_not_followed_by_a_type_letter_is_part_of_the_name() {
        let argument = only("ip:port");
        assert_eq!((argument.name.as_str(), argument.kind), ("ip:port", ArgumentType::String));
        assert_eq!(only("addr:ip:port:k").name, "addr:ip:port");
    }

    #[test]
    fn pure_tokens_are_named_in_lower_case_unless_told() {
        let argument = only("WITHSCORES?");
        assert_eq!(argument.name, "withscores");
        assert_eq!(argument.token, Some("WITHSCORES"));
        assert_eq!(argument.kind, ArgumentType::PureToken);
        assert!(argument.optional && !argument.multiple);
        assert_eq!(only("CH@change").name, "change");
    }

    #[test]
    fn tokens_lead_plain_arguments_and_groups() {
        let argument = only("COUNT=count:i?");
        assert_eq!((argument.token, argument.kind), (Some("COUNT"), ArgumentType::Integer));
        let limit = only("LIMIT=offset_count(offset:i count:i)?");
        assert_eq!((limit.token, limit.kind), (Some("LIMIT"), ArgumentType::Block));
        assert_eq!(limit.children.len(), 2);
    }

    #[test]
    fn choices_and_blocks_nest() {
        let argument = only("expiration{EX=seconds:i|PX=milliseconds:i|KEEPTTL}?");
        assert_eq!(argument.kind, ArgumentType::OneOf);
        assert!(argument.optional);
        let tokens: Vec<_> = argument.children.iter().map(|child| child.token).collect();
        assert_eq!(tokens, [Some("EX"), Some("PX"), Some("KEEPTTL")]);
        let nested = only("a(b{C|d(e f:i)*})");
        assert_eq!(nested.children[0].children[1].children[1].kind, ArgumentType::Integer);
        assert!(nested.children[0].children[1].multiple);
    }

    #[test]
    fn every_flag_is_read() {
        let argument = only("PREFIX=prefix?*+");
        assert!(argument.optional && argument.multiple && argument.multiple_token);
    }

    #[test]
    fn an_empty_line_has_no_arguments() {
        assert_eq!(parse("").unwrap(), []);
    }

    #[test]
    fn malformed_notation_is_refused_with_the_place() {
        for bad in ["a  b", "a(b", "a{}", "x=y", "a??", "a)", "a{b|}", " a", "a "] {
            let error = parse(bad).unwrap_err();
            assert!(error.contains("at byte"), "{bad}: {error}");
        }
    }
}
