//! The backends: one module per service kind, built from a validated `[backends.NAME]` table.

mod apertium;
mod command;
mod deepl;
mod google;
mod lexicon;
mod libretranslate;
mod openai;
mod service;

use std::sync::Arc;

use super::Backend;
use crate::config::{BackendConfig, BackendKind};
pub use crate::error::SetupError;
use crate::remote::http::Secret;
use service::{Common, Protocol, Service};

/// Builds the backend of a validated table; reads its API key from the environment.
pub fn build(config: &BackendConfig) -> Result<Arc<dyn Backend>, SetupError> {
    build_with_key(config, api_key(config, true)?)
}

/// Builds a backend that will send nothing (a dry run's cache look-ups and cost preview):
/// no API key is needed — the cache key never contains it.
pub fn build_for_planning(config: &BackendConfig) -> Result<Arc<dyn Backend>, SetupError> {
    build_with_key(config, api_key(config, false)?)
}

fn build_with_key(
    config: &BackendConfig,
    key: Option<Secret>,
) -> Result<Arc<dyn Backend>, SetupError> {
    Ok(match config.kind {
        BackendKind::LibreTranslate => {
            service(config, libretranslate::LibreTranslate::new(config, key))
        }
        BackendKind::DeepL => service(config, deepl::DeepL::new(config, require(config, key)?)),
        BackendKind::Google => service(config, google::Google::new(config, require(config, key)?)),
        BackendKind::Apertium => service(config, apertium::Apertium::new(config)),
        BackendKind::OpenAi => service(config, openai::OpenAi::new(config, key)),
        BackendKind::Command => service(config, command::Command::new(config)),
        BackendKind::Lexicon => service(config, lexicon::LexiconBackend::new(config)),
    })
}

fn service<P: Protocol>(config: &BackendConfig, protocol: P) -> Arc<dyn Backend> {
    // A server started for the run has a new port every time: its identity is the command.
    let identity = config.spawn.as_ref().map(|s| s.identity());
    let common = Common::new(
        config,
        P::SCHEME,
        identity.as_deref().or(protocol.base_url()),
    );
    Arc::new(Service { common, protocol })
}

fn api_key(config: &BackendConfig, sending: bool) -> Result<Option<Secret>, SetupError> {
    Secret::for_service(
        config.api_key_env.as_deref(),
        &format!("backends.{}", config.name),
        &config.name,
        sending,
    )
}

fn require(config: &BackendConfig, key: Option<Secret>) -> Result<Secret, SetupError> {
    key.ok_or_else(|| SetupError {
        backend: config.name.clone(),
        message: "an API key is required (api_key_env)".into(),
    })
}
