//! The offline `lexicon` backend: a word-by-word English gloss from bilingual dictionaries
//! (see `crate::lexicon`). It keeps the word order and up to `alternatives` English words
//! per source word (`security|safety`); cognate guesses are marked `~`. It is a gloss for
//! aligning and comparing claims, not a translation for reading.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use super::service::{Common, Protocol};
use crate::config::BackendConfig;
use crate::lexicon::gloss::Glosser;
use crate::lexicon::{Lexicon, SHIPPED};
use crate::translate::codes::Scheme;
use crate::translate::{BackendError, Fingerprint, PairSupport, Translated};

pub struct LexiconBackend {
    files: Vec<std::path::PathBuf>,
    alternatives: usize,
    /// Hash of every lexicon text (shipped and the user's) and of the glossing rules' source,
    /// so a changed lexicon or rule changes the cache keys.
    content_hash: String,
    /// Languages with a lexicon: the shipped ones and those the user's files name.
    languages: HashSet<String>,
    loaded: Mutex<HashMap<String, Arc<Lexicon>>>,
}

impl LexiconBackend {
    pub fn new(config: &BackendConfig) -> Self {
        let mut hasher = Sha256::new();
        let mut languages: HashSet<String> = SHIPPED.iter().map(|f| f.lang.to_string()).collect();
        for f in SHIPPED {
            hasher.update(f.text.as_bytes());
        }
        for rules in crate::lexicon::gloss::RULES_SOURCE {
            hasher.update(rules.as_bytes());
        }
        for path in &config.files {
            // Unreadable files are reported when the lexicon is loaded.
            hasher.update(std::fs::read(path).unwrap_or_default());
            languages.insert(crate::lexicon::file_language(path));
        }
        LexiconBackend {
            files: config.files.clone(),
            alternatives: config.alternatives,
            content_hash: crate::cache::hex(&hasher.finalize()),
            languages,
            loaded: Mutex::new(HashMap::new()),
        }
    }

    fn lexicon(&self, lang: &str) -> Result<Arc<Lexicon>, BackendError> {
        let mut loaded = self.loaded.lock().expect("lexicon lock");
        if let Some(l) = loaded.get(lang) {
            return Ok(Arc::clone(l));
        }
        let lexicon = Arc::new(
            Lexicon::for_language(lang, &self.files)
                .map_err(|e| BackendError::fatal(format!("lexicon: {e}")))?,
        );
        loaded.insert(lang.to_string(), Arc::clone(&lexicon));
        Ok(lexicon)
    }
}

impl Protocol for LexiconBackend {
    const SCHEME: Scheme = Scheme::Iso639_1;
    const OFFLINE: bool = true;

    fn base_url(&self) -> Option<&str> {
        None
    }

    fn fingerprint(&self, base: Fingerprint) -> Fingerprint {
        base.with("alternatives", Some(self.alternatives))
            .with("lexicons", Some(&self.content_hash))
    }

    async fn pairs(&self, _common: &Common) -> Result<PairSupport, BackendError> {
        Ok(PairSupport::Pairs(
            self.languages
                .iter()
                .map(|l| (l.clone(), "en".to_string()))
                .collect(),
        ))
    }

    async fn translate(
        &self,
        _common: &Common,
        source: &str,
        target: &str,
        texts: &[String],
    ) -> Result<Vec<Translated>, BackendError> {
        if target != "en" || !self.languages.contains(source) {
            return Err(BackendError::rejected(format!(
                "lexicon: no lexicon for {source}→{target}"
            )));
        }
        let lexicon = self.lexicon(source)?;
        let glosser = Glosser {
            lexicon: &lexicon,
            alternatives: self.alternatives,
        };
        Ok(texts
            .iter()
            .map(|text| {
                let (gloss, coverage) = glosser.gloss(text);
                Translated {
                    text: gloss,
                    detected_source: None,
                    coverage: Some(coverage.ratio()),
                }
            })
            .collect())
    }
}
