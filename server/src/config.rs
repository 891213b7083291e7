//! Command-line flags, each also read from an `ITEMS_*` environment variable (a flag wins).

use std::fmt;

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
    pub limits: crate::connections::Limits,
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

/// Usage text for `--help` and for bad flags.
pub const USAGE: &str = "\
usage: items-server [--listen ADDR] [--store URL] [--seed]

  --listen ADDR  address to listen on           [env ITEMS_LISTEN, default 127.0.0.1:8000]
  --store URL    item store: sqlite://PATH, postgres://USER@HOST:PORT/DB or memory:
                                                [env ITEMS_STORE, default sqlite://items.db]
  --seed         insert items foo and bar if absent  [env ITEMS_SEED=1]
  --idle-timeout SECS
                 close a connection silent this long while a request or the next one is
                 awaited                        [env ITEMS_IDLE_TIMEOUT, default 30]
  --header-timeout SECS
                 close a connection whose request line and headers have not all arrived
                 this long after their first byte [env ITEMS_HEADER_TIMEOUT, default 10]
  --max-connections N
                 open connections at most; more wait in the backlog
                          [env ITEMS_MAX_CONNECTIONS, default: the open-file limit less 64]
  -h, --help     print this help
  -V, --version  print the version of the server and of the API it serves

Logging: ITEMS_LOG (e.g. ITEMS_LOG=debug, ITEMS_LOG=info,access=off), default info: one
access line per request (target `access`: method, path, operation, status, micros), each
line of a request carrying its id (X-Request-Id). ITEMS_LOG_FORMAT=json: JSON lines.";

/// What the command line asked for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    /// Run the server.
    Run(Config),
    /// Print usage and exit.
    Help,
    /// Print the version and exit.
    Version,
}

/// A flag or variable that could not be used; the message says which and why.
#[derive(Debug, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
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
    pub fn parse(url: &str) -> Result<Self, ConfigError> {
        if url == "memory:" {
            return Ok(StoreUrl::Memory);
        }
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(ConfigError(
                    "`sqlite://` needs a file path, e.g. sqlite://items.db".into(),
                ));
            }
            return Ok(StoreUrl::Sqlite(path.into()));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(StoreUrl::Postgres(url.to_owned()));
        }
        Err(ConfigError(format!(
            "unknown store `{url}`: use sqlite://PATH, postgres://USER@HOST:PORT/DB or memory:"
        )))
    }
}

/// Parses arguments (without the program name), falling back to `env` for unset flags.
pub fn parse(
    args: impl IntoIterator<Item = String>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Command, ConfigError> {
    let mut listen = env("ITEMS_LISTEN");
    let mut store = env("ITEMS_STORE");
    let mut seed = match env("ITEMS_SEED").as_deref() {
        None | Some("" | "0" | "false") => false,
        Some("1" | "true") => true,
        Some(other) => {
            return Err(ConfigError(format!(
                "ITEMS_SEED must be 1, true, 0 or false, not `{other}`"
            )))
        }
    };
    let mut idle = env("ITEMS_IDLE_TIMEOUT");
    let mut head = env("ITEMS_HEADER_TIMEOUT");
    let mut max_connections = env("ITEMS_MAX_CONNECTIONS");
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| ConfigError(format!("{name} needs a value")))
        };
        match flag.as_str() {
            "--listen" => listen = Some(value("--listen")?),
            "--store" => store = Some(value("--store")?),
            "--seed" => seed = true,
            "--idle-timeout" => idle = Some(value("--idle-timeout")?),
            "--header-timeout" => head = Some(value("--header-timeout")?),
            "--max-connections" => max_connections = Some(value("--max-connections")?),
            "-h" | "--help" => return Ok(Command::Help),
            "-V" | "--version" => return Ok(Command::Version),
            other => return Err(ConfigError(format!("unknown argument `{other}`"))),
        }
    }
    let mut limits = crate::connections::Limits::default();
    if let Some(idle) = idle {
        limits.idle = seconds("--idle-timeout", &idle)?;
    }
    if let Some(head) = head {
        limits.head = seconds("--header-timeout", &head)?;
    }
    if let Some(max) = max_connections {
        limits.max_connections = max.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
            ConfigError(format!(
                "--max-connections must be a whole number above 0, not `{max}`"
            ))
        })?;
    }
    Ok(Command::Run(Config {
        listen: listen.unwrap_or_else(|| DEFAULT_LISTEN.to_owned()),
        store: StoreUrl::parse(store.as_deref().unwrap_or(DEFAULT_STORE))?,
        seed,
        limits,
    }))
}

/// A timeout flag's value: whole seconds above 0.
fn seconds(flag: &str, value: &str) -> Result<std::time::Duration, ConfigError> {
    let seconds: u64 = value.parse().ok().filter(|s| *s > 0).ok_or_else(|| {
        ConfigError(format!(
            "{flag} must be a whole number of seconds above 0, not `{value}`"
        ))
    })?;
    Ok(std::time::Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn version_and_help_are_commands() {
        assert_eq!(parse(args(&["--version"]), |_| None), Ok(Command::Version));
        assert_eq!(parse(args(&["-V"]), |_| None), Ok(Command::Version));
        assert_eq!(parse(args(&["--help"]), |_| None), Ok(Command::Help));
    }

    #[test]
    fn defaults_apply_without_flags_or_env() {
        let cmd = parse(args(&[]), |_| None).unwrap();

        assert_eq!(
            cmd,
            Command::Run(Config {
                listen: DEFAULT_LISTEN.into(),
                store: StoreUrl::Sqlite("items.db".into()),
                seed: false,
                limits: crate::connections::Limits::default(),
            })
        );
    }

    #[test]
    fn flags_win_over_environment() {
        let env = |k: &str| match k {
            "ITEMS_LISTEN" => Some("127.0.0.1:9".to_owned()),
            "ITEMS_SEED" => Some("1".to_owned()),
            _ => None,
        };

        let cmd = parse(args(&["--listen=0.0.0.0:80", "--store", "memory:"]), env).unwrap();

        assert_eq!(
            cmd,
            Command::Run(Config {
                listen: "0.0.0.0:80".into(),
                store: StoreUrl::Memory,
                seed: true,
                limits: crate::connections::Limits::default(),
            })
        );
    }

    #[test]
    fn bad_input_is_a_clear_error() {
        assert_eq!(
            parse(args(&["--store", "redis://x"]), |_| None),
            Err(ConfigError(
                "unknown store `redis://x`: use sqlite://PATH, postgres://USER@HOST:PORT/DB or memory:".into()
            ))
        );
        assert_eq!(
            parse(args(&["--listen"]), |_| None),
            Err(ConfigError("--listen needs a value".into()))
        );
        assert_eq!(
            parse(args(&["--nope"]), |_| None),
            Err(ConfigError("unknown argument `--nope`".into()))
        );
        assert!(parse(args(&["--idle-timeout", "0"]), |_| None).is_err());
        assert!(parse(args(&["--header-timeout", "x"]), |_| None).is_err());
        assert!(parse(args(&["--max-connections", "many"]), |_| None).is_err());
    }

    #[test]
    fn connection_limits_come_from_flags_or_environment() {
        let env = |k: &str| (k == "ITEMS_IDLE_TIMEOUT").then(|| "5".to_owned());
        let flags = args(&["--max-connections=100", "--header-timeout", "3"]);
        let Ok(Command::Run(config)) = parse(flags, env) else {
            panic!("a valid command line");
        };
        assert_eq!(config.limits.idle, std::time::Duration::from_secs(5));
        assert_eq!(config.limits.head, std::time::Duration::from_secs(3));
        assert_eq!(config.limits.max_connections, 100);
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
