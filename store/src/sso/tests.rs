//! The links' and attempts' rules, on an in-memory database.

use chrono::Duration;

use super::*;
use crate::auth::{AuthRepo, NewUser};

async fn fresh(name: &str) -> Db {
    let db = crate::db::connect_isolated("mem://", name)
        .await
        .expect("connect");
    crate::db::migrate(&db).await.expect("migrate");
    db
}

const ISSUER: &str = "https://id.example.org";

async fn invited(db: &Db, email: &str) -> UserRecord {
    AuthRepo::new(db.clone())
        .create_user(NewUser {
            email,
            name: "Invited",
            password_hash: Some("temporary hash"),
            role: Role::Member,
            must_change_password: true,
        })
        .await
        .expect("user")
}

#[tokio::test]
async fn an_attempt_is_taken_once_and_not_after_it_expired() {
    let repo = SsoRepo::new(fresh("sso_attempts").await);
    let now = Utc::now();
    let attempt = Attempt {
        nonce: "n".into(),
        verifier: "v".into(),
        next: "/projects".into(),
        expires_at: now + Duration::minutes(10),
    };
    repo.save_attempt("h1", &attempt).await.expect("save");
    let taken = repo.take_attempt("h1", now).await.expect("take");
    assert_eq!(taken.map(|a| a.next), Some("/projects".to_string()));
    assert!(repo.take_attempt("h1", now).await.expect("again").is_none());
    assert!(
        repo.take_attempt("unknown", now)
            .await
            .expect("unknown")
            .is_none()
    );

    repo.save_attempt("h2", &attempt).await.expect("save");
    let later = now + Duration::minutes(11);
    assert!(
        repo.take_attempt("h2", later)
            .await
            .expect("late")
            .is_none()
    );
    // Pruning drops what expired and keeps the rest.
    repo.save_attempt("h3", &attempt).await.expect("save");
    repo.prune_attempts(later).await.expect("prune");
    assert!(
        repo.take_attempt("h3", now)
            .await
            .expect("pruned")
            .is_none()
    );
}

#[tokio::test]
async fn linking_finds_the_user_by_subject_and_drops_an_unchosen_password() {
    let db = fresh("sso_link").await;
    let repo = SsoRepo::new(db.clone());
    let user = invited(&db, "a@example.org").await;

    let found = repo
        .candidates(ISSUER, "sub-1", Some("a@example.org"))
        .await
        .expect("candidates");
    assert!(found.by_subject.is_none());
    let (by_email, linked) = found.by_email.as_ref().expect("by email");
    assert_eq!(by_email.key(), user.key());
    assert!(!linked);

    repo.link(&user.key(), ISSUER, "sub-1", "a@example.org")
        .await
        .expect("link");
    let after = AuthRepo::new(db.clone())
        .user_by_id(&user.key())
        .await
        .expect("read")
        .expect("user");
    assert_eq!(after.password_hash, None);
    assert!(!after.must_change_password);

    // Later sign-ins match on the subject, whatever the email.
    let found = repo
        .candidates(ISSUER, "sub-1", Some("changed@elsewhere.org"))
        .await
        .expect("candidates");
    assert_eq!(found.by_subject.map(|u| u.key()), Some(user.key()));
    assert!(found.by_email.is_none());
    // The same email seen from another subject shows the user as linked.
    let found = repo
        .candidates(ISSUER, "sub-2", Some("a@example.org"))
        .await
        .expect("candidates");
    assert!(found.by_subject.is_none());
    assert!(found.by_email.expect("by email").1);

    // A second link for the user, or for the subject, is refused.
    assert!(matches!(
        repo.link(&user.key(), ISSUER, "sub-2", "a@example.org")
            .await,
        Err(AppError::Conflict(_))
    ));
    let other = invited(&db, "b@example.org").await;
    assert!(matches!(
        repo.link(&other.key(), ISSUER, "sub-1", "b@example.org")
            .await,
        Err(AppError::Conflict(_))
    ));

    repo.touch(ISSUER, "sub-1", Some("new@example.org"))
        .await
        .expect("touch");
    let links = repo.links().await.expect("links");
    assert_eq!(links.len(), 1);
    assert_eq!(links[&user.key()].email, "new@example.org");
    assert_eq!(links[&user.key()].subject, "sub-1");

    assert!(repo.unlink(&user.key()).await.expect("unlink"));
    assert!(!repo.unlink(&user.key()).await.expect("unlink again"));
    assert!(repo.links().await.expect("links").is_empty());
}

#[tokio::test]
async fn a_user_with_a_chosen_password_keeps_it_when_linked() {
    let db = fresh("sso_keep_password").await;
    let repo = SsoRepo::new(db.clone());
    let user = AuthRepo::new(db.clone())
        .create_user(NewUser {
            email: "c@example.org",
            name: "Chosen",
            password_hash: Some("chosen hash"),
            role: Role::Lead,
            must_change_password: false,
        })
        .await
        .expect("user");
    repo.link(&user.key(), ISSUER, "sub-c", "c@example.org")
        .await
        .expect("link");
    let after = AuthRepo::new(db)
        .user_by_id(&user.key())
        .await
        .expect("read")
        .expect("user");
    assert_eq!(after.password_hash.as_deref(), Some("chosen hash"));
}

#[tokio::test]
async fn a_first_sign_in_creates_a_linked_user_once() {
    let db = fresh("sso_create").await;
    let repo = SsoRepo::new(db.clone());
    let user = repo
        .create_linked_user("new@example.org", "New", Role::Member, ISSUER, "sub-n")
        .await
        .expect("create");
    assert_eq!(user.email, "new@example.org");
    assert_eq!(user.password_hash, None);
    assert_eq!(user.role(), Role::Member);
    let found = repo
        .candidates(ISSUER, "sub-n", None)
        .await
        .expect("candidates");
    assert_eq!(found.by_subject.map(|u| u.key()), Some(user.key()));
    // The same subject again, or the same email: refused, nothing half-written.
    assert!(matches!(
        repo.create_linked_user("other@example.org", "Other", Role::Member, ISSUER, "sub-n")
            .await,
        Err(AppError::Conflict(_))
    ));
    assert!(matches!(
        repo.create_linked_user("new@example.org", "New", Role::Member, ISSUER, "sub-m")
            .await,
        Err(AppError::Conflict(_))
    ));
    assert!(
        AuthRepo::new(db.clone())
            .user_by_email("other@example.org")
            .await
            .expect("read")
            .is_none()
    );
    assert_eq!(repo.links().await.expect("links").len(), 1);
}
