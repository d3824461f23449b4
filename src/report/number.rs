//! Numbers as text, fast: [`push_f64`] writes exactly the bytes of Rust's `{}` (`Display`) for
//! an `f64`, a few times faster than `core::fmt`, for the files that hold many numbers (`gr/`,
//! the reduced S(Q)/F(Q) files, `metrics.csv`, the demo's pattern files).
//!
//! The shortest round-trip digits come from `zmij` (Schubfach; the crate `serde_json` already
//! uses for its floats). Rust's `Display` and `zmij` both give the shortest digit string that
//! reads back to the same `f64`, the closest one when several are as short; they differ in two
//! ways, both undone here:
//! - the layout: `zmij` switches to exponent notation (`1e-7`, `1.5e+16`) and writes `1.0`, while
//!   `Display` never uses an exponent (`0.0000001`, `15000000000000000`) and writes `1`;
//! - an exact tie between the two closest shortest strings (a value such as
//!   1394865425023536.25, whose neighbours .2 and .3 are as close): `zmij` takes the even last
//!   digit, `Display` the larger magnitude. Only normal numbers of 16 or 17 digits can tie.
//!
//! Zeros are `0` and `-0`; NaN is `NaN`, the infinities `inf` and `-inf`.

/// Appends `x` to `out` exactly as `write!(out, "{x}")` would, only faster.
pub fn push_f64(out: &mut String, x: f64) {
    if !x.is_finite() {
        out.push_str(if x.is_nan() {
            "NaN"
        } else if x > 0.0 {
            "inf"
        } else {
            "-inf"
        });
        return;
    }
    let mut buffer = zmij::Buffer::new();
    let text = buffer.format_finite(x);
    // A plain decimal is laid out as `Display` does, bar a `.0` ending; it is the same number
    // unless it may be a tie, which needs 15 digits or more (more than 15 bytes with the point)
    // and a value of few binary digits after the point (see `is_tie_above`).
    if !text.contains('e') && (text.len() <= 15 || !may_tie(x)) {
        out.push_str(text.strip_suffix(".0").unwrap_or(text));
        return;
    }
    push_decimal(out, x, text);
}

/// Writes `x` from the text `zmij` gave for it (`[-]digits[.digits][e[±]n]`) without an
/// exponent, a tie settled as `Display` does.
fn push_decimal(out: &mut String, x: f64, text: &str) {
    // `text` is `digits × 10^exponent`, with at most 17 significant digits (a u64 holds them).
    let (mantissa, power) = text.split_once('e').unwrap_or((text, "0"));
    let (mut digits, mut exponent) = (0u64, 0i32);
    let mut after_point = false;
    for b in mantissa.bytes() {
        match b {
            b'0'..=b'9' => {
                digits = digits * 10 + u64::from(b - b'0');
                exponent -= i32::from(after_point);
            }
            b'.' => after_point = true,
            _ => {}
        }
    }
    exponent += power
        .strip_prefix('+')
        .unwrap_or(power)
        .parse::<i32>()
        .unwrap_or(0);
    if x.is_sign_negative() {
        out.push('-');
    }
    if digits == 0 {
        out.push('0');
        return;
    }
    while digits % 10 == 0 {
        digits /= 10;
        exponent += 1;
    }
    if digits >= 100_000_000_000_000 && is_tie_above(x, digits, exponent) {
        digits += 1;
        while digits % 10 == 0 {
            digits /= 10;
            exponent += 1;
        }
    }
    let mut buffer = [0u8; 20];
    let mut start = buffer.len();
    while digits > 0 {
        start -= 1;
        buffer[start] = b'0' + (digits % 10) as u8;
        digits /= 10;
    }
    let digits = std::str::from_utf8(&buffer[start..]).unwrap_or("0");
    // Where the decimal point goes, counted in digits from the first one.
    let point = digits.len() as i32 + exponent;
    if point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', point.unsigned_abs() as usize));
        out.push_str(digits);
    } else if (point as usize) < digits.len() {
        let (whole, fraction) = digits.split_at(point as usize);
        out.push_str(whole);
        out.push('.');
        out.push_str(fraction);
    } else {
        out.push_str(digits);
        out.extend(std::iter::repeat_n('0', exponent as usize));
    }
}

/// Whether `x` may be a tie at all: a normal number `odd × 2^z` with |z| ≤ 27.
fn may_tie(x: f64) -> bool {
    let bits = x.abs().to_bits();
    let biased = (bits >> 52) as i32;
    let twos = (bits | (1u64 << 52)).trailing_zeros() as i32;
    biased != 0 && (biased - 1075 + twos).unsigned_abs() <= 27
}

/// Whether |x| is exactly halfway between `digits × 10^exponent` and the next number of as many
/// digits: `(10·digits + 5) × 10^(exponent − 1)`. With |x| = odd × 2^z, that is z = exponent − 1
/// and odd = (10·digits + 5) × 5^(exponent − 1) (or odd × 5^(1 − exponent) = 10·digits + 5).
fn is_tie_above(x: f64, digits: u64, exponent: i32) -> bool {
    let bits = x.abs().to_bits();
    let biased = (bits >> 52) as i32;
    if biased == 0 {
        return false; // subnormal: its exact decimal has hundreds of digits
    }
    let significand = (bits & ((1u64 << 52) - 1)) | (1u64 << 52);
    let twos = significand.trailing_zeros() as i32;
    let odd = u128::from(significand >> twos);
    let t = exponent - 1;
    if biased - 1075 + twos != t || t.unsigned_abs() > 27 {
        return false; // 5^28 × 10^14 is beyond 2^53, and 5^28 beyond 10^18 + 5
    }
    let midpoint = u128::from(digits) * 10 + 5;
    let fives = 5u128.pow(t.unsigned_abs());
    if t >= 0 {
        midpoint * fives == odd
    } else {
        odd * fives == midpoint
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(x: f64, out: &mut String) {
        out.clear();
        push_f64(out, x);
        let want = format!("{x}");
        assert_eq!(*out, want, "bits {:#018x}", x.to_bits());
    }

    /// xorshift64*: a fixed stream of random bits.
    struct Bits(u64);
    impl Bits {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
    }

    #[test]
    fn special_values_are_those_of_display() {
        let mut out = String::new();
        for x in [
            0.0,
            -0.0,
            f64::NAN,
            -f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
            f64::from_bits(1),
            -f64::from_bits(1),
            f64::from_bits(0x000f_ffff_ffff_ffff),
            f64::MAX,
            f64::MIN,
            f64::EPSILON,
            1.0,
            -1.0,
            0.1,
            1e-7,
            1e16,
            1.5e16,
            1e15,
            1e21,
            1e22,
            1e23,
            123456789012345680.0,
            0.30000000000000004,
            2f64.powi(53),
            2f64.powi(53) + 2.0,
            2f64.powi(64),
        ] {
            check(x, &mut out);
        }
        out.clear();
        push_f64(&mut out, 1e-7);
        assert_eq!(out, "0.0000001");
        out.clear();
        push_f64(&mut out, -0.0);
        assert_eq!(out, "-0");
    }

    #[test]
    fn every_kind_of_value_prints_as_display_does() {
        let mut out = String::with_capacity(400);
        let mut bits = Bits(0x9e37_79b9_7f4a_7c15);
        // Random bit patterns: every exponent, subnormals, NaNs and infinities included.
        for _ in 0..1_000_000 {
            check(f64::from_bits(bits.next()), &mut out);
        }
        // Random values spread evenly over the decimal exponents, and subnormals.
        for _ in 0..600_000 {
            let m = (bits.next() >> 11) as f64 / (1u64 << 53) as f64;
            let e = (bits.next() % 640) as i32 - 330;
            check(m * 10f64.powi(e), &mut out);
            check(-m * 10f64.powi(e), &mut out);
        }
        for _ in 0..200_000 {
            check(
                f64::from_bits(bits.next() & 0x000f_ffff_ffff_ffff),
                &mut out,
            );
        }
        // Grids and values as the files hold them: k·0.01, k·1e-3, k·0.02 + 0.5, tiny and huge.
        for k in 0..400_000i64 {
            let kf = k as f64;
            check(kf * 0.01, &mut out);
            check(kf * 1e-3, &mut out);
            check(0.5 + 0.02 * kf, &mut out);
            check(kf * 1e-300, &mut out);
            check(kf * 1e300, &mut out);
            check(-kf / 7.0, &mut out);
        }
        // Integers: small ones, up to 2^53 and beyond, and powers of ten and two.
        for k in 0..200_000u64 {
            check(k as f64, &mut out);
            check((bits.next() >> 11) as f64, &mut out);
            check(bits.next() as f64, &mut out);
            check(-((bits.next() >> (bits.next() % 64)) as f64), &mut out);
        }
        for e in -330..=310 {
            check(10f64.powi(e), &mut out);
            check(format!("1e{e}").parse().unwrap_or(0.0), &mut out);
        }
        for e in -1075..=1024 {
            check(2f64.powi(e), &mut out);
            check(-(2f64.powi(e) - f64::EPSILON), &mut out);
        }
    }
}
