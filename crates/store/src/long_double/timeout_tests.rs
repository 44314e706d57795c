//! Tests of the timeout conversion Redis 7.0's blocking commands make in `long double`:
//! `(long long) ceill(seconds * 1000.0)` ([`LongDouble::times`], [`LongDouble::ceil_to_i64`]).

use proptest::prelude::*;

use super::LongDouble;

/// `(long long) ceill(strtold(input) * 1000.0)` recorded on x86-64 with gcc (`None` where
/// Redis's `string2ld` rejects the input): how Redis 7.0 turns a blocking command's timeout
/// into milliseconds. Hand-picked edges, then random decimals, exponents and hexadecimal
/// floats.
const TIMEOUT_VECTORS: &[(&str, Option<i64>)] = &[
    ("0", Some(0)),
    ("-0", Some(0)),
    ("1", Some(1000)),
    ("-1", Some(-1000)),
    ("0.001", Some(1)),
    ("-0.001", Some(0)),
    ("-0.0011", Some(-1)),
    ("0.0001", Some(1)),
    ("1e-400", Some(1)),
    ("-1e-400", Some(0)),
    ("1e-320", Some(1)),
    ("1e-5000", None),
    ("0x1p-1080", Some(1)),
    ("9223372036854775", Some(9223372036854775000)),
    ("9223372036854775.807", Some(9223372036854775807)),
    ("9223372036854775.8075", Some(i64::MIN)),
    ("9223372036854775.808", Some(i64::MIN)),
    ("-9223372036854775.808", Some(-9223372036854775807)),
    ("-9223372036854775.809", Some(i64::MIN)),
    ("1e16", Some(i64::MIN)),
    ("inf", Some(i64::MIN)),
    ("-inf", Some(i64::MIN)),
    ("1e300", Some(i64::MIN)),
    ("0.1", Some(100)),
    ("0.3", Some(300)),
    ("0.7", Some(700)),
    ("2.675", Some(2675)),
    ("1.0005", Some(1001)),
    ("-1.0005", Some(-1000)),
    ("0x10", Some(16000)),
    ("1e1", Some(10000)),
    ("123456.789123", Some(123456790)),
    ("0.0009999999999999999", Some(1)),
    ("0.00100000000000000002", Some(2)),
    ("-0.0009999", Some(0)),
    ("4.9e-324", Some(1)),
    ("1.7976931348623157e308", Some(i64::MIN)),
    ("1e4932", Some(i64::MIN)),
    ("-1e4932", Some(i64::MIN)),
    ("94456e1", Some(944560000)),
    ("3.4034812052266776", Some(3404)),
    ("-896.29349", Some(-896293)),
    ("-256", Some(-256000)),
    ("87.522", Some(87522)),
    ("462", Some(462000)),
    ("0xe2e9c82b1p31", Some(i64::MIN)),
    ("0x1861b1p22", Some(6701965115392000)),
    ("-3.6123258160109684", Some(-3612)),
    ("0x43b5p-80", Some(1)),
    ("-2.905436175048821", Some(-2905)),
    ("744.8", Some(744800)),
    ("-17778e-4", Some(-1777)),
    ("882.0", Some(882000)),
    ("-402.422", Some(-402422)),
    ("8766e-5", Some(88)),
    ("-869.72", Some(-869720)),
    ("58102e8", Some(5810200000000000)),
    ("0.9597895054470182", Some(960)),
    ("-82692e-1", Some(-8269200)),
    ("-19767e5", Some(-1976700000000)),
    ("-51562e5", Some(-5156200000000)),
    ("0x74bcep-48", Some(1)),
    ("4.49220476670526", Some(4493)),
    ("5984e-10", Some(1)),
    ("0x4a0c60597bdcp27", Some(i64::MIN)),
    ("-0.4717774654383131", Some(-471)),
    ("910.3598", Some(910360)),
    ("511", Some(511000)),
    ("0xb5a8332f05ap34", Some(i64::MIN)),
    ("21334e-7", Some(3)),
    ("-22441e-9", Some(0)),
    ("0x355p-37", Some(1)),
    ("-61151e0", Some(-61151000)),
    ("84185e7", Some(841850000000000)),
    ("-1.8754963065709305", Some(-1875)),
    ("-19739e-5", Some(-197)),
    ("1.2680576852610734", Some(1269)),
    ("26824e-5", Some(269)),
    ("-4.190417678155072", Some(-4190)),
    ("0x7p14", Some(114688000)),
    ("-34409e4", Some(-344090000000)),
    ("0x7216p37", Some(4014042075103232000)),
    ("3.0166443060013783", Some(3017)),
    ("-45720e-6", Some(-45)),
    ("792.99204", Some(792993)),
    ("0xacdp-25", Some(1)),
    ("-60876e-9", Some(0)),
    ("0x1d2425d75ap38", Some(i64::MIN)),
    ("-92.9200", Some(-92920)),
    ("0x8c7aa286acp-43", Some(69)),
    ("0x25817e6e053f7p-66", Some(1)),
    ("0x504063p39", Some(i64::MIN)),
    ("0x16d2e1c5d3ap-18", Some(5983111092)),
    ("35052e7", Some(350520000000000)),
    ("-83456e14", Some(i64::MIN)),
    ("82085e8", Some(8208500000000000)),
    ("2.5963873643948947", Some(2597)),
    ("46621e12", Some(i64::MIN)),
    ("27320e-2", Some(273200)),
];

#[test]
fn converts_timeouts_to_milliseconds_like_x87_code() {
    for &(input, expected) in TIMEOUT_VECTORS {
        let milliseconds =
            LongDouble::parse(input.as_bytes()).map(|seconds| seconds.times(1000).ceil_to_i64());
        assert_eq!(milliseconds, expected, "{input}");
    }
}

proptest! {
    #[test]
    fn whole_multiples_of_integers_are_exact(value in -(1i64 << 40)..(1i64 << 40), factor in 0u32..100_000) {
        let product = LongDouble::from_i64(value).times(factor);
        prop_assert_eq!(product.ceil_to_i64(), value * i64::from(factor));
    }
}
