//! An external program as a backend: one text per line on stdin, one translation per line on
//! stdout (Marian, CTranslate2, a script). `{source}` and `{target}` in the arguments are
//! replaced by the language codes. Runs locally, so it is allowed with `--offline`.

use super::service::{Common, Protocol};
use crate::config::BackendConfig;
use crate::remote::process;
use crate::translate::codes::Scheme;
use crate::translate::{BackendError, Fingerprint, PairSupport, Translated};

pub struct Command {
    argv: Vec<String>,
    timeout: std::time::Duration,
}

impl Command {
    pub fn new(config: &BackendConfig) -> Self {
        Command {
            argv: config.command.clone(),
            timeout: config.settings.timeout,
        }
    }
}

impl Protocol for Command {
    const SCHEME: Scheme = Scheme::Iso639_1;
    const OFFLINE: bool = true;

    fn base_url(&self) -> Option<&str> {
        None
    }

    fn fingerprint(&self, base: Fingerprint) -> Fingerprint {
        base.with("command", Some(self.argv.join("\u{1f}")))
    }

    async fn pairs(&self, _common: &Common) -> Result<PairSupport, BackendError> {
        Ok(PairSupport::Any)
    }

    async fn translate(
        &self,
        common: &Common,
        source: &str,
        target: &str,
        texts: &[String],
    ) -> Result<Vec<Translated>, BackendError> {
        let name = &common.name;
        let (source_code, target_code) = common.pair(source, target)?;
        let source_code = source_code.unwrap_or_else(|| "auto".into());
        let args: Vec<String> = self.argv[1..]
            .iter()
            .map(|a| {
                a.replace("{source}", &source_code)
                    .replace("{target}", &target_code)
            })
            .collect();
        let lines =
            process::exchange_lines(name, &self.argv[0], &args, texts, self.timeout).await?;
        Ok(lines
            .into_iter()
            .map(|text| Translated {
                text,
                detected_source: None,
                coverage: None,
            })
            .collect())
    }
}
