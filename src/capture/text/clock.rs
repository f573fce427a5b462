//! Time of day → [`Timestamp`]: civil dates, `HH:MM:SS.frac` parsing and
//! the day roll-over of date-less ASA time stamps.

use crate::capture::Timestamp;

const NANOS_PER_DAY: u64 = 86_400 * 1_000_000_000;
/// A time stamp this far before the previous one is taken as a midnight
/// crossing; a smaller backward step is kept on the same day.
const ROLLOVER_THRESHOLD: u64 = NANOS_PER_DAY / 2;

pub use crate::civil::{civil_from_days, days_from_civil, month_number, parse_time_of_day};

/// A timestamp for `day` (days since the epoch) plus `tod` nanoseconds.
pub fn stamp(day: i64, tod: u64) -> Timestamp {
    let secs = i64::try_from(tod / 1_000_000_000).unwrap_or(0);
    let nanos = u32::try_from(tod % 1_000_000_000).unwrap_or(0);
    Timestamp {
        secs: day.saturating_mul(86_400).saturating_add(secs),
        nanos,
    }
}

/// Turns a sequence of times of day into timestamps starting on a given day,
/// moving to the next day whenever the time falls back by more than half a
/// day (a midnight crossing, as acap2pcap does).
#[derive(Debug, Clone)]
pub struct DayClock {
    day: i64,
    last: Option<u64>,
}

impl DayClock {
    pub fn new(day: i64) -> Self {
        DayClock { day, last: None }
    }

    /// The timestamp of `tod`; `true` when it moved to the next day.
    pub fn stamp(&mut self, tod: u64) -> (Timestamp, bool) {
        let mut rolled = false;
        if let Some(last) = self.last {
            if tod < last && last - tod > ROLLOVER_THRESHOLD {
                self.day += 1;
                rolled = true;
            }
        }
        self.last = Some(tod);
        (stamp(self.day, tod), rolled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_from_days_inverts_days_from_civil() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(20_785), (2026, 11, 28));
        for d in [-1, 59, 11_016, 20_000, 25_000] {
            let (y, m, day) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, day), Some(d));
        }
    }

    #[test]
    fn civil_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), Some(0));
        assert_eq!(days_from_civil(2000, 3, 1), Some(11_017));
        assert_eq!(days_from_civil(2024, 2, 29), Some(19_782));
        assert_eq!(days_from_civil(2023, 2, 29), None);
        assert_eq!(days_from_civil(2023, 13, 1), None);
        assert_eq!(days_from_civil(2024, 2, 30), None);
        assert_eq!(days_from_civil(70_000, 1, 1), None);
        assert_eq!(civil_from_days(i64::MAX), (9999, 12, 31));
        assert_eq!(civil_from_days(i64::MIN).0, -9999);
    }

    #[test]
    fn times_of_day() {
        assert_eq!(
            parse_time_of_day("13:46:39.803120"),
            Some(49_599_803_120_000)
        );
        assert_eq!(parse_time_of_day("00:00:01.7"), Some(1_700_000_000));
        assert_eq!(parse_time_of_day("24:00:00"), None);
        assert_eq!(parse_time_of_day("1:00:00"), None);
        assert_eq!(parse_time_of_day("01:00:00."), None);
        assert_eq!(month_number("Nov"), Some(11));
    }

    #[test]
    fn rolls_over_midnight_only() {
        let mut c = DayClock::new(10);
        let a = c.stamp(parse_time_of_day("23:59:59.5").unwrap_or(0)).0;
        let (b, rolled) = c.stamp(parse_time_of_day("00:00:00.25").unwrap_or(0));
        assert!(rolled);
        assert!((b.since(a) - 0.75).abs() < 1e-9);
        // a small step back stays on the same day
        let (_, rolled) = c.stamp(parse_time_of_day("00:00:00.1").unwrap_or(0));
        assert!(!rolled);
    }
}
