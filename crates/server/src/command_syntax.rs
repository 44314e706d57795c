//! The arguments of every command, for `COMMAND DOCS`, and the subcommands of the container
//! commands, which dispatch also looks up (a subcommand is served exactly when it is listed).
//!
//! Each line is written in the notation of `argument_notation.rs`. The names, types and
//! tokens are those Redis 7 gives, because redis-cli shows them to people (`help SET`, and
//! the hints while a command is typed); the oracle compares this table with a real Redis's
//! `COMMAND DOCS` (`xtask/src/oracle/docs.rs`) and lists the few places where resplite
//! accepts more than Redis 7.0. A test keeps the table in step with the registry.

/// `(command, arguments)` for every command of the registry, sorted by name.
pub(crate) static COMMAND_SYNTAX: &[(&str, &str)] = &[
    ("append", "key:k value"),
    ("auth", "username? password"),
    ("bitcount", "key:k index(start:i end:i index_unit{BYTE|BIT}?)?"),
    (
        "bitfield",
        "key:k operation{GET=encoding_offset(encoding offset:i)|write(\
         OVERFLOW=wrap_sat_fail{WRAP|SAT|FAIL}? write_operation{\
         SET=encoding_offset_value(encoding offset:i value:i)|\
         INCRBY=encoding_offset_increment(encoding offset:i increment:i)})}?*",
    ),
    ("bitfield_ro", "key:k GET=encoding_offset(encoding offset:i)?*+"),
    ("bitop", "operation destkey:k key:k*"),
    ("bitpos", "key:k bit:i index(start:i end_index(end:i index_unit{BYTE|BIT}?)?)?"),
    ("blmove", "source:k destination:k wherefrom{LEFT|RIGHT} whereto{LEFT|RIGHT} timeout:d"),
    ("blmpop", "timeout:d numkeys:i key:k* where{LEFT|RIGHT} COUNT=count:i?"),
    ("blpop", "key:k* timeout:d"),
    ("brpop", "key:k* timeout:d"),
    ("brpoplpush", "source:k destination:k timeout:d"),
    ("bzmpop", "timeout:d numkeys:i key:k* where{MIN|MAX} COUNT=count:i?"),
    ("bzpopmax", "key:k* timeout:d"),
    ("bzpopmin", "key:k* timeout:d"),
    ("client", ""),
    ("command", ""),
    ("config", ""),
    ("copy", "source:k destination:k DB=destination-db:i? REPLACE?"),
    ("dbsize", ""),
    ("debug", ""),
    ("decr", "key:k"),
    ("decrby", "key:k decrement:i"),
    ("del", "key:k*"),
    ("discard", ""),
    ("echo", "message"),
    ("exec", ""),
    ("exists", "key:k*"),
    ("expire", "key:k seconds:i condition{NX|XX|GT|LT}?"),
    ("expireat", "key:k unix-time-seconds:t condition{NX|XX|GT|LT}?"),
    ("expiretime", "key:k"),
    ("flushall", "async{ASYNC|SYNC}?"),
    ("flushdb", "async{ASYNC|SYNC}?"),
    ("get", "key:k"),
    ("getbit", "key:k offset:i"),
    ("getdel", "key:k"),
    (
        "getex",
        "key:k expiration{EX=seconds:i|PX=milliseconds:i|EXAT=unix-time-seconds:t|\
            PXAT=unix-time-milliseconds:t|PERSIST}?",
    ),
    ("getrange", "key:k start:i end:i"),
    ("getset", "key:k value"),
    ("hdel", "key:k field*"),
    (
        "hello",
        "arguments(protover:i AUTH=username_password(username password)? SETNAME=clientname?)?",
    ),
    ("hexists", "key:k field"),
    ("hexpire", "key:k seconds:i condition{NX|XX|GT|LT}? FIELDS=fields(numfields:i field*)"),
    (
        "hexpireat",
        "key:k unix-time-seconds:t condition{NX|XX|GT|LT}? FIELDS=fields(numfields:i field*)",
    ),
    ("hexpiretime", "key:k FIELDS=fields(numfields:i field*)"),
    ("hget", "key:k field"),
    ("hgetall", "key:k"),
    ("hincrby", "key:k field increment:i"),
    ("hincrbyfloat", "key:k field increment:d"),
    ("hkeys", "key:k"),
    ("hlen", "key:k"),
    ("hmget", "key:k field*"),
    ("hmset", "key:k field_value(field value)*"),
    ("hpersist", "key:k FIELDS=fields(numfields:i field*)"),
    ("hpexpire", "key:k milliseconds:i condition{NX|XX|GT|LT}? FIELDS=fields(numfields:i field*)"),
    (
        "hpexpireat",
        "key:k unix-time-milliseconds:t condition{NX|XX|GT|LT}? FIELDS=fields(numfields:i field*)",
    ),
    ("hpexpiretime", "key:k FIELDS=fields(numfields:i field*)"),
    ("hpttl", "key:k FIELDS=fields(numfields:i field*)"),
    ("hrandfield", "key:k options(count:i WITHVALUES?)?"),
    ("hscan", "key:k cursor:i MATCH=pattern:p? COUNT=count:i?"),
    ("hset", "key:k field_value(field value)*"),
    ("hsetnx", "key:k field value"),
    ("hstrlen", "key:k field"),
    ("httl", "key:k FIELDS=fields(numfields:i field*)"),
    ("hvals", "key:k"),
    ("incr", "key:k"),
    ("incrby", "key:k increment:i"),
    ("incrbyfloat", "key:k increment:d"),
    ("info", "section?*"),
    ("keys", "pattern:p"),
    ("lastsave", ""),
    ("latency", ""),
    ("lcs", "key1:k key2:k LEN? IDX? MINMATCHLEN=len:i? WITHMATCHLEN?"),
    ("lindex", "key:k index:i"),
    ("linsert", "key:k where{BEFORE|AFTER} pivot element"),
    ("llen", "key:k"),
    ("lmove", "source:k destination:k wherefrom{LEFT|RIGHT} whereto{LEFT|RIGHT}"),
    ("lmpop", "numkeys:i key:k* where{LEFT|RIGHT} COUNT=count:i?"),
    ("lpop", "key:k count:i?"),
    ("lpos", "key:k element RANK=rank:i? COUNT=num-matches:i? MAXLEN=len:i?"),
    ("lpush", "key:k element*"),
    ("lpushx", "key:k element*"),
    ("lrange", "key:k start:i stop:i"),
    ("lrem", "key:k count:i element"),
    ("lset", "key:k index:i element"),
    ("ltrim", "key:k start:i stop:i"),
    ("mget", "key:k*"),
    ("monitor", ""),
    ("move", "key:k db:i"),
    ("mset", "key_value(key:k value)*"),
    ("msetnx", "key_value(key:k value)*"),
    ("multi", ""),
    ("object", ""),
    ("persist", "key:k"),
    ("pexpire", "key:k milliseconds:i condition{NX|XX|GT|LT}?"),
    ("pexpireat", "key:k unix-time-milliseconds:t condition{NX|XX|GT|LT}?"),
    ("pexpiretime", "key:k"),
    ("pfadd", "key:k element?*"),
    ("pfcount", "key:k*"),
    ("pfmerge", "destkey:k sourcekey:k*"),
    ("ping", "message?"),
    ("psetex", "key:k milliseconds:i value"),
    ("psubscribe", "pattern(pattern:p)*"),
    ("pttl", "key:k"),
    ("publish", "channel message"),
    ("pubsub", ""),
    ("punsubscribe", "pattern:p?*"),
    ("quit", ""),
    ("randomkey", ""),
    ("rename", "key:k newkey:k"),
    ("renamenx", "key:k newkey:k"),
    ("reset", ""),
    ("rpop", "key:k count:i?"),
    ("rpoplpush", "source:k destination:k"),
    ("rpush", "key:k element*"),
    ("rpushx", "key:k element*"),
    ("sadd", "key:k member*"),
    ("scan", "cursor:i MATCH=pattern:p? COUNT=count:i? TYPE=type?"),
    ("scard", "key:k"),
    ("sdiff", "key:k*"),
    ("sdiffstore", "destination:k key:k*"),
    ("select", "index:i"),
    (
        "set",
        "key:k value condition{NX|XX}? GET? expiration{EX=seconds:i|PX=milliseconds:i|\
            EXAT=unix-time-seconds:t|PXAT=unix-time-milliseconds:t|KEEPTTL}?",
    ),
    ("setbit", "key:k offset:i value:i"),
    ("setex", "key:k seconds:i value"),
    ("setnx", "key:k value"),
    ("setrange", "key:k offset:i value"),
    ("sinter", "key:k*"),
    ("sintercard", "numkeys:i key:k* LIMIT=limit:i?"),
    ("sinterstore", "destination:k key:k*"),
    ("sismember", "key:k member"),
    ("slowlog", ""),
    ("smembers", "key:k"),
    ("smismember", "key:k member*"),
    ("smove", "source:k destination:k member"),
    (
        "sort",
        "key:k BY=pattern:p? LIMIT=offset_count(offset:i count:i)? GET=pattern:p?*+ \
            order{ASC|DESC}? ALPHA@sorting? STORE=destination:k?",
    ),
    (
        "sort_ro",
        "key:k BY=pattern:p? LIMIT=offset_count(offset:i count:i)? GET=pattern:p?*+ \
            order{ASC|DESC}? ALPHA@sorting?",
    ),
    ("spop", "key:k count:i?"),
    ("srandmember", "key:k count:i?"),
    ("srem", "key:k member*"),
    ("sscan", "key:k cursor:i MATCH=pattern:p? COUNT=count:i?"),
    ("strlen", "key:k"),
    ("subscribe", "channel*"),
    ("substr", "key:k start:i end:i"),
    ("sunion", "key:k*"),
    ("sunionstore", "destination:k key:k*"),
    ("swapdb", "index1:i index2:i"),
    ("time", ""),
    ("touch", "key:k*"),
    ("ttl", "key:k"),
    ("type", "key:k"),
    ("unlink", "key:k*"),
    ("unsubscribe", "channel?*"),
    ("unwatch", ""),
    ("watch", "key:k*"),
    (
        "zadd",
        "key:k condition{NX|XX}? comparison{GT|LT}? CH@change? INCR@increment? \
            score_member(score:d member)*",
    ),
    ("zcard", "key:k"),
    ("zcount", "key:k min:d max:d"),
    ("zdiff", "numkeys:i key:k* WITHSCORES?"),
    ("zdiffstore", "destination:k numkeys:i key:k*"),
    ("zincrby", "key:k increment:i member"),
    ("zinter", "numkeys:i key:k* WEIGHTS=weight:i?* AGGREGATE=aggregate{SUM|MIN|MAX}? WITHSCORES?"),
    ("zintercard", "numkeys:i key:k* LIMIT=limit:i?"),
    (
        "zinterstore",
        "destination:k numkeys:i key:k* WEIGHTS=weight:i?* AGGREGATE=aggregate{SUM|MIN|MAX}?",
    ),
    ("zlexcount", "key:k min max"),
    ("zmpop", "numkeys:i key:k* where{MIN|MAX} COUNT=count:i?"),
    ("zmscore", "key:k member*"),
    ("zpopmax", "key:k count:i?"),
    ("zpopmin", "key:k count:i?"),
    ("zrandmember", "key:k options(count:i WITHSCORES?)?"),
    (
        "zrange",
        "key:k start stop sortby{BYSCORE|BYLEX}? REV? LIMIT=offset_count(offset:i count:i)? \
            WITHSCORES?",
    ),
    ("zrangebylex", "key:k min max LIMIT=offset_count(offset:i count:i)?"),
    ("zrangebyscore", "key:k min:d max:d WITHSCORES? LIMIT=offset_count(offset:i count:i)?"),
    (
        "zrangestore",
        "dst:k src:k min max sortby{BYSCORE|BYLEX}? REV? LIMIT=offset_count(offset:i count:i)?",
    ),
    ("zrank", "key:k member WITHSCORE?"),
    ("zrem", "key:k member*"),
    ("zremrangebylex", "key:k min max"),
    ("zremrangebyrank", "key:k start:i stop:i"),
    ("zremrangebyscore", "key:k min:d max:d"),
    ("zrevrange", "key:k start:i stop:i WITHSCORES?"),
    ("zrevrangebylex", "key:k max min LIMIT=offset_count(offset:i count:i)?"),
    ("zrevrangebyscore", "key:k max:d min:d WITHSCORES? LIMIT=offset_count(offset:i count:i)?"),
    ("zrevrank", "key:k member WITHSCORE?"),
    ("zscan", "key:k cursor:i MATCH=pattern:p? COUNT=count:i?"),
    ("zscore", "key:k member"),
    ("zunion", "numkeys:i key:k* WEIGHTS=weight:i?* AGGREGATE=aggregate{SUM|MIN|MAX}? WITHSCORES?"),
    (
        "zunionstore",
        "destination:k numkeys:i key:k* WEIGHTS=weight:i?* AGGREGATE=aggregate{SUM|MIN|MAX}?",
    ),
];

/// One subcommand of a container command (`CLIENT`, `CONFIG` …) as `COMMAND DOCS` lists it.
pub(crate) struct SubcommandDoc {
    /// `container|subcommand`, in lower case.
    pub(crate) name: &'static str,
    /// Redis's arity: the count of words, both names included (negative: at least).
    pub(crate) arity: i32,
    /// Redis's flags for it (`COMMAND INFO`; `admin` keeps it out of `MONITOR`).
    pub(crate) flags: &'static [&'static str],
    /// Redis's ACL categories for it.
    pub(crate) categories: &'static [&'static str],
    pub(crate) since: &'static str,
    pub(crate) summary: &'static str,
    /// The arguments after the subcommand's name.
    pub(crate) syntax: &'static str,
}

/// Every subcommand resplite serves, sorted by name. Dispatch refuses any other, and checks
/// the arity given here, before a handler runs.
pub(crate) static SUBCOMMANDS: &[SubcommandDoc] = &[
    SubcommandDoc {
        name: "client|getname",
        arity: 2,
        flags: &["noscript", "loading", "stale"],
        categories: &["@slow", "@connection"],
        since: "2.6.9",
        summary: "Returns the name of this connection.",
        syntax: "",
    },
    SubcommandDoc {
        name: "client|help",
        arity: 2,
        flags: &["loading", "stale"],
        categories: &["@slow", "@connection"],
        since: "5.0.0",
        summary: "Lists the CLIENT subcommands.",
        syntax: "",
    },
    SubcommandDoc {
        name: "client|id",
        arity: 2,
        flags: &["noscript", "loading", "stale"],
        categories: &["@slow", "@connection"],
        since: "5.0.0",
        summary: "Returns the unique id of this connection.",
        syntax: "",
    },
    SubcommandDoc {
        name: "client|info",
        arity: 2,
        flags: &["noscript", "loading", "stale"],
        categories: &["@slow", "@connection"],
        since: "6.2.0",
        summary: "Describes this connection in CLIENT LIST's format.",
        syntax: "",
    },
    SubcommandDoc {
        name: "client|kill",
        arity: -3,
        flags: &["admin", "noscript", "loading", "stale"],
        categories: &["@admin", "@slow", "@dangerous", "@connection"],
        since: "2.4.0",
        summary: "Closes the connections that match the filters.",
        syntax: "filter{ip:port|new-format{ID=client-id:i?|TYPE=normal_master_slave_pubsub{NORMAL|\
            MASTER|SLAVE|REPLICA|PUBSUB}?|USER=username?|ADDR=ip:port?|LADDR=ip:port?|\
            SKIPME=yes/no?}*}",
    },
    SubcommandDoc {
        name: "client|list",
        arity: -2,
        flags: &["admin", "noscript", "loading", "stale"],
        categories: &["@admin", "@slow", "@dangerous", "@connection"],
        since: "2.4.0",
        summary: "Describes every connection, one line each.",
        syntax: "TYPE=normal_master_replica_pubsub{NORMAL|MASTER|REPLICA|PUBSUB}? \
            ID=id(client-id:i*)?",
    },
    SubcommandDoc {
        name: "client|no-evict",
        arity: 3,
        flags: &["admin", "noscript", "loading", "stale"],
        categories: &["@admin", "@slow", "@dangerous", "@connection"],
        since: "7.0.0",
        summary: "Accepted for compatibility: resplite never evicts clients.",
        syntax: "enabled{ON|OFF}",
    },
    SubcommandDoc {
        name: "client|no-touch",
        arity: 3,
        flags: &["noscript", "loading", "stale"],
        categories: &["@slow", "@connection"],
        since: "7.2.0",
        summary: "Accepted for compatibility: resplite keeps no access times.",
        syntax: "enabled{ON|OFF}",
    },
    SubcommandDoc {
        name: "client|pause",
        arity: -3,
        flags: &["admin", "noscript", "loading", "stale"],
        categories: &["@admin", "@slow", "@dangerous", "@connection"],
        since: "2.9.50",
        summary: "Holds back commands of all clients, or only writes, for a while.",
        syntax: "timeout:i mode{WRITE|ALL}?",
    },
    SubcommandDoc {
        name: "client|reply",
        arity: 3,
        flags: &["noscript", "loading", "stale"],
        categories: &["@slow", "@connection"],
        since: "3.2.0",
        summary: "Turns this connection's replies off, back on, or off for the next command.",
        syntax: "on_off_skip{ON|OFF|SKIP}",
    },
    SubcommandDoc {
        name: "client|setinfo",
        arity: 4,
        // A Redis 7.2 subcommand; left out of MONITOR, as Redis 7.0 (which refuses it) never
        // shows a client library's handshake there.
        flags: &["noscript", "loading", "stale", "skip_monitor"],
        categories: &["@slow", "@connection"],
        since: "7.2.0",
        summary: "Records the client library's name or version for CLIENT LIST.",
        syntax: "attr{LIB-NAME=libname|LIB-VER=libver}",
    },
    SubcommandDoc {
        name: "client|setname",
        arity: 3,
        flags: &["noscript", "loading", "stale"],
        categories: &["@slow", "@connection"],
        since: "2.6.9",
        summary: "Names this connection.",
        syntax: "connection-name",
    },
    SubcommandDoc {
        name: "client|unblock",
        arity: -3,
        flags: &["admin", "noscript", "loading", "stale"],
        categories: &["@admin", "@slow", "@dangerous", "@connection"],
        since: "5.0.0",
        summary: "Ends another client's blocking command, as a timeout or with an error.",
        syntax: "client-id:i timeout_error{TIMEOUT|ERROR}?",
    },
    SubcommandDoc {
        name: "client|unpause",
        arity: 2,
        flags: &["admin", "noscript", "loading", "stale"],
        categories: &["@admin", "@slow", "@dangerous", "@connection"],
        since: "6.2.0",
        summary: "Ends a CLIENT PAUSE.",
        syntax: "",
    },
    SubcommandDoc {
        name: "command|count",
        arity: 2,
        flags: &["loading", "stale"],
        categories: &["@slow", "@connection"],
        since: "2.8.13",
        summary: "Returns how many commands this server knows.",
        syntax: "",
    },
    SubcommandDoc {
        name: "command|docs",
        arity: -2,
        flags: &["loading", "stale"],
        categories: &["@slow", "@connection"],
        since: "7.0.0",
        summary: "Describes the given commands, or all, for people.",
        syntax: "command-name?*",
    },
    SubcommandDoc {
        name: "command|getkeys",
        arity: -4,
        flags: &["loading", "stale"],
        categories: &["@slow", "@connection"],
        since: "2.8.13",
        summary: "Returns the keys a whole command would use.",
        syntax: "",
    },
    SubcommandDoc {
        name: "command|help",
        arity: 2,
        flags: &["loading", "stale"],
        categories: &["@slow", "@connection"],
        since: "5.0.0",
        summary: "Lists the COMMAND subcommands.",
        syntax: "",
    },
    SubcommandDoc {
        name: "command|info",
        arity: -2,
        flags: &["loading", "stale"],
        categories: &["@slow", "@connection"],
        since: "2.8.13",
        summary: "Describes the given commands, or all, for client libraries.",
        syntax: "command-name?*",
    },
    SubcommandDoc {
        name: "command|list",
        arity: -2,
        flags: &["loading", "stale"],
        categories: &["@slow", "@connection"],
        since: "7.0.0",
        summary: "Returns the name of every command and subcommand, or of those a filter keeps.",
        syntax: "FILTERBY=filterby{MODULE=module-name|ACLCAT=category|PATTERN=pattern:p}?",
    },
    SubcommandDoc {
        name: "config|get",
        arity: -3,
        flags: &["admin", "noscript", "loading", "stale"],
        categories: &["@admin", "@slow", "@dangerous"],
        since: "2.0.0",
        summary: "Returns the settings that match the patterns.",
        syntax: "parameter(parameter)*",
    },
    SubcommandDoc {
        name: "config|help",
        arity: 2,
        flags: &["loading", "stale"],
        categories: &["@slow"],
        since: "5.0.0",
        summary: "Lists the CONFIG subcommands.",
        syntax: "",
    },
    SubcommandDoc {
        name: "config|resetstat",
        arity: 2,
        flags: &["admin", "noscript", "loading", "stale"],
        categories: &["@admin", "@slow", "@dangerous"],
        since: "2.0.0",
        summary: "Zeroes the statistics INFO reports.",
        syntax: "",
    },
    SubcommandDoc {
        name: "config|rewrite",
        arity: 2,
        flags: &["admin", "noscript", "loading", "stale"],
        categories: &["@admin", "@slow", "@dangerous"],
        since: "2.8.0",
        summary: "Writes the current settings back to the config file.",
        syntax: "",
    },
    SubcommandDoc {
        name: "config|set",
        arity: -4,
        flags: &["admin", "noscript", "loading", "stale"],
        categories: &["@admin", "@slow", "@dangerous"],
        since: "2.0.0",
        summary: "Changes settings while the server runs.",
        syntax: "parameter_value(parameter value)*",
    },
    SubcommandDoc {
        name: "latency|doctor",
        arity: 2,
        flags: &["admin", "noscript", "loading", "stale"],
        categories: &["@admin", "@slow", "@dangerous"],
        since: "2.8.13",
        summary: "Explains the latency events in words.",
        syntax: "",
    },
    SubcommandDoc {
        name: "latency|graph",
        arity: 3,
        flags: &["admin", "noscript", "loading", "stale"],
        categories: &["@admin", "@slow", "@dangerous"],
        since: "2.8.13",
        summary: "Draws a latency event's history as text.",
        syntax: "event",
    },
    SubcommandDoc {
        name: "latency|help",
        arity: 2,
        flags: &["loading", "stale"],
        categories: &["@slow"],
        since: "2.8.13",
        summary: "Lists the LATENCY subcommands.",
        syntax: "",
    },
    SubcommandDoc {
        name: "latency|histogram",
        arity: -2,
        flags: &["admin", "noscript", "loading", "stale"],
        categories: &["@admin", "@slow", "@dangerous"],
        since: "7.0.0",
        summary: "Returns latency histograms of commands.",
        syntax: "command?*",
    },
    SubcommandDoc {
        name: "latency|history",
        arity: 3,
        flags: &["admin", "noscript", "loading", "stale"],
        categories: &["@admin", "@slow", "@dangerous"],
        since: "2.8.13",
        summary: "Returns a latency event's samples.",
        syntax: "event",
    },
    SubcommandDoc {
        name: "latency|latest",
        arity: 2,
        flags: &["admin", "noscript", "loading", "stale"],
        categories: &["@admin", "@slow", "@dangerous"],
        since: "2.8.13",
        summary: "Returns the latest sample of every latency event.",
        syntax: "",
    },
    SubcommandDoc {
        name: "latency|reset",
        arity: -2,
        flags: &["admin", "noscript", "loading", "stale"],
        categories: &["@admin", "@slow", "@dangerous"],
        since: "2.8.13",
        summary: "Forgets the samples of latency events.",
        syntax: "event?*",
    },
    SubcommandDoc {
        name: "object|encoding",
        arity: 3,
        flags: &["readonly"],
        categories: &["@keyspace", "@read", "@slow"],
        since: "2.2.3",
        summary: "Names the encoding a key's value would have in Redis.",
        syntax: "key:k",
    },
    SubcommandDoc {
        name: "object|freq",
        arity: 3,
        flags: &["readonly"],
        categories: &["@keyspace", "@read", "@slow"],
        since: "4.0.0",
        summary: "Access frequency counter; Redis's error, as no LFU policy is in use.",
        syntax: "key:k",
    },
    SubcommandDoc {
        name: "object|help",
        arity: 2,
        flags: &["loading", "stale"],
        categories: &["@keyspace", "@slow"],
        since: "6.2.0",
        summary: "Lists the OBJECT subcommands.",
        syntax: "",
    },
    SubcommandDoc {
        name: "object|idletime",
        arity: 3,
        flags: &["readonly"],
        categories: &["@keyspace", "@read", "@slow"],
        since: "2.2.3",
        summary: "Time since the key was last used; an error, as resplite does not track it.",
        syntax: "key:k",
    },
    SubcommandDoc {
        name: "object|refcount",
        arity: 3,
        flags: &["readonly"],
        categories: &["@keyspace", "@read", "@slow"],
        since: "2.2.3",
        summary: "Number of references to a key's value, as Redis counts them.",
        syntax: "key:k",
    },
    SubcommandDoc {
        name: "pubsub|channels",
        arity: -2,
        flags: &["pubsub", "loading", "stale"],
        categories: &["@pubsub", "@slow"],
        since: "2.8.0",
        summary: "Lists the channels that have subscribers.",
        syntax: "pattern:p?",
    },
    SubcommandDoc {
        name: "pubsub|help",
        arity: 2,
        flags: &["loading", "stale"],
        categories: &["@slow"],
        since: "6.2.0",
        summary: "Lists the PUBSUB subcommands.",
        syntax: "",
    },
    SubcommandDoc {
        name: "pubsub|numpat",
        arity: 2,
        flags: &["pubsub", "loading", "stale"],
        categories: &["@pubsub", "@slow"],
        since: "2.8.0",
        summary: "Counts the patterns clients are subscribed to.",
        syntax: "",
    },
    SubcommandDoc {
        name: "pubsub|numsub",
        arity: -2,
        flags: &["pubsub", "loading", "stale"],
        categories: &["@pubsub", "@slow"],
        since: "2.8.0",
        summary: "Counts the subscribers of channels.",
        syntax: "channel?*",
    },
    SubcommandDoc {
        name: "pubsub|shardchannels",
        arity: -2,
        flags: &["pubsub", "loading", "stale"],
        categories: &["@pubsub", "@slow"],
        since: "7.0.0",
        summary: "Lists the shard channels that have subscribers (none: no SSUBSCRIBE here).",
        syntax: "pattern:p?",
    },
    SubcommandDoc {
        name: "pubsub|shardnumsub",
        arity: -2,
        flags: &["pubsub", "loading", "stale"],
        categories: &["@pubsub", "@slow"],
        since: "7.0.0",
        summary: "Counts the subscribers of shard channels (none: no SSUBSCRIBE here).",
        syntax: "shardchannel?*",
    },
    SubcommandDoc {
        name: "slowlog|get",
        arity: -2,
        flags: &["admin", "loading", "stale"],
        categories: &["@admin", "@slow", "@dangerous"],
        since: "2.2.12",
        summary: "Returns the newest entries of the slow log.",
        syntax: "count:i?",
    },
    SubcommandDoc {
        name: "slowlog|help",
        arity: 2,
        flags: &["loading", "stale"],
        categories: &["@slow"],
        since: "6.2.0",
        summary: "Lists the SLOWLOG subcommands.",
        syntax: "",
    },
    SubcommandDoc {
        name: "slowlog|len",
        arity: 2,
        flags: &["admin", "loading", "stale"],
        categories: &["@admin", "@slow", "@dangerous"],
        since: "2.2.12",
        summary: "Returns how many entries the slow log holds.",
        syntax: "",
    },
    SubcommandDoc {
        name: "slowlog|reset",
        arity: 2,
        flags: &["admin", "loading", "stale"],
        categories: &["@admin", "@slow", "@dangerous"],
        since: "2.2.12",
        summary: "Empties the slow log.",
        syntax: "",
    },
];

/// The arguments of command `name` (a registry name, in lower case); empty when it has none.
pub(crate) fn syntax_of(name: &str) -> &'static str {
    COMMAND_SYNTAX
        .binary_search_by(|(command, _)| (*command).cmp(name))
        .map_or("", |index| COMMAND_SYNTAX[index].1)
}

/// The commands that have subcommands, sorted: most requests are not for one of them, and
/// this answers that in three comparisons.
const CONTAINERS: &[&str] =
    &["client", "command", "config", "latency", "object", "pubsub", "slowlog"];

/// The subcommands of container command `name` (a registry name, in lower case), in order;
/// empty for any other command. A binary search, as dispatch asks this for every request.
pub(crate) fn subcommands_of(name: &str) -> &'static [SubcommandDoc] {
    if CONTAINERS.binary_search(&name).is_err() {
        return &[];
    }
    let start = SUBCOMMANDS.partition_point(|doc| container_of(doc) < name);
    let count = SUBCOMMANDS[start..].iter().take_while(|doc| container_of(doc) == name).count();
    &SUBCOMMANDS[start..start + count]
}

/// Subcommand `typed` (in any case) of container command `name`, with its bare name
/// (`list` for `client|list`).
pub(crate) fn find_subcommand(
    name: &str,
    typed: &[u8],
) -> Option<(&'static str, &'static SubcommandDoc)> {
    subcommands_of(name).iter().find_map(|doc| {
        let (_, subcommand) = doc.name.split_once('|')?;
        typed.eq_ignore_ascii_case(subcommand.as_bytes()).then_some((subcommand, doc))
    })
}

fn container_of(doc: &SubcommandDoc) -> &'static str {
    doc.name.split_once('|').map_or(doc.name, |(container, _)| container)
}

#[cfg(test)]
mod tests {
    use super::{
        COMMAND_SYNTAX, CONTAINERS, SUBCOMMANDS, container_of, find_subcommand, subcommands_of,
        syntax_of,
    };
    use crate::argument_notation::parse;
    use crate::registry::{COMMANDS, lookup};

    #[test]
    fn every_command_has_one_line_and_every_line_a_command() {
        let table: Vec<&str> = COMMAND_SYNTAX.iter().map(|(name, _)| *name).collect();
        let registry: Vec<&str> = COMMANDS.iter().map(|spec| spec.name).collect();
        assert_eq!(table, registry, "COMMAND_SYNTAX must list the registry's commands in order");
    }

    #[test]
    fn every_line_parses() {
        let lines = COMMAND_SYNTAX.iter().map(|(name, syntax)| (*name, *syntax));
        let subcommands = SUBCOMMANDS.iter().map(|doc| (doc.name, doc.syntax));
        for (name, syntax) in lines.chain(subcommands) {
            if let Err(error) = parse(syntax) {
                panic!("{name}: {error}");
            }
        }
    }

    #[test]
    fn subcommands_are_sorted_and_belong_to_registered_commands() {
        let names: Vec<&str> = SUBCOMMANDS.iter().map(|doc| doc.name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted);
        // `subcommands_of` searches by container alone.
        let mut containers: Vec<&str> = SUBCOMMANDS.iter().map(container_of).collect();
        assert!(containers.is_sorted());
        containers.dedup();
        assert_eq!(containers, CONTAINERS);
        for name in names {
            let (container, subcommand) = name.split_once('|').expect("container|subcommand");
            assert!(lookup(container.as_bytes()).is_some(), "{name}");
            assert_eq!(subcommand, subcommand.to_ascii_lowercase(), "{name}");
        }
    }

    #[test]
    fn lookups_find_lines_and_subcommands() {
        assert_eq!(syntax_of("get"), "key:k");
        assert_eq!(syntax_of("dbsize"), "");
        assert_eq!(syntax_of("no-such-command"), "");
        let config: Vec<&str> = subcommands_of("config").iter().map(|doc| doc.name).collect();
        assert_eq!(
            config,
            ["config|get", "config|help", "config|resetstat", "config|rewrite", "config|set"]
        );
        assert!(subcommands_of("get").is_empty());
        assert!(subcommands_of("zzz").is_empty());
        assert_eq!(find_subcommand("client", b"No-Evict").map(|(name, _)| name), Some("no-evict"));
        assert_eq!(find_subcommand("client|", b"id").map(|(name, _)| name), None);
        assert!(find_subcommand("client", b"nope").is_none());
        assert!(find_subcommand("get", b"id").is_none());
    }
}
