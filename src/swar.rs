//! Eight bytes at a time: per-byte tests on a `u64` of text (the high bit of each byte
//! that passes), for the scans that look for word starts and ends in whole articles
//! (`gazetteer`, `time`). Owns only the bit tricks; what a scan does with them stays with
//! its stage.

pub(crate) const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// `b` in every byte.
pub(crate) const fn splat(b: u8) -> u64 {
    0x0101_0101_0101_0101 * b as u64
}

/// The high bit of each byte of `x` whose low seven bits are in `lo..=hi` (`lo >= 1`,
/// `hi < 0x7f`). Per byte without carries across bytes: the high bit of `a + (0x80 - lo)`
/// says `a >= lo`, of `a + (0x7f - hi)` says `a > hi`.
#[inline]
pub(crate) fn in_range8(x: u64, lo: u8, hi: u8) -> u64 {
    let a = x & !HIGH_BITS;
    a.wrapping_add(splat(0x80 - lo)) & !a.wrapping_add(splat(0x7f - hi)) & HIGH_BITS
}

/// The high bit of each byte of `x` (ASCII) equal to `c` (ASCII).
#[inline]
pub(crate) fn eq8(x: u64, c: u8) -> u64 {
    !(x ^ splat(c)).wrapping_add(splat(0x7f)) & HIGH_BITS
}

/// The high bit of each byte of `x` that is an ASCII letter.
#[inline]
pub(crate) fn ascii_letters8(x: u64) -> u64 {
    in_range8(x | splat(0x20), b'a', b'z') & !x
}

/// The high bit of each byte of `x` that is an ASCII letter or digit.
#[inline]
pub(crate) fn ascii_alnum8(x: u64) -> u64 {
    (in_range8(x, b'0', b'9') | ascii_letters8(x)) & !x
}
