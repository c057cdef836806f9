//! Collapsing hits by statement cluster: one hit per statement, the best-ranked report,
//! with the number of reports that matched. Articles are never collapsed.

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DateTime, DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// How groups are ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rank {
    Score,
    /// Newest first.
    Date,
}

/// One collapsed hit: the best report of a group and how many reports matched.
#[derive(Debug, Clone)]
pub struct Group {
    /// The statement cluster (None for documents outside any: articles).
    pub statement: Option<String>,
    pub key: f64,
    pub address: DocAddress,
    pub matched: u64,
}

/// Collects every matching document into groups keyed by the `statement` fast field.
pub struct CollapseCollector {
    pub rank: Rank,
}

pub struct CollapseSegment {
    rank: Rank,
    segment: SegmentOrdinal,
    statement: Option<StrColumn>,
    published: Option<Column<DateTime>>,
    groups: HashMap<u64, (f64, DocId, u64)>,
    singles: Vec<(f64, DocId)>,
}

impl Collector for CollapseCollector {
    type Fruit = Vec<Group>;
    type Child = CollapseSegment;

    fn for_segment(&self, segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<CollapseSegment> {
        let fast = reader.fast_fields();
        Ok(CollapseSegment {
            rank: self.rank,
            segment,
            statement: fast.str("statement")?,
            published: fast.date("published").ok(),
            groups: HashMap::new(),
            singles: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.rank == Rank::Score
    }

    fn merge_fruits(&self, segments: Vec<Vec<Group>>) -> tantivy::Result<Vec<Group>> {
        // Term ords are per segment; one statement spread over segments is merged by id.
        let mut merged: HashMap<String, Group> = HashMap::new();
        let mut groups = Vec::new();
        for group in segments.into_iter().flatten() {
            let Some(id) = group.statement.clone() else {
                groups.push(group);
                continue;
            };
            match merged.get_mut(&id) {
                Some(known) => {
                    known.matched += group.matched;
                    if group.key > known.key || (group.key == known.key && group.address < known.address) {
                        known.key = group.key;
                        known.address = group.address;
                    }
                }
                None => {
                    merged.insert(id, group);
                }
            }
        }
        groups.extend(merged.into_values());
        groups.sort_by(|a, b| b.key.total_cmp(&a.key).then(a.address.cmp(&b.address)));
        Ok(groups)
    }
}

impl SegmentCollector for CollapseSegment {
    type Fruit = Vec<Group>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let key = match self.rank {
            Rank::Score => f64::from(score),
            Rank::Date => self
                .published
                .as_ref()
                .and_then(|c| c.first(doc))
                .map_or(f64::NEG_INFINITY, |d| d.into_timestamp_secs() as f64),
        };
        match self.statement.as_ref().and_then(|c| c.term_ords(doc).next()) {
            Some(ord) => {
                let entry = self.groups.entry(ord).or_insert((key, doc, 0));
                entry.2 += 1;
                if key > entry.0 {
                    entry.0 = key;
                    entry.1 = doc;
                }
            }
            None => self.singles.push((key, doc)),
        }
    }

    fn harvest(self) -> Vec<Group> {
        let segment = self.segment;
        let mut out = Vec::with_capacity(self.groups.len() + self.singles.len());
        for (ord, (key, doc, matched)) in self.groups {
            let mut id = String::new();
            if let Some(column) = &self.statement {
                let _ = column.ord_to_str(ord, &mut id);
            }
            out.push(Group { statement: Some(id), key, address: DocAddress::new(segment, doc), matched });
        }
        out.extend(self.singles.into_iter().map(|(key, doc)| Group {
            statement: None,
            key,
            address: DocAddress::new(segment, doc),
            matched: 1,
        }));
        out
    }
}
