//! Which documents comparable mode compares (`align.pairs`, `align.exclude_same_source`,
//! validated): by default every source-language document with
//! every pivot-language document (never a document with itself); `align.pairs` restricts
//! it to listed pairs or glob pairs of document ids, and `align.exclude_same_source` keeps
//! documents of one origin (one directory, or one value of a metadata field) apart.

use std::collections::HashMap;

use globset::GlobMatcher;

/// The document pairs that may be compared.
#[derive(Debug, Clone, Default)]
pub struct DocumentFilter {
    /// `None`: every pair; otherwise pairs of patterns of document ids, in either order.
    pub pairs: Option<Vec<(GlobMatcher, GlobMatcher)>>,
    pub same_source: SameSource,
}

/// When two documents count as having the same origin.
#[derive(Debug, Clone, Default)]
pub enum SameSource {
    /// Documents of one origin are compared like any others.
    #[default]
    Compared,
    /// Documents in the same directory (of their id) are not compared.
    Directory,
    /// Documents with the same value of a metadata field are not compared (documents
    /// without a value are compared with everything).
    Field(HashMap<String, String>),
}

/// The directory part of a document id (`xinhua/2021/a.txt` → `xinhua/2021`).
fn directory(doc: &str) -> &str {
    doc.rfind('/').map_or("", |i| &doc[..i])
}

impl DocumentFilter {
    /// Whether documents `a` and `b` may be compared.
    pub fn allows(&self, a: &str, b: &str) -> bool {
        if a == b {
            return false;
        }
        let same_origin = match &self.same_source {
            SameSource::Compared => false,
            SameSource::Directory => directory(a) == directory(b),
            SameSource::Field(origin) => {
                matches!((origin.get(a), origin.get(b)), (Some(x), Some(y)) if x == y)
            }
        };
        if same_origin {
            return false;
        }
        self.pairs.as_ref().is_none_or(|pairs| {
            pairs.iter().any(|(first, second)| {
                (first.is_match(a) && second.is_match(b))
                    || (first.is_match(b) && second.is_match(a))
            })
        })
    }

    /// True when every pair of distinct documents may be compared.
    pub fn allows_all(&self) -> bool {
        self.pairs.is_none() && matches!(self.same_source, SameSource::Compared)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glob(p: &str) -> GlobMatcher {
        globset::Glob::new(p).unwrap().compile_matcher()
    }

    #[test]
    fn pairs_and_origins_restrict_what_is_compared() {
        let all = DocumentFilter::default();
        assert!(all.allows("a.id.txt", "b.en.txt"));
        assert!(
            !all.allows("a.txt", "a.txt"),
            "never a document with itself"
        );
        let listed = DocumentFilter {
            pairs: Some(vec![(glob("kemlu/*"), glob("mfa/*"))]),
            ..DocumentFilter::default()
        };
        assert!(listed.allows("kemlu/1.txt", "mfa/2.txt"));
        assert!(listed.allows("mfa/2.txt", "kemlu/1.txt"), "in either order");
        assert!(!listed.allows("kemlu/1.txt", "bbc/3.txt"));
        let by_directory = DocumentFilter {
            same_source: SameSource::Directory,
            ..DocumentFilter::default()
        };
        assert!(!by_directory.allows("xinhua/id/1.txt", "xinhua/id/2.txt"));
        assert!(by_directory.allows("xinhua/1.txt", "reuters/1.txt"));
        let by_field = DocumentFilter {
            same_source: SameSource::Field(HashMap::from([
                ("a.txt".into(), "xinhua".into()),
                ("b.txt".into(), "xinhua".into()),
                ("c.txt".into(), "reuters".into()),
            ])),
            ..DocumentFilter::default()
        };
        assert!(!by_field.allows("a.txt", "b.txt"));
        assert!(by_field.allows("a.txt", "c.txt"));
        assert!(
            by_field.allows("a.txt", "unknown.txt"),
            "no origin, no exclusion"
        );
    }
}
