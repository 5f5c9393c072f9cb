//! Working days for task due dates: Saturdays, Sundays and Russian public holidays are days off.
//!
//! The public holidays (Labour Code, art. 112) are January 1–8, February 23, March 8, May 1,
//! May 9, June 12 and November 4. For 2025 and 2026 the government's transfer decrees are modelled
//! exactly ([`TRANSFERS`]: extra days off and working Saturdays). For other years the Labour
//! Code's own rule is applied — a holiday outside January that falls on a weekend moves the day off
//! to the next working day — while the transfers the government decides each year (usually of the
//! January weekend days) are not modelled; add a year to [`TRANSFERS`] once its decree is
//! published (the 2027 decree was not known when this was written).

use chrono::{Datelike, NaiveDate, Weekday};

/// The public holidays outside January, as (month, day).
const HOLIDAYS: [(u32, u32); 6] = [(2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4)];

/// A year whose days off were set by a government decree.
pub struct Transfers {
    /// The year.
    pub year: i32,
    /// Weekdays that are days off besides the holidays themselves, as (month, day).
    pub days_off: &'static [(u32, u32)],
    /// Saturdays or Sundays that are working days, as (month, day).
    pub working_weekend_days: &'static [(u32, u32)],
}

/// The decreed transfers: 2025 (decree of 4 October 2024 № 1335) and 2026 (247 working days each).
pub const TRANSFERS: &[Transfers] = &[
    Transfers {
        year: 2025,
        // Jan 4 → May 2, Jan 5 → Dec 31, Feb 23 → May 8, Mar 8 → Jun 13, Nov 1 → Nov 3.
        days_off: &[(5, 2), (5, 8), (6, 13), (11, 3), (12, 31)],
        working_weekend_days: &[(11, 1)],
    },
    Transfers {
        year: 2026,
        // Jan 3 → Jan 9, Jan 4 → Dec 31, Mar 8 → Mar 9, May 9 → May 11.
        days_off: &[(1, 9), (3, 9), (5, 11), (12, 31)],
        working_weekend_days: &[],
    },
];

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn is_holiday(date: NaiveDate) -> bool {
    (date.month() == 1 && date.day() <= 8) || HOLIDAYS.contains(&(date.month(), date.day()))
}

/// Whether `date` is a day off moved from a holiday on a weekend by the Labour Code's rule (for
/// years without a decree): the first weekday after the holiday that is not a holiday itself.
fn is_moved_holiday(date: NaiveDate) -> bool {
    if is_weekend(date) || is_holiday(date) {
        return false;
    }
    HOLIDAYS.iter().any(|&(month, day)| {
        let Some(holiday) = NaiveDate::from_ymd_opt(date.year(), month, day) else {
            return false;
        };
        if !is_weekend(holiday) || holiday >= date {
            return false;
        }
        // Every day between the holiday and `date` must be a weekend or a holiday.
        holiday
            .iter_days()
            .skip(1)
            .take_while(|d| *d < date)
            .all(|d| is_weekend(d) || is_holiday(d))
    })
}

/// Whether people work on `date`.
pub fn is_working_day(date: NaiveDate) -> bool {
    let key = (date.month(), date.day());
    if let Some(year) = TRANSFERS.iter().find(|t| t.year == date.year()) {
        if year.working_weekend_days.contains(&key) {
            return true;
        }
        return !is_weekend(date) && !is_holiday(date) && !year.days_off.contains(&key);
    }
    !is_weekend(date) && !is_holiday(date) && !is_moved_holiday(date)
}

/// The date `days` working days after `start` (`start` itself not counted): 1 from a Friday is
/// the next Monday. With 0 days, `start` itself when it is a working day, else the next working
/// day.
pub fn add_working_days(start: NaiveDate, days: u32) -> NaiveDate {
    let mut date = start;
    if days == 0 {
        while !is_working_day(date) {
            date = next_day(date);
        }
        return date;
    }
    let mut left = days;
    while left > 0 {
        date = next_day(date);
        if is_working_day(date) {
            left -= 1;
        }
    }
    date
}

fn next_day(date: NaiveDate) -> NaiveDate {
    date.succ_opt().unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    fn working_days_in(year: i32) -> usize {
        d(year, 1, 1)
            .iter_days()
            .take_while(|date| date.year() == year)
            .filter(|&date| is_working_day(date))
            .count()
    }

    #[test]
    fn the_decreed_years_have_their_official_working_day_counts() {
        assert_eq!(working_days_in(2025), 247);
        assert_eq!(working_days_in(2026), 247);
    }

    #[test]
    fn weekends_and_holidays_are_days_off() {
        assert!(is_working_day(d(2026, 1, 12)));
        assert!(!is_working_day(d(2026, 1, 9)), "transferred from Jan 3");
        assert!(!is_working_day(d(2026, 2, 23)));
        assert!(!is_working_day(d(2026, 3, 9)), "Mar 8 falls on a Sunday");
        assert!(!is_working_day(d(2026, 5, 11)), "May 9 falls on a Saturday");
        assert!(!is_working_day(d(2026, 11, 4)));
        assert!(!is_working_day(d(2026, 12, 31)));
        assert!(!is_working_day(d(2026, 11, 7)), "a Saturday");
        assert!(is_working_day(d(2025, 11, 1)), "a working Saturday in 2025");
        assert!(!is_working_day(d(2025, 11, 3)));
        assert!(
            is_working_day(d(2025, 2, 24)),
            "2025: Feb 23 moved to May 8"
        );
        assert!(!is_working_day(d(2025, 5, 8)));
    }

    #[test]
    fn undecreed_years_follow_the_labour_code_rule() {
        // 2027: May 1 is a Saturday → Monday May 3; May 9 a Sunday → Monday May 10;
        // June 12 a Saturday → Monday June 14.
        assert!(!is_working_day(d(2027, 5, 3)));
        assert!(!is_working_day(d(2027, 5, 10)));
        assert!(!is_working_day(d(2027, 6, 14)));
        assert!(is_working_day(d(2027, 5, 4)));
        assert!(is_working_day(d(2027, 6, 15)));
        assert!(!is_working_day(d(2027, 1, 8)));
        assert!(is_working_day(d(2027, 1, 11)));
        // 2028: Jan holidays do not move by the rule; Feb 23 is a Wednesday.
        assert!(is_working_day(d(2028, 2, 24)));
    }

    #[test]
    fn adding_working_days_skips_days_off() {
        // Friday + 1 = Monday.
        assert_eq!(add_working_days(d(2026, 11, 6), 1), d(2026, 11, 9));
        // Zero days: the day itself, or the next working day.
        assert_eq!(add_working_days(d(2026, 11, 6), 0), d(2026, 11, 6));
        assert_eq!(add_working_days(d(2026, 11, 7), 0), d(2026, 11, 9));
        // Over the New Year holidays: Dec 30 2026 (Wed) + 1 = Mon Jan 11 2027 (Dec 31 is off in 2026).
        assert_eq!(add_working_days(d(2026, 12, 30), 1), d(2027, 1, 11));
        // Over the November holiday: Nov 3 2026 (Tue) + 1 = Nov 5.
        assert_eq!(add_working_days(d(2026, 11, 3), 1), d(2026, 11, 5));
        // Ten working days from Monday: two weeks later.
        assert_eq!(add_working_days(d(2026, 9, 7), 10), d(2026, 9, 21));
    }
}
