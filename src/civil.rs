//! Civil time as devices write it: month abbreviations, `HH:MM:SS.frac`
//! times of day, and proleptic Gregorian dates (over jiff). Console
//! captures and device logs both read these; a leaf any layer may use.

/// 1970-01-01, day 0 of the capture clock.
const EPOCH: jiff::civil::Date = jiff::civil::date(1970, 1, 1);

/// Days from 1970-01-01 to a proleptic Gregorian date (years -9999..=9999,
/// jiff's range). `None` for an impossible date.
pub fn days_from_civil(year: i32, month: u32, day: u32) -> Option<i64> {
    let date = jiff::civil::Date::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    )
    .ok()?;
    Some(i64::from((date - EPOCH).get_days()))
}

/// Days since 1970-01-01 → (year, month, day): the inverse of
/// [`days_from_civil`]. Days outside jiff's range (years -9999..=9999) are
/// clamped to its ends.
pub fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let date = jiff::Span::new()
        .try_days(z)
        .ok()
        .and_then(|span| EPOCH.checked_add(span).ok())
        .unwrap_or(if z < 0 {
            jiff::civil::Date::MIN
        } else {
            jiff::civil::Date::MAX
        });
    (
        i32::from(date.year()),
        date.month().unsigned_abs().into(),
        date.day().unsigned_abs().into(),
    )
}

/// Month abbreviation (`Jan` … `Dec`, any case) → 1..=12.
pub fn month_number(name: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let lower = name.to_ascii_lowercase();
    MONTHS
        .iter()
        .position(|m| *m == lower)
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// `HH:MM:SS[.f…]` (1 to 9 fraction digits) → nanoseconds since midnight.
pub fn parse_time_of_day(s: &str) -> Option<u64> {
    let (hms, frac) = match s.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    let mut parts = hms.split(':');
    let h = two_digits(parts.next()?)?;
    let m = two_digits(parts.next()?)?;
    let sec = two_digits(parts.next()?)?;
    if parts.next().is_some() || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let mut nanos = 0u64;
    if let Some(f) = frac {
        if f.is_empty() || f.len() > 9 || !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let v: u64 = f.parse().ok()?;
        let scale = 10u64.checked_pow(9 - u32::try_from(f.len()).ok()?)?;
        nanos = v * scale;
    }
    Some((h * 3600 + m * 60 + sec) * 1_000_000_000 + nanos)
}

fn two_digits(s: &str) -> Option<u64> {
    if s.len() != 2 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        for (y, m, d) in [(1970, 1, 1), (2000, 2, 29), (2026, 12, 2), (1969, 12, 31)] {
            let days = days_from_civil(y, m, d).unwrap();
            assert_eq!(civil_from_days(days), (y, m, d));
        }
        assert_eq!(days_from_civil(1970, 1, 1), Some(0));
        assert_eq!(days_from_civil(2024, 2, 30), None);
        assert_eq!(days_from_civil(2024, 13, 1), None);
    }

    #[test]
    fn time_of_day_and_months() {
        assert_eq!(parse_time_of_day("00:00:01.7"), Some(1_700_000_000));
        assert_eq!(parse_time_of_day("24:00:00"), None);
        assert_eq!(parse_time_of_day("01:00:00."), None);
        assert_eq!(month_number("Nov"), Some(11));
        assert_eq!(month_number("NOV"), Some(11));
        assert_eq!(month_number("Novem"), None);
    }
}
