//! Boilerplate: heuristics that recognise page furniture (navigation, share buttons, image
//! captions, reading-time banners, bylines, truncated debris) as opposed to prose.
//!
//! Every rule is general, documented in docs/src/configuration.md, and returns its name so users can see why
//! a line was flagged. `[segment] boilerplate_patterns` adds rules, `prose_patterns` vetoes them.

use std::sync::LazyLock;

use regex::Regex;

use crate::config::SegmentConfig;

/// Words of web-page controls (share/print/font-size bars, "send to a friend" links) in
/// English, Indonesian/Malay and a few other languages of the default set.
const UI_WORDS: &[&str] = &[
    "print",
    "mail",
    "email",
    "e-mail",
    "share",
    "large",
    "medium",
    "small",
    "font",
    "size",
    "close",
    "top",
    "back",
    "home",
    "next",
    "previous",
    "prev",
    "suggest",
    "friend",
    "comment",
    "comments",
    "tweet",
    "facebook",
    "twitter",
    "whatsapp",
    "linkedin",
    "telegram",
    "weibo",
    "wechat",
    "subscribe",
    "login",
    "logout",
    "register",
    "bookmark",
    "copy",
    "link",
    "text",
    "save",
    "download",
    "pdf",
    "rss",
    "menu",
    "search",
    "cetak",
    "bagikan",
    "kirim",
    "teman",
    "unduh",
    "salin",
    "tautan",
    "kembali",
    "cari",
    "imprimir",
    "compartir",
    "imprimer",
    "partager",
    "drucken",
    "teilen",
];

/// Words that may stand between UI words ("Suggest to a friend", "Kirim ke teman").
const UI_FILLERS: &[&str] = &[
    "to", "a", "the", "this", "page", "article", "ke", "ini", "artikel", "halaman",
];

/// Function words a line of prose does not end on; a short unpunctuated line ending on one is
/// the debris of stripped links or e-mail addresses ("Contact the writers at and").
const DANGLING_WORDS: &[&str] = &[
    "and", "or", "at", "of", "the", "to", "by", "with", "for", "from", "a", "an", "dan", "atau",
    "di", "ke", "dari", "untuk", "yang", "dengan", "pada", "oleh",
];

static CAPTION_NUMBERED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|[\s\-_.])(?:image|img|photo|foto|gambar|picture|pic|figure|video)[\s\-_]*\d+\s*$")
        .expect("valid regex")
});
static CAPTION_CREDIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:image|photo|foto|gambar|picture|video)s?\s*(?:from|by|courtesy|credit|source|oleh|dari|sumber)\b")
        .expect("valid regex")
});
static READING_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\W*(?:(?:lama|waktu|estimated)?\s*(?:baca|read|reading|membaca)(?:\s*time)?\W*\d+\s*(?:menit|min|mins|minutes?)|\d+\s*(?:menit|min|mins|minutes?)\s*(?:baca|read|reading|membaca))\W*$")
        .expect("valid regex")
});
static BRACKETED_LABEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:\[\s*[^\[\]]{1,40}?\s*\]\s*)+$").expect("valid regex"));
static TIMESTAMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[\p{L} ]{0,20}:\s*)?\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?\s*$")
        .expect("valid regex")
});
static BYLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:By|Oleh|Reporter|Reporting by|Editor|Penulis|Pewarta|Editing by)\s*:?\s+\p{Lu}",
    )
    .expect("valid regex")
});
static BREADCRUMB_SEPARATOR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s(?:>|»|›|>>|/|\|)\s").expect("valid regex"));

/// The name of the rule that flags `paragraph` as boilerplate, or `None` for prose.
pub fn classify(paragraph: &str, config: &SegmentConfig) -> Option<String> {
    let text = paragraph.trim();
    if config.prose_patterns.iter().any(|r| r.is_match(text)) {
        return None;
    }
    if let Some(i) = config
        .boilerplate_patterns
        .iter()
        .position(|r| r.is_match(text))
    {
        return Some(format!("pattern {}", i + 1));
    }
    builtin_rule(text).map(str::to_string)
}

fn builtin_rule(text: &str) -> Option<&'static str> {
    if !text.chars().any(char::is_alphabetic) {
        return Some("no-letters");
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let ends_like_prose = text
        .trim_end_matches(['"', '\'', '”', '’', ')', '»'])
        .ends_with(['.', '!', '?', '。', '！', '？', '…']);
    if BRACKETED_LABEL.is_match(text) {
        return Some("bracketed-control");
    }
    if READING_TIME.is_match(text) {
        return Some("reading-time");
    }
    if TIMESTAMP.is_match(text) {
        return Some("timestamp");
    }
    if !ends_like_prose && CAPTION_NUMBERED.is_match(text) {
        return Some("image-caption");
    }
    if !ends_like_prose && words.len() <= 20 && CAPTION_CREDIT.is_match(text) {
        return Some("image-caption");
    }
    if ends_like_prose {
        return None;
    }
    if words.len() <= 12 && is_breadcrumb(text) {
        return Some("breadcrumb");
    }
    if words.len() <= 12 && is_control_bar(&words) {
        return Some("page-controls");
    }
    if words.len() <= 12 && BYLINE.is_match(text) {
        return Some("byline");
    }
    if (2..=10).contains(&words.len()) {
        let last = words[words.len() - 1].to_lowercase();
        if DANGLING_WORDS.contains(&last.trim_matches(|c: char| !c.is_alphanumeric())) {
            return Some("truncated");
        }
    }
    None
}

/// `Home > Embassy News`: two or more short parts joined by a navigation separator.
fn is_breadcrumb(text: &str) -> bool {
    let parts: Vec<&str> = BREADCRUMB_SEPARATOR.split(text).collect();
    parts.len() >= 2
        && parts
            .iter()
            .all(|p| !p.trim().is_empty() && p.split_whitespace().count() <= 6)
}

/// `Print Mail Large Medium  Small 分享按钮 0`, `Suggest to a friend:`: a short line made
/// mostly of control words, at least two of them real controls.
fn is_control_bar(words: &[&str]) -> bool {
    let tokens: Vec<String> = words
        .iter()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| w.chars().any(char::is_alphabetic))
        .collect();
    let controls = tokens
        .iter()
        .filter(|t| UI_WORDS.contains(&t.as_str()))
        .count();
    let fillers = tokens
        .iter()
        .filter(|t| UI_FILLERS.contains(&t.as_str()))
        .count();
    controls >= 2 && (controls + fillers) * 10 >= tokens.len() * 7
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(text: &str) -> Option<&'static str> {
        builtin_rule(text)
    }

    #[test]
    fn seed_corpus_furniture_is_flagged() {
        assert_eq!(rule("Home > Embassy News"), Some("breadcrumb"));
        assert_eq!(rule("Home > Spokesperson's Remarks"), Some("breadcrumb"));
        assert_eq!(rule("[ Print ]"), Some("bracketed-control"));
        assert_eq!(rule("[ Suggest To A Friend ]"), Some("bracketed-control"));
        assert_eq!(rule("Suggest to a friend:"), Some("page-controls"));
        assert_eq!(
            rule("Print Mail Large Medium  Small 分享按钮 0"),
            Some("page-controls")
        );
        assert_eq!(
            rule("Konferensi Pers Kementerian Luar Negeri Tiongkok 20 April 2021-Image-2"),
            Some("image-caption")
        );
        assert_eq!(
            rule("Reporter - Image from Laman Kementerian Luar Negeri Republik Rakyat Tiongkok"),
            Some("image-caption")
        );
        assert_eq!(rule("Lama Baca 25 Menit"), Some("reading-time"));
        assert_eq!(rule("Contact the writers at and"), Some("truncated"));
        assert_eq!(rule("2021-05-07 14:12"), Some("no-letters"));
        assert_eq!(rule("Updated: 2013-03-29 00:21"), Some("timestamp"));
        assert_eq!(
            rule("By Cheng Guangjin and Pu Zhendong (China Daily)"),
            Some("byline")
        );
    }

    #[test]
    fn unseen_furniture_of_the_same_kinds_is_flagged() {
        assert_eq!(rule("News » World » Asia"), Some("breadcrumb"));
        assert_eq!(rule("5 min read"), Some("reading-time"));
        assert_eq!(rule("Share Tweet Email"), Some("page-controls"));
        assert_eq!(rule("[ Close ] [ Top ]"), Some("bracketed-control"));
        assert_eq!(rule("Photo by Reuters"), Some("image-caption"));
        assert_eq!(rule("Harbour at dawn_photo_12"), Some("image-caption"));
    }

    #[test]
    fn prose_and_headlines_are_not_flagged() {
        for prose in [
            "Beijing urges US to end tech ban",
            "Konferensi Pers Kementerian Luar Negeri Tiongkok 20 April 2021",
            "Wang Wenbin: Saya tidak mengetahui situasi yang Anda sebutkan.",
            "China said such accusations are groundless and called for cooperation in cyberspace.",
            "Remarks by Foreign Ministry Spokesperson Lu Kang on European Parliament's Motion for a Resolution on Security Threats connected with Chinese Technological Presence in the EU",
            "Statement by the Spokesperson of the Embassy of China in Belgium on \"Suspected Alibaba Project Involvement in Espionage\"",
            "The share price rose by 5 > 3 percent and analysts said so.",
            "Informasi Seputar Tiongkok",
            "Please print this page and mail it to a friend.",
        ] {
            assert_eq!(rule(prose), None, "{prose}");
        }
    }
}
