//! PAX extended header records (POSIX.1-2001 `pax`): `<length> <key>=<value>\n`, where the
//! decimal length counts the whole record, itself included. A `x` header's records apply to the
//! next entry, a `g` header's to every later one (as Python's tarfile applies them).

use super::error::TarError;
use std::collections::BTreeMap;

/// Parses the content of a PAX header found at tar offset `at`.
pub fn parse(data: &[u8], at: u64) -> Result<BTreeMap<String, String>, TarError> {
    let bad = |reason: String| TarError::BadPax { at, reason };
    let mut records = BTreeMap::new();
    let mut rest = data;
    while !rest.is_empty() {
        if rest.iter().all(|&b| b == 0) {
            // Trailing NULs (some writers pad the header content).
            break;
        }
        let space = rest
            .iter()
            .position(|&b| b == b' ')
            .ok_or_else(|| bad("a record has no length".to_owned()))?;
        let digits = rest.get(..space).unwrap_or_default();
        let length: usize = std::str::from_utf8(digits)
            .ok()
            .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|d| d.parse().ok())
            .ok_or_else(|| {
                bad(format!(
                    "a record length is {:?}",
                    String::from_utf8_lossy(digits)
                ))
            })?;
        if length <= space + 1 || length > rest.len() {
            return Err(bad(format!(
                "a record claims {length} bytes, {} remain",
                rest.len()
            )));
        }
        let record = rest.get(space + 1..length).unwrap_or_default();
        let Some(body) = record.strip_suffix(b"\n") else {
            return Err(bad("a record does not end with a newline".to_owned()));
        };
        let equals = body
            .iter()
            .position(|&b| b == b'=')
            .ok_or_else(|| bad("a record has no `=`".to_owned()))?;
        let key = String::from_utf8_lossy(body.get(..equals).unwrap_or_default()).into_owned();
        let value = String::from_utf8_lossy(body.get(equals + 1..).unwrap_or_default()).into_owned();
        records.insert(key, value);
        rest = rest.get(length..).unwrap_or_default();
    }
    Ok(records)
}

/// A PAX time (`1700000000.123456789`, possibly negative) as seconds and nanoseconds.
pub fn time(text: &str) -> Option<(i64, u32)> {
    let (secs, fraction) = text.split_once('.').unwrap_or((text, ""));
    let secs: i64 = secs.parse().ok()?;
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits: String = fraction.chars().chain(std::iter::repeat('0')).take(9).collect();
    Some((secs, digits.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_count_their_own_length() {
        let records = parse(b"30 mtime=1700000000.123456789\n20 path=a/long/name\n", 0).unwrap();
        assert_eq!(records["mtime"], "1700000000.123456789");
        assert_eq!(records["path"], "a/long/name");
    }

    #[test]
    fn a_length_past_the_data_is_refused() {
        assert!(matches!(
            parse(b"99 path=x\n", 7),
            Err(TarError::BadPax { at: 7, .. })
        ));
    }

    #[test]
    fn pax_times_keep_their_fraction() {
        assert_eq!(time("1700000000.5"), Some((1_700_000_000, 500_000_000)));
        assert_eq!(time("12"), Some((12, 0)));
    }
}
