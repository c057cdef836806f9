//! Dates in queries: RFC 3339 instants and plain periods (`2019`, `2019-05`, `2019-05-16`),
//! turned into half-open ranges of seconds so that `published:[2019-05-01 TO 2019-05-31]`
//! includes the whole of May 31st.

use chrono::{DateTime, NaiveDate};

use super::parse::Comparison;

/// A half-open span of time, seconds since the epoch: `start <= t < end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: i64,
    pub end: i64,
}

/// The period a date value names, or a message saying what is accepted.
pub fn period(value: &str) -> Result<Period, String> {
    let day = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp());
    let bad = || {
        format!("bad date `{value}`: write 2019, 2019-05, 2019-05-16 or an RFC 3339 time such as 2019-05-16T21:42:00Z")
    };
    if let Ok(instant) = DateTime::parse_from_rfc3339(value) {
        let t = instant.timestamp();
        return Ok(Period { start: t, end: t + 1 });
    }
    let parts: Vec<&str> = value.split('-').collect();
    let number = |s: &str, digits: usize| -> Option<u32> {
        (s.len() == digits && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
    };
    let (start, end) = match parts.as_slice() {
        [y] => {
            let y = number(y, 4).ok_or_else(bad)? as i32;
            (NaiveDate::from_ymd_opt(y, 1, 1), NaiveDate::from_ymd_opt(y + 1, 1, 1))
        }
        [y, m] => {
            let (y, m) = (number(y, 4).ok_or_else(bad)? as i32, number(m, 2).ok_or_else(bad)?);
            let start = NaiveDate::from_ymd_opt(y, m, 1);
            (start, start.and_then(|s| s.checked_add_months(chrono::Months::new(1))))
        }
        [y, m, d] => {
            let y = number(y, 4).ok_or_else(bad)? as i32;
            let start = NaiveDate::from_ymd_opt(y, number(m, 2).ok_or_else(bad)?, number(d, 2).ok_or_else(bad)?);
            (start, start.and_then(|s| s.succ_opt()))
        }
        _ => return Err(bad()),
    };
    match (start.and_then(day), end.and_then(day)) {
        (Some(start), Some(end)) if start.abs() < i64::from(i32::MAX) * 86_400 => Ok(Period { start, end }),
        _ => Err(bad()),
    }
}

/// Bounds `lower <= t < upper` (None: open) of a range between two date values.
pub fn range(
    lower: Option<&str>,
    upper: Option<&str>,
    inclusive_lower: bool,
    inclusive_upper: bool,
) -> Result<(Option<i64>, Option<i64>), String> {
    let lower = lower.map(period).transpose()?.map(|p| if inclusive_lower { p.start } else { p.end });
    let upper = upper.map(period).transpose()?.map(|p| if inclusive_upper { p.end } else { p.start });
    if let (Some(l), Some(u)) = (lower, upper)
        && l >= u
    {
        return Err("the range is empty: its start is not before its end".into());
    }
    Ok((lower, upper))
}

/// Bounds of a comparison (`published:>=2019`).
pub fn compare(op: Comparison, value: &str) -> Result<(Option<i64>, Option<i64>), String> {
    let p = period(value)?;
    Ok(match op {
        Comparison::Greater => (Some(p.end), None),
        Comparison::GreaterOrEqual => (Some(p.start), None),
        Comparison::Less => (None, Some(p.start)),
        Comparison::LessOrEqual => (None, Some(p.end)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    #[test]
    fn plain_dates_cover_whole_periods() {
        assert_eq!(
            period("2019-05-31").unwrap(),
            Period { start: ts("2019-05-31T00:00:00Z"), end: ts("2019-06-01T00:00:00Z") }
        );
        assert_eq!(
            period("2019-12").unwrap(),
            Period { start: ts("2019-12-01T00:00:00Z"), end: ts("2020-01-01T00:00:00Z") }
        );
        assert_eq!(period("2020").unwrap().end, ts("2021-01-01T00:00:00Z"));
        assert_eq!(period("2019-05-16T23:30:00+08:00").unwrap().start, ts("2019-05-16T15:30:00Z"));
        for bad in ["yesterday", "2019-13", "2019-02-30", "19-05-01", "2019/05/01", "", "99999"] {
            assert!(period(bad).unwrap_err().contains("bad date"), "{bad}");
        }
    }

    #[test]
    fn ranges_and_comparisons() {
        let (l, u) = range(Some("2019-05-01"), Some("2019-05-31"), true, true).unwrap();
        assert_eq!((l, u), (Some(ts("2019-05-01T00:00:00Z")), Some(ts("2019-06-01T00:00:00Z"))));
        let (l, u) = range(Some("2019"), None, false, true).unwrap();
        assert_eq!((l, u), (Some(ts("2020-01-01T00:00:00Z")), None));
        assert!(range(Some("2020"), Some("2019"), true, true).unwrap_err().contains("empty"));
        assert_eq!(compare(Comparison::Less, "2020").unwrap(), (None, Some(ts("2020-01-01T00:00:00Z"))));
        assert_eq!(compare(Comparison::LessOrEqual, "2020").unwrap(), (None, Some(ts("2021-01-01T00:00:00Z"))));
    }
}
