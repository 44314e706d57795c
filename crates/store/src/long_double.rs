//! placeholder: temporary f64 stand-in until the long-double emulation lands.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct LongDouble(f64);
impl LongDouble {
    pub(crate) fn parse(s: &[u8]) -> Option<LongDouble> {
        std::str::from_utf8(s).ok()?.parse().ok().map(LongDouble)
    }
    pub(crate) fn from_i64(v: i64) -> LongDouble {
        LongDouble(v as f64)
    }
    pub(crate) fn add(self, other: LongDouble) -> LongDouble {
        LongDouble(self.0 + other.0)
    }
    pub(crate) fn is_finite(self) -> bool {
        self.0.is_finite()
    }
    pub(crate) fn to_human_string(self) -> Option<String> {
        Some(self.0.to_string())
    }
}
