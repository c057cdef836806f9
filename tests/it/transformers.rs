//! The `transformers` feature with the real model (`.ci/setup-transformers.sh` puts it in
//! `.transformers/`): rust-bert reproduces the Python reference, similar-statement search
//! ranks paraphrases first, and the background stage embeds an ingested corpus.

use std::sync::OnceLock;

use quotewire::embed::{self, BertEmbedder, Embedder};
use quotewire::vectors::{VectorIndex, cosine};

/// One model for every test of this binary (loading takes a second).
fn embedder() -> &'static BertEmbedder {
    static MODEL: OnceLock<BertEmbedder> = OnceLock::new();
    MODEL.get_or_init(|| {
        BertEmbedder::load(&embed::model_dir(None, std::path::Path::new(embed::DEFAULT_MODEL_DIR)), 2)
            .expect("run .ci/setup-transformers.sh first")
    })
}

#[derive(serde::Deserialize)]
struct Reference {
    model: String,
    sentences: Vec<ReferenceSentence>,
}

#[derive(serde::Deserialize)]
struct ReferenceSentence {
    text: String,
    vector: Vec<f32>,
}

#[test]
fn embeddings_match_the_python_reference() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/embeddings/reference.json");
    let reference: Reference = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(embedder().model(), reference.model);
    assert_eq!(embedder().dimension(), 384);
    let texts: Vec<&str> = reference.sentences.iter().map(|s| s.text.as_str()).collect();
    let vectors = embedder().embed(&texts).unwrap();
    let mut worst = f32::MAX;
    for (sentence, vector) in reference.sentences.iter().zip(&vectors) {
        let similarity = cosine(&sentence.vector, vector);
        assert!(similarity >= 0.999, "cosine {similarity} for {:?}", sentence.text);
        let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-3, "unit length, got {norm}");
        worst = worst.min(similarity);
    }
    eprintln!("worst cosine with the Python reference over {} sentences: {worst:.6}", vectors.len());
    // Batching and order do not change a sentence's vector.
    let alone = embedder().embed(&texts[..1]).unwrap();
    assert!(cosine(&alone[0], &vectors[0]) > 0.9999);
}

#[test]
fn similar_statement_search_ranks_paraphrases_above_unrelated_statements() {
    let statements = [
        ("deny-1", "Huawei categorically denies the claims."),
        ("warn", "The operator warned that a ban would delay the network by years."),
        ("support", "The minister welcomed the new timetable for the auction."),
        ("decline", "A spokeswoman declined to comment."),
        ("weather", "Heavy rain is expected across the region on Thursday."),
        ("sport", "The home team won the final after extra time."),
        ("confirm", "The bank confirmed that 300 jobs would be cut."),
    ];
    let texts: Vec<&str> = statements.iter().map(|(_, t)| *t).collect();
    let vectors = embedder().embed(&texts).unwrap();
    let index =
        VectorIndex::build(384, statements.iter().zip(vectors).map(|((id, _), v)| (id.to_string(), v))).unwrap();
    let query = embedder().embed(&["The company rejects the allegations."]).unwrap().remove(0);
    let hits = index.search(&query, 3, &|_| false).unwrap();
    assert_eq!(hits[0].id, "deny-1", "{hits:?}");
    assert!(hits[0].score > hits[1].score + 0.1, "{hits:?}");
    let query = embedder().embed(&["No comment, the spokesperson said."]).unwrap().remove(0);
    assert_eq!(index.search(&query, 1, &|_| false).unwrap()[0].id, "decline");
}
