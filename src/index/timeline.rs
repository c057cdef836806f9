//! Timelines: counts of a query's matches per day, week (from Monday), month or year of
//! publication, optionally split by stance. A collector over the `published` fast field
//! counts per day into a dense array and folds days into calendar buckets at the end, so
//! the per-document work is one array increment.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::Query;
use tantivy::{DateTime, DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

use super::IndexError;
use crate::model::Stance;

/// Most buckets one timeline may have: a daily timeline of 25 years is too long to draw.
pub const MAX_BUCKETS: usize = 5_000;
const SECONDS_PER_DAY: i64 = 86_400;

/// Bucket width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    Day,
    Week,
    #[default]
    Month,
    Year,
}

impl Interval {
    pub fn as_str(self) -> &'static str {
        match self {
            Interval::Day => "day",
            Interval::Week => "week",
            Interval::Month => "month",
            Interval::Year => "year",
        }
    }

    pub fn parse(text: &str) -> Option<Interval> {
        [Interval::Day, Interval::Week, Interval::Month, Interval::Year].into_iter().find(|i| i.as_str() == text)
    }

    /// The first day of the bucket holding `day`.
    fn start(self, day: NaiveDate) -> NaiveDate {
        match self {
            Interval::Day => day,
            Interval::Week => day - Duration::days(i64::from(day.weekday().num_days_from_monday())),
            Interval::Month => day.with_day(1).unwrap_or(day),
            Interval::Year => day.with_ordinal(1).unwrap_or(day),
        }
    }

    /// The first day of the bucket after the one starting at `start`.
    fn next(self, start: NaiveDate) -> NaiveDate {
        match self {
            Interval::Day => start + Duration::days(1),
            Interval::Week => start + Duration::days(7),
            Interval::Month => start.checked_add_months(chrono::Months::new(1)).unwrap_or(start),
            Interval::Year => start.checked_add_months(chrono::Months::new(12)).unwrap_or(start),
        }
    }
}

/// One bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bucket {
    /// First day of the bucket (YYYY-MM-DD).
    pub start: String,
    pub count: u64,
    /// Counts per stance (when asked for).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub stances: BTreeMap<String, u64>,
}

/// A timeline of one query.
#[derive(Debug, Clone, Serialize)]
pub struct Timeline {
    pub interval: Interval,
    /// Dated matches.
    pub total: u64,
    /// Matches without a publication date (not in any bucket).
    pub undated: u64,
    /// Every bucket from the first match to the last, empty ones included.
    pub buckets: Vec<Bucket>,
}

/// Stances as counted: index 0 is "no stance" (articles), then `Stance::ALL`.
const STANCES: usize = 1 + Stance::ALL.len();

/// Counts per day (and stance) of the matching documents.
struct TimelineCollector {
    by_stance: bool,
}

struct TimelineSegment {
    published: Option<Column<DateTime>>,
    stance: Option<StrColumn>,
    /// Term ord of the segment's stance column → index in [`STANCES`].
    stance_index: Vec<usize>,
    /// First day of `counts`.
    first_day: i64,
    /// One row of [`STANCES`] counts per day.
    counts: Vec<[u64; STANCES]>,
    undated: u64,
}

/// Counts per day (days since the epoch) and the undated count.
type DayCounts = (HashMap<i64, [u64; STANCES]>, u64);

impl Collector for TimelineCollector {
    type Fruit = DayCounts;
    type Child = TimelineSegment;

    fn for_segment(&self, _: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<TimelineSegment> {
        let fast = reader.fast_fields();
        let published = fast.date("published").ok();
        let stance = if self.by_stance { fast.str("stance")? } else { None };
        let mut stance_index = Vec::new();
        if let Some(column) = &stance {
            for ord in 0..column.num_terms() as u64 {
                let mut name = String::new();
                let _ = column.ord_to_str(ord, &mut name);
                stance_index.push(
                    Stance::parse(&name).and_then(|s| Stance::ALL.iter().position(|x| *x == s)).map_or(0, |i| 1 + i),
                );
            }
        }
        let (first_day, days) = match &published {
            Some(c) if c.num_docs() > 0 => {
                let first = c.min_value().into_timestamp_secs().div_euclid(SECONDS_PER_DAY);
                let last = c.max_value().into_timestamp_secs().div_euclid(SECONDS_PER_DAY);
                (first, (last - first + 1).clamp(0, 1 << 20) as usize)
            }
            _ => (0, 0),
        };
        Ok(TimelineSegment { published, stance, stance_index, first_day, counts: vec![[0; STANCES]; days], undated: 0 })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<DayCounts>) -> tantivy::Result<DayCounts> {
        let mut merged: HashMap<i64, [u64; STANCES]> = HashMap::new();
        let mut undated = 0;
        for (days, u) in fruits {
            undated += u;
            for (day, counts) in days {
                let row = merged.entry(day).or_insert([0; STANCES]);
                for (total, n) in row.iter_mut().zip(counts) {
                    *total += n;
                }
            }
        }
        Ok((merged, undated))
    }
}

impl SegmentCollector for TimelineSegment {
    type Fruit = DayCounts;

    fn collect(&mut self, doc: DocId, _: Score) {
        let Some(date) = self.published.as_ref().and_then(|c| c.first(doc)) else {
            self.undated += 1;
            return;
        };
        let day = (date.into_timestamp_secs().div_euclid(SECONDS_PER_DAY) - self.first_day) as usize;
        let stance = match &self.stance {
            Some(s) => {
                s.term_ords(doc).next().and_then(|ord| self.stance_index.get(ord as usize)).copied().unwrap_or(0)
            }
            None => 0,
        };
        if let Some(row) = self.counts.get_mut(day) {
            row[stance] += 1;
        }
    }

    fn harvest(self) -> DayCounts {
        let first_day = self.first_day;
        let days = self
            .counts
            .into_iter()
            .enumerate()
            .filter(|(_, row)| row.iter().any(|n| *n > 0))
            .map(|(i, row)| (first_day + i as i64, row))
            .collect();
        (days, self.undated)
    }
}

/// The timeline of the documents matching `query`.
pub fn count(
    searcher: &Searcher,
    query: &dyn Query,
    interval: Interval,
    by_stance: bool,
) -> Result<Timeline, IndexError> {
    let (days, undated) = searcher.search(query, &TimelineCollector { by_stance })?;
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let mut buckets: BTreeMap<NaiveDate, Bucket> = BTreeMap::new();
    let mut total = 0;
    for (day, counts) in days {
        let start = interval.start(epoch + Duration::days(day));
        let bucket = buckets.entry(start).or_insert_with(|| Bucket {
            start: start.to_string(),
            count: 0,
            stances: BTreeMap::new(),
        });
        for (i, n) in counts.into_iter().enumerate().filter(|(_, n)| *n > 0) {
            total += n;
            bucket.count += n;
            if i > 0 {
                *bucket.stances.entry(Stance::ALL[i - 1].as_str().to_string()).or_default() += n;
            }
        }
    }
    let (Some(first), Some(last)) = (buckets.keys().next().copied(), buckets.keys().last().copied()) else {
        return Ok(Timeline { interval, total, undated, buckets: Vec::new() });
    };
    let mut out = Vec::new();
    let mut at = first;
    while at <= last {
        if out.len() >= MAX_BUCKETS {
            return Err(IndexError::TooManyBuckets { interval: interval.as_str(), max: MAX_BUCKETS });
        }
        let bucket =
            buckets.remove(&at).unwrap_or_else(|| Bucket { start: at.to_string(), count: 0, stances: BTreeMap::new() });
        out.push(bucket);
        let next = interval.next(at);
        if next <= at {
            break;
        }
        at = next;
    }
    Ok(Timeline { interval, total, undated, buckets: out })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_start_on_calendar_boundaries() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(Interval::Week.start(d("2019-05-16")), d("2019-05-13"), "Thursday → Monday");
        assert_eq!(Interval::Week.start(d("2019-05-13")), d("2019-05-13"));
        assert_eq!(Interval::Month.start(d("2019-05-16")), d("2019-05-01"));
        assert_eq!(Interval::Year.start(d("2019-05-16")), d("2019-01-01"));
        assert_eq!(Interval::Month.next(d("2019-12-01")), d("2020-01-01"));
        assert_eq!(Interval::parse("week"), Some(Interval::Week));
        assert_eq!(Interval::parse("fortnight"), None);
    }
}
