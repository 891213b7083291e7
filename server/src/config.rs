//! Command-line flags, each also read from an `ITEMS_*` environment variable (a flag wins),
//! parsed by clap.

use std::fmt;
use std::time::Duration;

use clap::{ArgAction, CommandFactory, FromArgMatches, Parser};

/// How the server is started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `--listen ADDR` / `ITEMS_LISTEN`: where to listen.
    pub listen: String,
    /// `--store URL` / `ITEMS_STORE`: which store to serve.
    pub store: StoreUrl,
    /// `--seed` / `ITEMS_SEED=1`: insert the seed items if absent.
    pub seed: bool,
    /// `--idle-timeout SECS` / `ITEMS_IDLE_TIMEOUT`, `--header-timeout SECS` /
    /// `ITEMS_HEADER_TIMEOUT` and `--max-connections N` / `ITEMS_MAX_CONNECTIONS`: connection
    /// limits.
    pub limits: crate::app::Limits,
    /// `--metrics on|off` / `ITEMS_METRICS`: record the metrics `GET /metrics` serves.
    pub metrics: bool,
}

/// A store URL the server knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreUrl {
    /// `memory:`: items live in the process and are gone when it ends.
    Memory,
    /// `sqlite://PATH`: a SQLite file, created on first start (`sqlite://items.db` is relative
    /// to the working directory, `sqlite:///var/lib/items.db` absolute).
    Sqlite(std::path::PathBuf),
    /// `postgres://user@host:port/db`: a PostgreSQL database several servers can share.
    Postgres(String),
}

/// Default listen address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8000";
/// Default store.
pub const DEFAULT_STORE: &str = "sqlite://items.db";

/// What `--help` says after the flags.
const LOGGING: &str = "\
Logging: ITEMS_LOG (e.g. ITEMS_LOG=debug, ITEMS_LOG=info,access=off), default info: one
access line per request (target `access`: method, path, operation, status, micros), each
line of a request carrying its id (X-Request-Id). ITEMS_LOG_FORMAT=json: JSON lines.";

/// The flags, as clap reads them.
#[derive(Parser, Debug)]
#[command(
    name = "items-server",
    about = "Serves openapi/items.yaml over HTTP: the items API, /openapi.json, /openapi.yaml and the docs page at /docs.",
    after_help = LOGGING,
    next_line_help = true
)]
struct Flags {
    /// Address to listen on
    #[arg(long, env = "ITEMS_LISTEN", value_name = "ADDR", default_value = DEFAULT_LISTEN)]
    listen: String,
    /// Item store: sqlite://PATH, postgres://USER@HOST:PORT/DB or memory:
    #[arg(
        long,
        env = "ITEMS_STORE",
        value_name = "URL",
        default_value = DEFAULT_STORE,
        value_parser = StoreUrl::parse
    )]
    store: StoreUrl,
    /// Insert items foo and bar if absent (never overwrites)
    #[arg(long, env = "ITEMS_SEED", action = ArgAction::SetTrue,
          value_parser = clap::builder::BoolishValueParser::new())]
    seed: bool,
    /// Close a connection silent this long while a request or the next one is awaited
    #[arg(long, env = "ITEMS_IDLE_TIMEOUT", value_name = "SECS", default_value = "30",
          value_parser = seconds)]
    idle_timeout: Duration,
    /// Close a connection whose request line and headers have not all arrived this long after
    /// their first byte
    #[arg(long, env = "ITEMS_HEADER_TIMEOUT", value_name = "SECS", default_value = "10",
          value_parser = seconds)]
    header_timeout: Duration,
    /// Open connections at most; more wait in the backlog [default: the open-file limit less 64]
    #[arg(long, env = "ITEMS_MAX_CONNECTIONS", value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: Option<u32>,
    /// Record request and store metrics for GET /metrics (off: it serves none, and requests
    /// skip the recording, whose cost `make bench` measures so)
    #[arg(long, env = "ITEMS_METRICS", value_name = "on|off", default_value = "on", action = ArgAction::Set,
          value_parser = on_off)]
    metrics: bool,
}

/// An `on|off` flag's value.
fn on_off(value: &str) -> Result<bool, String> {
    match value {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err("must be `on` or `off`".to_owned()),
    }
}

/// `--version`: the server's version and the API it serves.
fn version() -> &'static str {
    static VERSION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "{} (serves {} {}, OpenAPI document openapi/items.yaml)",
            env!("CARGO_PKG_VERSION"),
            crate::api::TITLE,
            crate::api::VERSION
        )
    });
    &VERSION
}

/// Parses the command line (the program name first), with `ITEMS_*` variables for unset
/// flags. `--help`, `--version` and bad input come back as clap's error, whose `exit()`
/// prints it (with the usage for bad input) and exits 0 or 2.
pub fn parse<I, T>(args: I) -> Result<Config, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let matches = Flags::command()
        .version(version())
        .try_get_matches_from(args)?;
    let flags = Flags::from_arg_matches(&matches)?;
    let mut limits = crate::app::Limits {
        idle: flags.idle_timeout,
        head: flags.header_timeout,
        ..Default::default()
    };
    if let Some(max) = flags.max_connections {
        limits.max_connections = max as usize;
    }
    Ok(Config {
        listen: flags.listen,
        store: flags.store,
        seed: flags.seed,
        limits,
        metrics: flags.metrics,
    })
}

/// A timeout flag's value: whole seconds above 0.
fn seconds(value: &str) -> Result<Duration, String> {
    match value.parse::<u64>() {
        Ok(seconds) if seconds > 0 => Ok(Duration::from_secs(seconds)),
        _ => Err("must be a whole number of seconds above 0".to_owned()),
    }
}

impl fmt::Display for StoreUrl {
    /// The store for logs: a PostgreSQL URL shows only user, host, port and database, never a
    /// password (whether in the user part or in the query string).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreUrl::Memory => f.write_str("memory:"),
            StoreUrl::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            StoreUrl::Postgres(url) => match url.parse::<tokio_postgres::Config>() {
                Ok(config) => {
                    let user = config.get_user().unwrap_or_default();
                    let host = match config.get_hosts().first() {
                        Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
                        Some(tokio_postgres::config::Host::Unix(p)) => p.display().to_string(),
                        None => String::new(),
                    };
                    let port = config.get_ports().first().copied().unwrap_or(5432);
                    let db = config.get_dbname().unwrap_or_default();
                    write!(f, "postgres://{user}@{host}:{port}/{db}")
                }
                Err(_) => f.write_str("postgres://(unparsable URL)"),
            },
        }
    }
}

impl StoreUrl {
    /// Parses a store URL.
    pub fn parse(url: &str) -> Result<Self, String> {
        if url == "memory:" {
            return Ok(StoreUrl::Memory);
        }
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err("`sqlite://` needs a file path, e.g. sqlite://items.db".into());
            }
            return Ok(StoreUrl::Sqlite(path.into()));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(StoreUrl::Postgres(url.to_owned()));
        }
        Err(format!(
            "unknown store `{url}`: use sqlite://PATH, postgres://USER@HOST:PORT/DB or memory:"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tests that read `ITEMS_*` variables take turns (the environment is the process's).
    static ENV: std::sync::Mutex<()> = std::sync::Mutex::new(());

    fn parse_args(a: &[&str]) -> Result<Config, clap::Error> {
        parse(std::iter::once("items-server").chain(a.iter().copied()))
    }

    #[test]
    fn the_flags_are_a_valid_clap_command() {
        Flags::command().debug_assert();
    }

    #[test]
    fn version_and_help_are_answers_not_errors() {
        let _env = ENV.lock().unwrap_or_else(|e| e.into_inner());
        let version = parse_args(&["--version"]).unwrap_err();
        let help = parse_args(&["--help"]).unwrap_err();

        assert_eq!(version.kind(), clap::error::ErrorKind::DisplayVersion);
        assert!(
            version.to_string().contains("serves Items API"),
            "{version}"
        );
        assert_eq!(help.kind(), clap::error::ErrorKind::DisplayHelp);
        let help = help.to_string();
        for shown in [
            "--header-timeout <SECS>",
            "ITEMS_STORE",
            "ITEMS_LOG_FORMAT=json",
        ] {
            assert!(help.contains(shown), "{shown} in:\n{help}");
        }
    }

    #[test]
    fn defaults_flags_and_environment_in_that_order() {
        let _env = ENV.lock().unwrap_or_else(|e| e.into_inner());
        let defaults = parse_args(&[]).unwrap();
        assert_eq!(
            defaults,
            Config {
                listen: DEFAULT_LISTEN.into(),
                store: StoreUrl::Sqlite("items.db".into()),
                seed: false,
                limits: crate::app::Limits::default(),
                metrics: true,
            }
        );

        std::env::set_var("ITEMS_LISTEN", "127.0.0.1:9");
        std::env::set_var("ITEMS_SEED", "1");
        std::env::set_var("ITEMS_IDLE_TIMEOUT", "5");
        let flags = [
            "--listen=0.0.0.0:80",
            "--store",
            "memory:",
            "--max-connections=100",
            "--metrics=off",
        ];
        let config = parse_args(&[&flags[..], &["--header-timeout", "3"]].concat());
        for var in ["ITEMS_LISTEN", "ITEMS_SEED", "ITEMS_IDLE_TIMEOUT"] {
            std::env::remove_var(var);
        }
        let config = config.unwrap();

        assert_eq!(config.listen, "0.0.0.0:80", "a flag wins");
        assert_eq!(config.store, StoreUrl::Memory);
        assert!(config.seed, "ITEMS_SEED=1");
        assert_eq!(config.limits.idle, Duration::from_secs(5));
        assert_eq!(config.limits.head, Duration::from_secs(3));
        assert_eq!(config.limits.max_connections, 100);
        assert!(!config.metrics);
    }

    #[test]
    fn bad_input_is_a_clear_error() {
        let _env = ENV.lock().unwrap_or_else(|e| e.into_inner());
        let store = parse_args(&["--store", "redis://x"])
            .unwrap_err()
            .to_string();
        assert!(
            store.contains("unknown store `redis://x`: use sqlite://PATH"),
            "{store}"
        );
        for bad in [
            &["--listen"][..],
            &["--nope"],
            &["--idle-timeout", "0"],
            &["--header-timeout", "x"],
            &["--max-connections", "many"],
            &["--max-connections", "0"],
            &["--metrics", "no"],
        ] {
            let err = parse_args(bad).unwrap_err();
            assert!(err.use_stderr(), "{bad:?} is an error");
        }
    }

    #[test]
    fn store_urls_name_the_store() {
        assert_eq!(StoreUrl::parse("memory:"), Ok(StoreUrl::Memory));
        assert_eq!(
            StoreUrl::parse("sqlite:///var/lib/items.db"),
            Ok(StoreUrl::Sqlite("/var/lib/items.db".into()))
        );
        assert_eq!(
            StoreUrl::parse("postgres://app@db:5432/items"),
            Ok(StoreUrl::Postgres("postgres://app@db:5432/items".into()))
        );
        assert!(StoreUrl::parse("sqlite://").is_err());
    }

    #[test]
    fn store_urls_print_without_passwords() {
        let in_user = StoreUrl::parse("postgres://app:secret@db:5432/items").unwrap();
        let in_query = StoreUrl::parse("postgres://db/items?user=app&password=secret").unwrap();

        assert_eq!(in_user.to_string(), "postgres://app@db:5432/items");
        assert_eq!(in_query.to_string(), "postgres://app@db:5432/items");
    }
}
