//! Every match of a query, not a page of them: for exports (streamed, no cap) and for
//! watches (the matches committed after a sequence number, in the order they arrived).

use std::ops::Bound;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery};
use tantivy::schema::TantivyDocument;
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader, Term};

use super::highlight::Highlighter;
use super::schema::Fields;
use super::search::{SearchHit, StoredRecord, compile, hit, restricted, stored, text_of};
use super::{DocType, IndexError};

/// Addresses and sequence numbers of every matching document.
struct SeqCollector;

struct SeqSegment {
    segment: SegmentOrdinal,
    seq: Option<Column<u64>>,
    out: Vec<(u64, DocAddress)>,
}

impl Collector for SeqCollector {
    type Fruit = Vec<(u64, DocAddress)>;
    type Child = SeqSegment;

    fn for_segment(&self, segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<SeqSegment> {
        Ok(SeqSegment { segment, seq: reader.fast_fields().u64("seq").ok(), out: Vec::new() })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<(u64, DocAddress)>>) -> tantivy::Result<Vec<(u64, DocAddress)>> {
        let mut all: Vec<(u64, DocAddress)> = fruits.into_iter().flatten().collect();
        all.sort_unstable();
        Ok(all)
    }
}

impl SegmentCollector for SeqSegment {
    type Fruit = Vec<(u64, DocAddress)>;

    fn collect(&mut self, doc: DocId, _: Score) {
        let seq = self.seq.as_ref().and_then(|c| c.first(doc)).unwrap_or(0);
        self.out.push((seq, DocAddress::new(self.segment, doc)));
    }

    fn harvest(self) -> Vec<(u64, DocAddress)> {
        self.out
    }
}

/// One exported match.
#[derive(Debug, Clone)]
pub struct Match {
    pub doc_type: DocType,
    /// Quote id (`ARTICLE#qN`) or article id.
    pub id: String,
    pub record: StoredRecord,
}

/// Calls `visit` with every document matching `query` (of `doc_type`), in the order they
/// were indexed. Memory holds only the addresses; records are read one at a time.
pub fn each(
    searcher: &Searcher,
    f: &Fields,
    query: &str,
    doc_type: Option<DocType>,
    visit: &mut dyn FnMut(Match) -> Result<(), IndexError>,
) -> Result<u64, IndexError> {
    let compiled = compile(f, query)?;
    let query = restricted(f, compiled.query, doc_type);
    let addresses = searcher.search(&*query, &SeqCollector)?;
    let mut n = 0;
    for (_, address) in addresses {
        let doc: TantivyDocument = searcher.doc(address)?;
        let doc_type = if text_of(&doc, f.doc_type) == "quote" { DocType::Quote } else { DocType::Article };
        visit(Match { doc_type, id: text_of(&doc, f.id), record: stored(&doc, f)? })?;
        n += 1;
    }
    Ok(n)
}

/// Matches of `query` (of `doc_type`) with a sequence number above `after` and, when
/// `fetched_since` is given, fetched at or after that time (seconds); oldest first, at most
/// `limit`; with each, its sequence number.
pub fn since(
    searcher: &Searcher,
    f: &Fields,
    query: &str,
    doc_type: Option<DocType>,
    after: u64,
    fetched_since: Option<i64>,
    limit: usize,
) -> Result<Vec<(u64, SearchHit)>, IndexError> {
    let compiled = compile(f, query)?;
    let mut highlighter = Highlighter::new(compiled.highlights);
    let newer = RangeQuery::new(Bound::Excluded(Term::from_field_u64(f.seq, after)), Bound::Unbounded);
    let mut clauses: Vec<(Occur, Box<dyn Query>)> =
        vec![(Occur::Must, restricted(f, compiled.query, doc_type)), (Occur::Must, Box::new(newer))];
    if let Some(since) = fetched_since {
        let from = Term::from_field_date(f.fetched, super::schema::date_value(since));
        clauses.push((Occur::Must, Box::new(RangeQuery::new(Bound::Included(from), Bound::Unbounded))));
    }
    let query: Box<dyn Query> = Box::new(BooleanQuery::new(clauses));
    let addresses = searcher.search(&*query, &SeqCollector)?;
    let mut out = Vec::new();
    for (seq, address) in addresses.into_iter().take(limit) {
        out.push((seq, hit(searcher, f, &mut highlighter, 0.0, address)?));
    }
    Ok(out)
}
