//! The connections one case file uses on one server: opened on first use (in database 0),
//! replaced after they are used up, and checked for replies nobody read.

use std::collections::BTreeMap;

use super::wire::{Connection, Reply};

/// A file's numbered connections to one server.
pub(crate) struct Session {
    port: u16,
    /// Only the open ones; a missing number is opened again on its next use.
    connections: BTreeMap<u8, Connection>,
}

impl Session {
    pub(crate) fn new(port: u16) -> Session {
        Session { port, connections: BTreeMap::new() }
    }

    /// Connection `number`, opened now if it is not open.
    pub(crate) fn connection(&mut self, number: u8) -> Result<&mut Connection, Reply> {
        if !self.connections.contains_key(&number) {
            let connection = Connection::open(self.port)
                .map_err(|error| Reply::Broken(format!("could not connect: {error}")))?;
            self.connections.insert(number, connection);
        }
        Ok(self.connections.get_mut(&number).expect("inserted above"))
    }

    /// Takes connection `number` out for good (opening it first if need be): its next use
    /// opens a new one.
    pub(crate) fn take(&mut self, number: u8) -> Result<Connection, Reply> {
        self.connection(number)?;
        Ok(self.connections.remove(&number).expect("opened above"))
    }

    /// Runs `action` on connection `number`, keeping the connection only if it is still in
    /// step with the server afterwards.
    pub(crate) fn with(
        &mut self,
        number: u8,
        action: impl FnOnce(&mut Connection) -> Reply,
    ) -> Reply {
        let reply = match self.connection(number) {
            Ok(connection) => action(connection),
            Err(failure) => return failure,
        };
        if !reply.leaves_connection_usable() {
            self.close(number);
        }
        reply
    }

    /// Closes connection `number` if it is open.
    pub(crate) fn close(&mut self, number: u8) {
        // Dropping the stream closes the socket, which is all a server can see.
        self.connections.remove(&number);
    }

    /// Bytes that have arrived on connection `number` and were not read, if it is open.
    pub(crate) fn unread(&mut self, number: u8) -> Vec<u8> {
        self.connections.get_mut(&number).map(Connection::unread).unwrap_or_default()
    }

    /// The open connections holding unread bytes, with those bytes.
    pub(crate) fn unread_everywhere(&mut self) -> Vec<(u8, Vec<u8>)> {
        let mut found = Vec::new();
        for (&number, connection) in &mut self.connections {
            let unread = connection.unread();
            if !unread.is_empty() {
                found.push((number, unread));
            }
        }
        found
    }
}
