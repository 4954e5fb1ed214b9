//! Limits and shared checks for this instance's open event streams.
//!
//! - Open streams are counted per user and in all, and refused over the caps (settings), so
//!   that one caller cannot hold every connection of an instance.
//! - A stream checks now and then that its caller may still see the project. The verdict is
//!   kept per credential and project for a few seconds and shared by every stream of that
//!   credential, so one user's 200 tabs cost what one tab costs; it is dropped at once when
//!   the user's sessions or tokens, or the memberships, change (the hub follows those
//!   counters), so a revoked session hears nothing more.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::OnceCell;

/// The caps on open event streams of one instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamLimits {
    /// Streams one user may hold open on this instance.
    pub per_user: usize,
    /// Streams this instance holds open in all.
    pub per_instance: usize,
    /// How long a stream stays open before the server ends it (browsers reconnect).
    pub max_age: Duration,
}

impl Default for StreamLimits {
    fn default() -> Self {
        Self {
            per_user: 20,
            per_instance: 10_000,
            max_age: Duration::from_secs(3600),
        }
    }
}

/// Which cap a stream ran into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Full {
    /// The user's own.
    User,
    /// The instance's.
    Instance,
}

/// The open streams of this instance, per user.
#[derive(Default)]
pub struct OpenStreams {
    by_user: Mutex<HashMap<String, usize>>,
}

impl OpenStreams {
    /// Counts a new stream of `user`, or says which cap it would exceed.
    pub fn open(self: &Arc<Self>, user: &str, limits: StreamLimits) -> Result<StreamSlot, Full> {
        let mut by_user = self.by_user.lock().map_err(|_| Full::Instance)?;
        let total: usize = by_user.values().sum();
        if total >= limits.per_instance {
            return Err(Full::Instance);
        }
        let mine = by_user.entry(user.to_string()).or_default();
        if *mine >= limits.per_user {
            return Err(Full::User);
        }
        *mine += 1;
        Ok(StreamSlot {
            streams: Arc::clone(self),
            user: user.to_string(),
        })
    }

    /// How many streams are open.
    pub fn total(&self) -> usize {
        self.by_user.lock().map(|m| m.values().sum()).unwrap_or(0)
    }
}

/// One open stream; closing it is dropping this.
pub struct StreamSlot {
    streams: Arc<OpenStreams>,
    user: String,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        if let Ok(mut by_user) = self.streams.by_user.lock()
            && let Some(n) = by_user.get_mut(&self.user)
        {
            *n -= 1;
            if *n == 0 {
                by_user.remove(&self.user);
            }
        }
    }
}

/// How long a verdict is kept.
pub const VERDICT_TTL: Duration = Duration::from_secs(5);

struct Verdict {
    at: Instant,
    user: String,
    cell: Arc<OnceCell<bool>>,
}

/// Shared verdicts of "may this credential still see this project?".
#[derive(Default)]
pub struct AccessChecks {
    verdicts: Mutex<HashMap<(String, String), Verdict>>,
}

impl AccessChecks {
    /// The verdict for `credential` (a hash) of `user` on `project`: kept for [`VERDICT_TTL`],
    /// else worked out by `check`, once for every stream that asks at the same moment.
    pub async fn allowed<F, Fut>(
        &self,
        credential: &str,
        user: &str,
        project: &str,
        check: F,
    ) -> bool
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = bool>,
    {
        let cell = {
            let Ok(mut verdicts) = self.verdicts.lock() else {
                return false;
            };
            let key = (credential.to_string(), project.to_string());
            match verdicts.get(&key) {
                Some(v) if v.at.elapsed() < VERDICT_TTL => Arc::clone(&v.cell),
                _ => {
                    // Forget stale verdicts now and then, so the map stays small.
                    if verdicts.len() > 10_000 {
                        verdicts.retain(|_, v| v.at.elapsed() < VERDICT_TTL);
                    }
                    let cell = Arc::new(OnceCell::new());
                    verdicts.insert(
                        key,
                        Verdict {
                            at: Instant::now(),
                            user: user.to_string(),
                            cell: Arc::clone(&cell),
                        },
                    );
                    cell
                }
            }
        };
        *cell.get_or_init(check).await
    }

    /// Drops the verdicts of a user (their sessions, tokens or account changed).
    pub fn forget_user(&self, user: &str) {
        if let Ok(mut verdicts) = self.verdicts.lock() {
            verdicts.retain(|_, v| v.user != user);
        }
    }

    /// Drops every verdict (memberships changed, or changes may have been missed).
    pub fn forget_all(&self) {
        if let Ok(mut verdicts) = self.verdicts.lock() {
            verdicts.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn streams_are_capped_per_user_and_per_instance() {
        let streams = Arc::new(OpenStreams::default());
        let limits = StreamLimits {
            per_user: 2,
            per_instance: 3,
            ..StreamLimits::default()
        };
        let a1 = streams.open("a", limits).expect("a1");
        let a2 = streams.open("a", limits).expect("a2");
        assert_eq!(streams.open("a", limits).err(), Some(Full::User));
        let b1 = streams.open("b", limits).expect("b1");
        assert_eq!(streams.open("c", limits).err(), Some(Full::Instance));
        assert_eq!(streams.total(), 3);
        drop(a1);
        assert!(streams.open("a", limits).is_ok(), "a slot freed");
        drop((a2, b1));
        assert_eq!(streams.total(), 0);
    }

    #[tokio::test]
    async fn one_check_serves_every_stream_of_a_credential_until_it_is_forgotten() {
        let checks = Arc::new(AccessChecks::default());
        let runs = Arc::new(AtomicUsize::new(0));
        let ask = |cred: &'static str, user: &'static str, verdict: bool| {
            let (checks, runs) = (Arc::clone(&checks), Arc::clone(&runs));
            async move {
                checks
                    .allowed(cred, user, "alpha", || async move {
                        runs.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        verdict
                    })
                    .await
            }
        };
        // 200 tabs at the same moment: one check.
        let all = futures::future::join_all((0..200).map(|_| ask("s1", "u1", true))).await;
        assert!(all.iter().all(|v| *v));
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        // Another credential has its own verdict.
        assert!(!ask("s2", "u2", false).await);
        assert_eq!(runs.load(Ordering::SeqCst), 2);
        // Kept: a second ask costs nothing, whatever it would say now.
        assert!(ask("s1", "u1", false).await);
        assert_eq!(runs.load(Ordering::SeqCst), 2);
        // The user's sessions changed: asked again.
        checks.forget_user("u1");
        assert!(!ask("s1", "u1", false).await);
        assert_eq!(runs.load(Ordering::SeqCst), 3);
        checks.forget_all();
        assert!(ask("s2", "u2", true).await);
        assert_eq!(runs.load(Ordering::SeqCst), 4);
    }
}
