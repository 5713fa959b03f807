//! The embedding stage of `run` and the plumbing `embed` and `align` share: the configured
//! embedder (with its local server when the table says `spawn`), the cache, and the driver
//! run on a tokio runtime.

use crate::align::parallel::problems::Embed;
use std::sync::Arc;

use super::{Embedded, Embedder, EmbeddingReport, Vectors, build, embed_texts, plan_texts};
use crate::cache::Cache;
use crate::config::{Config, EmbedderConfig, EmbedderKind, SpawnConfig};
use crate::error::{Error, Result};
use crate::progress;
use crate::remote::driver::Plan;
use crate::remote::spawn::LocalServer;

/// The chosen embedder, ready to use; a server started for it stops when this is dropped.
pub struct Session {
    pub embedder: Arc<Embedder>,
    offline: bool,
    cache: crate::cache::Location,
    /// A `spawn` table whose server is started by [`Session::embed`] only once a text
    /// misses the cache (a fully cached run starts nothing).
    deferred: Option<EmbedderConfig>,
    server: std::sync::Mutex<Option<LocalServer>>,
}

impl Session {
    /// The embedder `embed.backend` names; `None` when embedding is off. `start_servers`
    /// false (a dry run) builds the embedder without ever starting its `spawn` server;
    /// true starts it when [`Session::embed`] has something to send.
    pub fn open(config: &Config, start_servers: bool) -> Result<Option<Session>> {
        let Some(name) = &config.embed.embedder else {
            return Ok(None);
        };
        let table = &config.embedders[name];
        let mut session = Session::for_table(config, table, false)?;
        if let Some(spawn) = table.spawn.as_ref()
            && start_servers
            && !config.translate.offline
        {
            // Ready to send (its key read), on the URL the server will have: its cache
            // identity is the command or model, so it plans like the running server.
            session.embedder = build(table, Some(&spawned_url(table, spawn, 0)), true)?;
            session.deferred = Some(table.clone());
        }
        Ok(Some(session))
    }

    /// Like [`Session::open`], but a missing embedder is an error.
    pub fn required(config: &Config, start_servers: bool) -> Result<Session> {
        Session::open(config, start_servers)?.ok_or_else(|| Error::NoEmbedder {
            config: config
                .file
                .as_ref()
                .map_or_else(|| "config.toml".into(), crate::display::path),
        })
    }

    /// The embedder of one table (`backends check` checks every table).
    pub fn for_table(
        config: &Config,
        table: &EmbedderConfig,
        start_servers: bool,
    ) -> Result<Session> {
        let (server, url) = match &table.spawn {
            Some(spawn) if start_servers && !config.translate.offline => {
                let server = LocalServer::start(&table.name, spawn)?;
                let url = spawned_url(table, spawn, server.port());
                (Some(server), Some(url))
            }
            Some(spawn) => (None, Some(spawned_url(table, spawn, 0))),
            None => (None, None),
        };
        Ok(Session {
            embedder: build(table, url.as_deref(), start_servers)?,
            offline: config.translate.offline,
            cache: config.cache.location.clone(),
            deferred: None,
            server: std::sync::Mutex::new(server),
        })
    }

    /// The embedder to send with: a deferred `spawn` server is started now if `texts` miss
    /// the cache, else the session's own embedder (everything is a cache hit).
    fn embedder_for(&self, texts: &[String]) -> Result<Arc<Embedder>> {
        let Some(table) = &self.deferred else {
            return Ok(Arc::clone(&self.embedder));
        };
        let plan = self.plan(texts)?;
        if plan.cache_hits == plan.texts {
            return Ok(Arc::clone(&self.embedder));
        }
        let spawn = table.spawn.as_ref().expect("deferred tables spawn");
        let mut server = self.server.lock().unwrap_or_else(|e| e.into_inner());
        if server.is_none() {
            *server = Some(LocalServer::start(&table.name, spawn)?);
        }
        let port = server.as_ref().map_or(0, LocalServer::port);
        Ok(build(table, Some(&spawned_url(table, spawn, port)), true)?)
    }

    /// Embeds distinct `texts` through the cache and the embedder (`step` names the
    /// progress bar).
    pub fn embed(&self, texts: &[String], step: &str, quiet: bool) -> Result<Embedded> {
        let embedder = self.embedder_for(texts)?;
        let cache = Arc::new(Cache::open_during_run(&self.cache)?);
        let bar = progress::bar(texts.len() as u64, step, quiet);
        let runtime = crate::remote::runtime().map_err(Error::Runtime)?;
        let embedded = runtime.block_on(embed_texts(
            embedder,
            cache,
            texts,
            self.offline,
            bar.clone(),
        ))?;
        bar.finish_and_clear();
        Ok(embedded)
    }

    /// [`Session::embed`] for a stage that follows paid work (the run's translations): a
    /// cache that cannot be opened (a full disk) stops this stage, with the reason in the
    /// report, instead of the run, so that what was paid for reaches the outputs. Nothing
    /// is sent then, since no vector could be kept.
    pub fn embed_after_paid_work(
        &self,
        texts: &[String],
        step: &str,
        quiet: bool,
    ) -> Result<Embedded> {
        match self.embed(texts, step, quiet) {
            Err(Error::Cache(e)) => {
                let reason = format!(
                    "{e}; nothing was embedded, since no vector could be kept; free space and run again"
                );
                Ok(Embedded::stopped(&self.embedder, texts, reason))
            }
            other => other,
        }
    }

    /// What embedding `texts` would send; sends nothing.
    pub fn plan(&self, texts: &[String]) -> Result<Plan> {
        let cache = Arc::new(Cache::open_existing_at(&self.cache)?);
        let runtime = crate::remote::runtime().map_err(Error::Runtime)?;
        Ok(runtime.block_on(plan_texts(
            Arc::clone(&self.embedder),
            cache,
            texts,
            self.offline,
        ))?)
    }
}

/// The URL of a server started on `port`: the table's `url` with `{port}` filled in, else
/// the kind's usual path on 127.0.0.1.
fn spawned_url(table: &EmbedderConfig, spawn: &SpawnConfig, port: u16) -> String {
    let default_path = if table.kind == EmbedderKind::OpenAi {
        "/v1"
    } else {
        ""
    };
    spawn.url(table.url.as_deref(), port, default_path)
}

/// The embedding stage of `run`: the vectors the aligner asks for through `rounds` (which
/// may ask more than once: parallel mode asks for overlaps after a first path) — `None`
/// when not one text got a vector, so that alignment falls back to the lexical similarity —
/// and the report of every round added up; `None` when no embedder is configured.
pub fn embed_for_alignment(
    config: &Config,
    quiet: bool,
    rounds: impl FnOnce(&mut Embed) -> Result<Option<Vectors>>,
) -> Result<Option<(Option<Vectors>, EmbeddingReport)>> {
    let Some(session) = Session::open(config, true)? else {
        return Ok(None);
    };
    let mut report: Option<EmbeddingReport> = None;
    let mut embed = |texts: Vec<String>, step: &str| -> Result<Option<Vectors>> {
        let embedded = session.embed_after_paid_work(&texts, step, quiet)?;
        match &mut report {
            Some(total) => total.add(embedded.report.clone()),
            None => report = Some(embedded.report.clone()),
        }
        Ok(embedded.usable_vectors(&texts))
    };
    let vectors = rounds(&mut embed)?;
    let report = match report {
        Some(report) => report,
        // Nothing was asked: the report of asking for nothing.
        None => session.embed_after_paid_work(&[], "embed", quiet)?.report,
    };
    Ok(Some((vectors, report)))
}
