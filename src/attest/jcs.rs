//! RFC 8785 JSON Canonicalization Scheme (JCS): the exact bytes that attestations sign.
//!
//! In: a `serde_json::Value`. Out: its canonical UTF-8 bytes: no whitespace, object members
//! sorted by the UTF-16 code units of their names (RFC 8785 section 3.2.3), strings escaped
//! as the RFC prescribes (section 3.2.2.2) and numbers written with the ECMAScript
//! Number-to-String algorithm (section 3.2.2.3).
//!
//! The work is done by the `serde_jcs` crate (sorting by UTF-16 key, ES6 numbers through
//! `ryu-js`, serde_json's minimal escaping); this module pins the contract with the RFC's own
//! test vectors below, so a regression in the crate fails our tests, not our users' audits.

use serde_json::Value;

/// Canonicalisation failed (a number JCS cannot express; cannot occur for parsed JSON).
#[derive(Debug, thiserror::Error)]
#[error("cannot canonicalise JSON (RFC 8785)")]
pub struct JcsError(#[from] serde_json::Error);

/// The RFC 8785 canonical bytes of `value`.
pub fn canonicalize(value: &Value) -> Result<Vec<u8>, JcsError> {
    Ok(serde_jcs::to_vec(value)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical_text(input: &str) -> String {
        let value: Value = serde_json::from_str(input).unwrap();
        String::from_utf8(canonicalize(&value).unwrap()).unwrap()
    }

    fn number_from_bits(bits: u64) -> String {
        let value = serde_json::Number::from_f64(f64::from_bits(bits))
            .map(Value::Number)
            .unwrap();
        String::from_utf8(canonicalize(&value).unwrap()).unwrap()
    }

    /// RFC 8785 section 3.2.2 (input) and section 3.2.4 (the canonical UTF-8 output):
    /// number formatting, string escaping and literals.
    #[test]
    fn rfc8785_section_3_2_2_primitives() {
        let input = r#"{
          "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
          "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
          "literals": [null, true, false]
        }"#;
        let expected = "{\"literals\":[null,true,false],\
            \"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],\
            \"string\":\"\u{20ac}$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
        assert_eq!(canonical_text(input), expected);
    }

    /// RFC 8785 section 3.2.3: property sorting by UTF-16 code units, including a surrogate
    /// pair (the emoji sorts before U+FB33 although its code point is larger).
    #[test]
    fn rfc8785_section_3_2_3_sorting() {
        let input = r#"{
          "\u20ac": "Euro Sign",
          "\r": "Carriage Return",
          "\ufb33": "Hebrew Letter Dalet With Dagesh",
          "1": "One",
          "\ud83d\ude00": "Emoji: Grinning Face",
          "\u0080": "Control",
          "\u00f6": "Latin Small Letter O With Diaeresis"
        }"#;
        let text = canonical_text(input);
        let expected = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\
            \"\u{80}\":\"Control\",\"\u{f6}\":\"Latin Small Letter O With Diaeresis\",\
            \"\u{20ac}\":\"Euro Sign\",\"\u{1f600}\":\"Emoji: Grinning Face\",\
            \"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}";
        assert_eq!(text, expected);
    }

    /// RFC 8785 appendix B: IEEE 754 bit patterns and their ECMAScript string forms.
    #[test]
    fn rfc8785_appendix_b_numbers() {
        let cases: &[(u64, &str)] = &[
            (0x0000_0000_0000_0000, "0"),
            (0x8000_0000_0000_0000, "0"),
            (0x0000_0000_0000_0001, "5e-324"),
            (0x8000_0000_0000_0001, "-5e-324"),
            (0x7fef_ffff_ffff_ffff, "1.7976931348623157e+308"),
            (0xffef_ffff_ffff_ffff, "-1.7976931348623157e+308"),
            (0x4340_0000_0000_0000, "9007199254740992"),
            (0xc340_0000_0000_0000, "-9007199254740992"),
            (0x4430_0000_0000_0000, "295147905179352830000"),
            (0x44b5_2d02_c7e1_4af5, "9.999999999999997e+22"),
            (0x44b5_2d02_c7e1_4af6, "1e+23"),
            (0x44b5_2d02_c7e1_4af7, "1.0000000000000001e+23"),
            (0x444b_1ae4_d6e2_ef4e, "999999999999999700000"),
            (0x444b_1ae4_d6e2_ef4f, "999999999999999900000"),
            (0x444b_1ae4_d6e2_ef50, "1e+21"),
            (0x3eb0_c6f7_a0b5_ed8c, "9.999999999999997e-7"),
            (0x3eb0_c6f7_a0b5_ed8d, "0.000001"),
            (0x41b3_de43_5555_5553, "333333333.3333332"),
            (0x41b3_de43_5555_5554, "333333333.33333325"),
            (0x41b3_de43_5555_5555, "333333333.3333333"),
            (0x41b3_de43_5555_5556, "333333333.3333334"),
            (0x41b3_de43_5555_5557, "333333333.33333343"),
            (0xbecb_f647_612f_3696, "-0.0000033333333333333333"),
            (0x4314_3ff3_c1cb_0959, "1424953923781206.2"),
        ];
        for (bits, expected) in cases {
            assert_eq!(number_from_bits(*bits), *expected, "bits {bits:#018x}");
        }
        // NaN and Infinity are not JSON numbers at all: serde_json cannot even hold them.
        assert!(serde_json::Number::from_f64(f64::NAN).is_none());
        assert!(serde_json::Number::from_f64(f64::INFINITY).is_none());
    }

    #[test]
    fn integers_are_ieee_doubles_and_nesting_is_sorted() {
        assert_eq!(
            canonical_text(r#"{"b":[{"z":1,"y":2.0}],"a":-0.0,"c":18446744073709551615}"#),
            r#"{"a":0,"b":[{"y":2,"z":1}],"c":18446744073709552000}"#
        );
    }
}
