//! Shortcuts for programs that embed the store: one call per common operation, each a
//! complete read or committed write.

use crate::engine::Store;
use crate::error::Result;
use crate::expiry::{Deadline, ExpireCondition};
use crate::reader::Db;
use crate::strings::SetOptions;

impl Store {
    /// The string value of `key` in `db`.
    pub fn get(&self, db: Db, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.read(|reader| reader.get(db, key))
    }

    /// Sets `key` to `value` (clearing any deadline), as a plain `SET`.
    pub fn set(&self, db: Db, key: &[u8], value: &[u8]) -> Result<()> {
        let (key, value) = (key.to_vec(), value.to_vec());
        self.write(move |writer| writer.set(db, &key, &value, SetOptions::default()).map(drop))
    }

    /// Deletes `key`; answers whether it existed.
    pub fn delete(&self, db: Db, key: &[u8]) -> Result<bool> {
        let key = key.to_vec();
        self.write(move |writer| Ok(writer.delete(db, &[key])? == 1))
    }

    /// Makes `key` expire `milliseconds` from now; answers whether the key exists.
    pub fn expire_in(&self, db: Db, key: &[u8], milliseconds: i64) -> Result<bool> {
        let key = key.to_vec();
        self.write(move |writer| {
            let at = writer.now().saturating_add(milliseconds);
            writer.expire_at(db, &key, at, ExpireCondition::default())
        })
    }

    /// The deadline of `key`.
    pub fn deadline(&self, db: Db, key: &[u8]) -> Result<Deadline> {
        self.read(|reader| reader.deadline(db, key))
    }
}
