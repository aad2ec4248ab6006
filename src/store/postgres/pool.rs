//! Connections to PostgreSQL, kept for reuse: a server opens a store per request, and a
//! connection (TLS, authentication, a backend process) costs milliseconds, a pooled one
//! nothing. URLs follow libpq: `postgres://user:password@host:port/db?sslmode=require`, with
//! `host=/run/postgresql` for a Unix socket.

use std::str::FromStr;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use postgres::config::SslMode;
use postgres::{Client, Config, NoTls};

use super::schema;

/// Connections a process holds at most, idle or in use, over all URLs: a server answers
/// many requests at once, and the database's `max_connections` (100 by default) is shared by
/// every server on it. A request beyond waits for one to come free.
const MAX_OPEN: usize = 16;

/// How long an idle connection has to answer before it is taken for dead.
const CHECK_IDLE: Duration = Duration::from_secs(2);

/// How long a request waits for a connection to come free before it is an error.
const WAIT_FOR_CONNECTION: Duration = Duration::from_secs(30);

/// How long connecting may take before it is an error (unless the URL says otherwise).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The idle connections, and how many connections are open in all.
struct Connections {
    idle: Vec<(String, Client)>,
    open: usize,
}

static POOL: Mutex<Connections> = Mutex::new(Connections {
    idle: Vec::new(),
    open: 0,
});
static FREED: Condvar = Condvar::new();

/// Whether `--store` names a PostgreSQL database rather than a file.
pub fn is_postgres_url(store: &str) -> bool {
    let lower = store.get(..13).unwrap_or(store).to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// The URL as it may be shown: the password (and a user name, which may be one) hidden.
pub fn shown(url: &str) -> String {
    crate::remote::without_password(url)
}

/// The host (or socket folder) and database a shown URL names, for the default origin.
pub fn host_and_database(url: &str) -> (String, String) {
    let config = Config::from_str(&query_host_wins(url)).ok();
    let host = config
        .as_ref()
        .and_then(|c| c.get_hosts().first().cloned())
        .map(|h| match h {
            postgres::config::Host::Tcp(name) => name,
            #[cfg(unix)]
            postgres::config::Host::Unix(_) => "localhost".to_owned(),
        })
        .unwrap_or_else(|| "localhost".to_owned());
    let db = config
        .as_ref()
        .and_then(|c| c.get_dbname().map(str::to_owned))
        .unwrap_or_else(|| "audit".to_owned());
    (host, db)
}

/// A connection taken from the pool or made, given back by `release`.
pub struct Pooled {
    url: String,
    client: Option<Client>,
}

fn pool() -> MutexGuard<'static, Connections> {
    POOL.lock().unwrap_or_else(|p| p.into_inner())
}

impl Pooled {
    /// An idle connection to `url`, else a new one once fewer than `MAX_OPEN` are open.
    pub fn connect(url: &str) -> Result<Pooled, ConnectError> {
        let deadline = std::time::Instant::now() + WAIT_FOR_CONNECTION;
        let mut pool = pool();
        loop {
            if let Some(i) = pool.idle.iter().rposition(|(u, _)| u == url) {
                let (_, mut client) = pool.idle.swap_remove(i);
                drop(pool);
                // An idle connection may have been cut meanwhile (a restart, a failover, an
                // idle timeout, `pg_terminate_backend`): one round trip tells, and a dead one
                // is replaced instead of failing the request it was taken for.
                if !client.is_closed() && client.is_valid(CHECK_IDLE).is_ok() {
                    return Ok(Pooled {
                        url: url.to_owned(),
                        client: Some(client),
                    });
                }
                drop(client);
                pool = self::pool();
                pool.open -= 1;
                continue;
            }
            if pool.open < MAX_OPEN {
                break;
            }
            // Full: an idle connection to another URL makes room, else wait for one.
            if !pool.idle.is_empty() {
                pool.idle.remove(0);
                pool.open -= 1;
                continue;
            }
            let now = std::time::Instant::now();
            if now >= deadline {
                // Connecting anyway: the server's own limit then says what is wrong.
                break;
            }
            pool = FREED
                .wait_timeout(pool, deadline - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        pool.open += 1;
        drop(pool);
        match connect(url) {
            Ok(client) => Ok(Pooled {
                url: url.to_owned(),
                client: Some(client),
            }),
            Err(e) => {
                closed();
                Err(e)
            }
        }
    }

    /// Gives the connection back for reuse, unless it broke.
    pub fn release(&mut self) {
        let Some(client) = self.client.take() else {
            return;
        };
        if client.is_closed() {
            closed();
            return;
        }
        pool().idle.push((std::mem::take(&mut self.url), client));
        FREED.notify_one();
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        // Not released: it broke, or was left inside a transaction.
        if self.client.take().is_some() {
            closed();
        }
    }
}

/// One connection fewer is open.
fn closed() {
    let mut pool = pool();
    pool.open = pool.open.saturating_sub(1);
    FREED.notify_one();
}

impl std::ops::Deref for Pooled {
    type Target = Client;
    fn deref(&self) -> &Client {
        self.client
            .as_ref()
            .expect("a pooled connection is present until released")
    }
}

impl std::ops::DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut Client {
        self.client
            .as_mut()
            .expect("a pooled connection is present until released")
    }
}

/// The URL with the host of its authority left out when its query names `host`: libpq lets
/// the query's `host=/run/postgresql` replace `localhost` in `postgres://u@localhost/db?…`,
/// where the client would try both. The port stays (it names the socket file too).
fn query_host_wins(url: &str) -> std::borrow::Cow<'_, str> {
    let names_host = reqwest::Url::parse(url)
        .is_ok_and(|u| u.query_pairs().any(|(k, _)| k == "host" || k == "hostaddr"));
    let Some(after_scheme) = url.find("://").map(|i| i + 3) else {
        return url.into();
    };
    if !names_host {
        return url.into();
    }
    let rest = &url[after_scheme..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let host_start = authority.rfind('@').map_or(0, |i| i + 1);
    let host_port = &authority[host_start..];
    // `[::1]:5432`: the port is after the bracket. It moves to the query, where the client
    // pairs it with the socket folder.
    let port = match host_port.rfind(':') {
        Some(i) if !host_port[i..].contains(']') && !url.contains("port=") => {
            format!("&port={}", &host_port[i + 1..])
        }
        _ => String::new(),
    };
    format!(
        "{}{}{}{port}",
        &url[..after_scheme],
        &authority[..host_start],
        &rest[authority_end..]
    )
    .into()
}

/// libpq's `sslmode=verify-full` and `verify-ca` as `require`: rustls always checks the
/// server's certificate and name against the web's roots, which is what they ask for; the
/// client knows only disable, prefer and require. `allow` is `prefer`.
fn verified_tls_is_required(url: &str) -> String {
    url.replace("sslmode=verify-full", "sslmode=require")
        .replace("sslmode=verify-ca", "sslmode=require")
        .replace("sslmode=allow", "sslmode=prefer")
}

/// A new connection: the store's namespace first on the search path, and TLS unless the URL
/// says `sslmode=disable` (libpq's default, `prefer`, tries TLS and falls back).
fn connect(url: &str) -> Result<Client, ConnectError> {
    let (url, root_cert) = take_root_cert(url);
    let mut config = Config::from_str(&verified_tls_is_required(&query_host_wins(&url)))?;
    let options = match config.get_options() {
        Some(theirs) => format!("{theirs} -c search_path={}", schema::NAMESPACE),
        None => format!("-c search_path={}", schema::NAMESPACE),
    };
    config.options(&options);
    if config.get_application_name().is_none() {
        config.application_name("auditctl");
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    // TLS means nothing over a Unix socket (libpq does not try it there either).
    let unix = config
        .get_hosts()
        .iter()
        .all(|h| !matches!(h, postgres::config::Host::Tcp(_)));
    if unix && !config.get_hosts().is_empty() {
        // libpq ignores sslmode there; the client would refuse `require` for want of TLS.
        config.ssl_mode(SslMode::Disable);
    }
    if config.get_ssl_mode() == SslMode::Disable {
        return Ok(config.connect(NoTls)?);
    }
    Ok(config.connect(tls(root_cert.as_deref())?)?)
}

/// Why a connection could not be made: the server's or the client's error, or a certificate
/// file that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(transparent)]
    Postgres(#[from] postgres::Error),
    #[error("sslrootcert {path}: {why}")]
    RootCert { path: String, why: String },
}

/// The URL without libpq's `sslrootcert=FILE`, which the client does not know, and the file:
/// the certificates of the CA that signed the server's (a private CA, or a cloud provider's).
fn take_root_cert(url: &str) -> (String, Option<String>) {
    let Some(query_start) = url.find('?') else {
        return (url.to_owned(), None);
    };
    let mut root_cert = None;
    let kept: Vec<&str> = url[query_start + 1..]
        .split('&')
        .filter(|pair| match pair.strip_prefix("sslrootcert=") {
            Some(path) => {
                root_cert = Some(
                    percent_encoding::percent_decode_str(path)
                        .decode_utf8_lossy()
                        .into_owned(),
                );
                false
            }
            None => true,
        })
        .collect();
    let base = &url[..query_start];
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (url, root_cert)
}

/// TLS with the web's root certificates (rustls, as the API client uses), or only those of
/// `root_cert` when the URL names a file (libpq's `sslrootcert`).
fn tls(root_cert: Option<&str>) -> Result<tokio_postgres_rustls::MakeRustlsConnect, ConnectError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    match root_cert {
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        Some(path) => {
            let bad = |why: String| ConnectError::RootCert {
                path: path.to_owned(),
                why,
            };
            let certs = CertificateDer::pem_file_iter(path)
                .map_err(|e| bad(e.to_string()))?
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| bad(e.to_string()))?;
            let (added, _) = roots.add_parsable_certificates(certs);
            if added == 0 {
                return Err(bad("no certificate in it".into()));
            }
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("ring supports the default TLS versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_in_the_query_replaces_the_authority_s() {
        assert_eq!(
            query_host_wins("postgres://u:p@localhost:5433/db?host=/run/pg"),
            "postgres://u:p@/db?host=/run/pg&port=5433"
        );
        assert_eq!(
            query_host_wins("postgresql://localhost/db?sslmode=disable&host=/tmp/x"),
            "postgresql:///db?sslmode=disable&host=/tmp/x"
        );
        assert_eq!(
            query_host_wins("postgres://u@db1/audit"),
            "postgres://u@db1/audit"
        );
        let config =
            Config::from_str(&query_host_wins("postgres://u@localhost/d?host=/s")).unwrap();
        assert_eq!(config.get_hosts().len(), 1);
    }

    #[test]
    fn only_postgres_urls_are_databases() {
        assert!(is_postgres_url("postgres://u@h/db"));
        assert!(is_postgres_url("PostgreSQL://h/db"));
        assert!(!is_postgres_url("audit.db"));
        assert!(!is_postgres_url("postgres.db"));
        assert!(!is_postgres_url("./postgres://x"));
    }
}
