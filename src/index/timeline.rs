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

/// Counts per (day, stance ord) in one segment.
struct TimelineCollector {
    by_stance: bool,
}

struct TimelineSegment {
    published: Option<Column<DateTime>>,
    stance: Option<StrColumn>,
    /// First day of `counts`.
    first_day: i64,
    /// Days × (1 or 1 + stances), flattened.
    counts: Vec<u64>,
    width: usize,
    undated: u64,
}

type SegmentCounts = (HashMap<(i64, String), u64>, u64);

impl Collector for TimelineCollector {
    type Fruit = SegmentCounts;
    type Child = TimelineSegment;

    fn for_segment(&self, _: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<TimelineSegment> {
        let fast = reader.fast_fields();
        let published = fast.date("published").ok();
        let stance = if self.by_stance { fast.str("stance")? } else { None };
        let (first_day, days) = match &published {
            Some(c) if c.num_docs() > 0 => {
                let first = c.min_value().into_timestamp_secs().div_euclid(SECONDS_PER_DAY);
                let last = c.max_value().into_timestamp_secs().div_euclid(SECONDS_PER_DAY);
                (first, (last - first + 1).clamp(0, 1 << 20) as usize)
            }
            _ => (0, 0),
        };
        let width = 1 + stance.as_ref().map_or(0, |s| s.num_terms());
        Ok(TimelineSegment { published, stance, first_day, counts: vec![0; days * width], width, undated: 0 })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<SegmentCounts>) -> tantivy::Result<SegmentCounts> {
        let mut merged: HashMap<(i64, String), u64> = HashMap::new();
        let mut undated = 0;
        for (counts, u) in fruits {
            undated += u;
            for (key, n) in counts {
                *merged.entry(key).or_default() += n;
            }
        }
        Ok((merged, undated))
    }
}

impl SegmentCollector for TimelineSegment {
    type Fruit = SegmentCounts;

    fn collect(&mut self, doc: DocId, _: Score) {
        let Some(date) = self.published.as_ref().and_then(|c| c.first(doc)) else {
            self.undated += 1;
            return;
        };
        let day = (date.into_timestamp_secs().div_euclid(SECONDS_PER_DAY) - self.first_day) as usize;
        let column = match &self.stance {
            Some(s) => s.term_ords(doc).next().map_or(0, |ord| ord as usize + 1),
            None => 0,
        };
        if let Some(count) = self.counts.get_mut(day * self.width + column) {
            *count += 1;
        }
    }

    fn harvest(self) -> SegmentCounts {
        let mut names = vec![String::new()];
        if let Some(stance) = &self.stance {
            for ord in 0..stance.num_terms() as u64 {
                let mut name = String::new();
                let _ = stance.ord_to_str(ord, &mut name);
                names.push(name);
            }
        }
        let mut out = HashMap::new();
        for (i, count) in self.counts.iter().enumerate().filter(|(_, c)| **c > 0) {
            let day = self.first_day + (i / self.width) as i64;
            out.insert((day, names[i % self.width].clone()), *count);
        }
        (out, self.undated)
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
    for ((day, stance), n) in days {
        let start = interval.start(epoch + Duration::days(day));
        let bucket = buckets.entry(start).or_insert_with(|| Bucket {
            start: start.to_string(),
            count: 0,
            stances: BTreeMap::new(),
        });
        total += n;
        bucket.count += n;
        if !stance.is_empty() {
            *bucket.stances.entry(stance).or_default() += n;
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
