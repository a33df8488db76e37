//! The fixed 512-byte tar header (POSIX ustar, with GNU's extensions): field layout, checksum and
//! the two number forms, octal text and GNU base-256 (a first byte of 0x80 for positive, 0xff for
//! negative values, big-endian after it), which GNU tar and Go write for sizes of 8 GiB and more
//! and for ids over 2,097,151.

use super::error::TarError;

pub const BLOCK: usize = 512;

/// The fields of one header block, numbers decoded, strings still bytes.
#[derive(Debug, Clone)]
pub struct Header {
    pub name: Vec<u8>,
    pub mode: u64,
    pub uid: u64,
    pub gid: u64,
    pub size: u64,
    pub mtime: i64,
    pub flag: u8,
    pub link: Vec<u8>,
    pub uname: Vec<u8>,
    pub gname: Vec<u8>,
    pub devmajor: u64,
    pub devminor: u64,
}

fn field(block: &[u8; BLOCK], start: usize, len: usize) -> &[u8] {
    block.get(start..start + len).unwrap_or_default()
}

/// A NUL-terminated string field.
fn text(bytes: &[u8]) -> Vec<u8> {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    bytes.get(..end).unwrap_or_default().to_vec()
}

/// Whether every byte of the block is zero: half of the end-of-archive marker.
pub fn is_zero(block: &[u8; BLOCK]) -> bool {
    block.iter().all(|&b| b == 0)
}

/// A numeric field: octal text (spaces and NULs around it), or GNU base-256. Each caller
/// decides what a negative or over-wide value means for its field.
fn number(bytes: &[u8], at: u64, name: &'static str) -> Result<Number, TarError> {
    match bytes.first() {
        Some(0x80) | Some(0xff) => Ok(base256(bytes)),
        _ => octal(bytes).ok_or_else(|| TarError::BadNumber {
            at,
            field: name.to_owned(),
            text: String::from_utf8_lossy(bytes).into_owned(),
        }),
    }
}

/// A decoded numeric field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Number {
    Value(u64),
    Negative(i64),
    TooLarge,
}

fn octal(bytes: &[u8]) -> Option<Number> {
    let trimmed = bytes
        .iter()
        .skip_while(|&&b| b == b' ' || b == 0)
        .take_while(|&&b| b != b' ' && b != 0);
    let mut value: u64 = 0;
    for &b in trimmed {
        if !(b'0'..=b'7').contains(&b) {
            return None;
        }
        value = value.checked_mul(8)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(Number::Value(value))
}

fn base256(bytes: &[u8]) -> Number {
    let negative = bytes.first() == Some(&0xff);
    let mut rest = bytes.get(1..).unwrap_or_default().to_vec();
    if negative {
        // Two's complement: invert, value = -(inverted + 1).
        rest.iter_mut().for_each(|b| *b = !*b);
    }
    let significant: Vec<u8> = rest.iter().copied().skip_while(|&b| b == 0).collect();
    if significant.len() > 8 {
        return Number::TooLarge;
    }
    let value = significant.iter().fold(0u64, |v, &b| (v << 8) | u64::from(b));
    if negative {
        Number::Negative(i64::try_from(value).map_or(i64::MIN, |v| -v - 1))
    } else {
        Number::Value(value)
    }
}

/// An unsigned field: ids, mode, device numbers. Negative or over-wide values read as 0 is wrong,
/// so they are errors too.
fn unsigned(bytes: &[u8], at: u64, name: &'static str) -> Result<u64, TarError> {
    match number(bytes, at, name)? {
        Number::Value(v) => Ok(v),
        Number::Negative(_) | Number::TooLarge => Err(TarError::BadNumber {
            at,
            field: name.to_owned(),
            text: format!("{bytes:02x?}"),
        }),
    }
}

/// The sum of the header's bytes with the checksum field read as spaces: unsigned, as POSIX
/// says, or signed (`signed`), as some old tars computed it.
fn checksum(block: &[u8; BLOCK], signed: bool) -> u64 {
    let field = 148..156;
    let spaces = 8 * u64::from(b' ');
    if signed {
        let sum: i64 = block.iter().map(|&b| i64::from(b as i8)).sum();
        let field_sum: i64 = block
            .get(field)
            .unwrap_or_default()
            .iter()
            .map(|&b| i64::from(b as i8))
            .sum();
        (sum - field_sum) as u64 + spaces
    } else {
        let sum: u64 = block.iter().map(|&b| u64::from(b)).sum();
        let field_sum: u64 = block
            .get(field)
            .unwrap_or_default()
            .iter()
            .map(|&b| u64::from(b))
            .sum();
        sum - field_sum + spaces
    }
}

/// Decodes a non-zero header block found at tar offset `at`.
pub fn parse(block: &[u8; BLOCK], at: u64) -> Result<Header, TarError> {
    let stored = match octal(field(block, 148, 8)) {
        Some(Number::Value(v)) => v,
        _ => u64::MAX,
    };
    let computed = checksum(block, false);
    if stored != computed && stored != checksum(block, true) {
        return Err(TarError::BadChecksum { at, stored, computed });
    }
    let magic = field(block, 257, 6);
    let mut name = text(field(block, 0, 100));
    if magic == b"ustar\0" {
        // POSIX ustar: a prefix joined with `/`. GNU tar (`ustar  \0`) keeps atime/ctime there.
        let prefix = text(field(block, 345, 155));
        if !prefix.is_empty() {
            let mut joined = prefix;
            joined.push(b'/');
            joined.extend_from_slice(&name);
            name = joined;
        }
    }
    let path = String::from_utf8_lossy(&name).into_owned();
    let size = match number(field(block, 124, 12), at, "size")? {
        Number::Value(v) => v,
        Number::Negative(_) => return Err(TarError::NegativeSize { at }),
        Number::TooLarge => {
            return Err(TarError::HugeSize {
                at,
                path,
                size: None,
                cap: 0,
            })
        }
    };
    let mtime = match number(field(block, 136, 12), at, "mtime")? {
        Number::Value(v) => i64::try_from(v).unwrap_or(i64::MAX),
        Number::Negative(v) => v,
        Number::TooLarge => i64::MAX,
    };
    Ok(Header {
        name,
        mode: unsigned(field(block, 100, 8), at, "mode")?,
        uid: unsigned(field(block, 108, 8), at, "uid")?,
        gid: unsigned(field(block, 116, 8), at, "gid")?,
        size,
        mtime,
        flag: block[156],
        link: text(field(block, 157, 100)),
        uname: text(field(block, 265, 32)),
        gname: text(field(block, 297, 32)),
        devmajor: unsigned(field(block, 329, 8), at, "devmajor").unwrap_or(0),
        devminor: unsigned(field(block, 337, 8), at, "devminor").unwrap_or(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn octal_fields_allow_spaces_and_nuls_around_digits() {
        assert_eq!(octal(b"0000644\0"), Some(Number::Value(0o644)));
        assert_eq!(octal(b"   644 \0"), Some(Number::Value(0o644)));
        assert_eq!(octal(b"\0\0\0\0"), Some(Number::Value(0)));
        assert_eq!(octal(b"64x"), None);
    }

    #[test]
    fn base256_reads_big_positive_and_negative_values() {
        let mut size = [0u8; 12];
        size[0] = 0x80;
        size[7] = 0x02; // 2 << 32 = 8 GiB
        assert_eq!(base256(&size), Number::Value(8 << 30));
        assert_eq!(base256(&[0xff; 12]), Number::Negative(-1));
        let mut wide = [0x80u8; 12];
        wide[1] = 1;
        assert_eq!(base256(&wide), Number::TooLarge);
    }
}
