//! The delivery client's name resolver: the one place where a webhook's host name becomes
//! addresses, and where private answers are refused.
//!
//! Checking a name with one lookup and then letting the HTTP client look it up again leaves a
//! gap: the second answer may differ (DNS rebinding), or the client may read the host
//! differently from the check. Here the check is the lookup the client connects with: the
//! client asks this resolver, and it hands back only addresses it has checked, or an error.

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use app::webhooks::target::is_private_ip;

/// Where names are looked up.
#[derive(Clone, Debug, Default)]
pub enum Lookup {
    /// The system's resolver (`getaddrinfo`).
    #[default]
    System,
    /// A fixed table of names and their addresses (tests: no test needs real DNS). A name
    /// that is not in it does not resolve.
    Table(Arc<HashMap<String, Vec<IpAddr>>>),
}

impl Lookup {
    async fn addresses(&self, name: &str) -> std::io::Result<Vec<IpAddr>> {
        match self {
            Self::System => Ok(tokio::net::lookup_host((name, 0))
                .await?
                .map(|a| a.ip())
                .collect()),
            Self::Table(table) => table
                .get(&name.trim_end_matches('.').to_ascii_lowercase())
                .cloned()
                .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "unknown name")),
        }
    }
}

/// A name that resolved to a private or loopback address while those are not allowed.
#[derive(Debug)]
pub struct PrivateAnswer {
    pub name: String,
}

impl fmt::Display for PrivateAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} resolves to a private or loopback address", self.name)
    }
}

impl std::error::Error for PrivateAnswer {}

/// A name that did not resolve in time.
#[derive(Debug)]
pub struct LookupTimedOut;

impl fmt::Display for LookupTimedOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the name lookup took too long")
    }
}

impl std::error::Error for LookupTimedOut {}

/// Resolves names for the delivery client and refuses private answers unless allowed. When
/// any address of a name is private, the whole answer is refused: a receiver on a public
/// address does not need a private one beside it.
#[derive(Clone, Debug)]
pub struct GuardedResolver {
    lookup: Lookup,
    allow_private: bool,
    timeout: Duration,
}

impl GuardedResolver {
    pub fn new(lookup: Lookup, allow_private: bool, timeout: Duration) -> Self {
        Self {
            lookup,
            allow_private,
            timeout,
        }
    }

    /// The checked addresses of `name` (port 0: the client sets the URL's).
    pub async fn resolve_checked(
        &self,
        name: &str,
    ) -> Result<Vec<SocketAddr>, Box<dyn std::error::Error + Send + Sync>> {
        let addrs = tokio::time::timeout(self.timeout, self.lookup.addresses(name))
            .await
            .map_err(|_| Box::new(LookupTimedOut))??;
        if addrs.is_empty() {
            return Err(Box::new(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no address",
            )));
        }
        if !self.allow_private && addrs.iter().any(|ip| is_private_ip(*ip)) {
            return Err(Box::new(PrivateAnswer {
                name: name.to_string(),
            }));
        }
        Ok(addrs.into_iter().map(|ip| SocketAddr::new(ip, 0)).collect())
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let this = self.clone();
        Box::pin(async move {
            let addrs = this.resolve_checked(name.as_str()).await?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(entries: &[(&str, &str)]) -> Lookup {
        let mut map: HashMap<String, Vec<IpAddr>> = HashMap::new();
        for (name, ip) in entries {
            map.entry(name.to_string())
                .or_default()
                .push(ip.parse().expect("ip"));
        }
        Lookup::Table(Arc::new(map))
    }

    #[tokio::test]
    async fn private_answers_are_refused_unless_allowed() {
        let lookup = table(&[
            ("public.test", "93.184.216.34"),
            ("loop.test", "127.0.0.1"),
            ("mixed.test", "93.184.216.34"),
            ("mixed.test", "10.0.0.1"),
            ("mapped.test", "::ffff:127.0.0.1"),
        ]);
        let guard = GuardedResolver::new(lookup.clone(), false, Duration::from_secs(1));
        let ok = guard.resolve_checked("public.test").await.expect("public");
        assert_eq!(
            ok,
            vec!["93.184.216.34:0".parse::<SocketAddr>().expect("addr")]
        );
        // Case and a trailing dot do not make another name.
        assert!(guard.resolve_checked("PUBLIC.test.").await.is_ok());
        for name in ["loop.test", "mixed.test", "mapped.test"] {
            let err = guard.resolve_checked(name).await.expect_err(name);
            assert!(
                err.downcast_ref::<PrivateAnswer>().is_some(),
                "{name}: {err}"
            );
        }
        assert!(guard.resolve_checked("unknown.test").await.is_err());
        let open = GuardedResolver::new(lookup, true, Duration::from_secs(1));
        assert_eq!(
            open.resolve_checked("mixed.test")
                .await
                .expect("allowed")
                .len(),
            2
        );
    }
}
