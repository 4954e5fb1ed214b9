use super::*;

fn identity(email: Option<&str>, verified: bool) -> SsoIdentity {
    SsoIdentity {
        subject: "sub-1".into(),
        email: email.map(str::to_string),
        email_verified: verified,
        name: Some("  Sam Example ".into()),
    }
}

fn user(id: &str, active: bool, linked: bool) -> KnownUser {
    KnownUser {
        id: id.into(),
        active,
        linked,
    }
}

fn policy(domains: &[&str], self_registration: bool) -> SsoPolicy {
    SsoPolicy {
        allowed_domains: domains.iter().map(|d| d.to_string()).collect(),
        self_registration,
        default_role: Role::Lead,
        trust_email: false,
    }
}

#[test]
fn a_linked_subject_signs_in_even_after_the_email_changed() {
    let id = identity(Some("new.address@elsewhere.org"), false);
    let linked = user("u1", true, true);
    let other = user("u2", true, false);
    assert_eq!(
        decide(&id, Some(&linked), Some(&other), &policy(&[], false)),
        Ok(SsoDecision::SignIn { user: "u1".into() })
    );
    // Without any email at all, too.
    let id = identity(None, false);
    assert_eq!(
        decide(&id, Some(&linked), None, &policy(&[], false)),
        Ok(SsoDecision::SignIn { user: "u1".into() })
    );
}

#[test]
fn a_deactivated_user_cannot_sign_in_linked_or_not() {
    let id = identity(Some("a@example.org"), true);
    let off = user("u1", false, true);
    assert_eq!(
        decide(&id, Some(&off), None, &policy(&[], true)),
        Err(SsoFailure::Deactivated)
    );
    let off = user("u1", false, false);
    assert_eq!(
        decide(&id, None, Some(&off), &policy(&[], true)),
        Err(SsoFailure::Deactivated)
    );
}

#[test]
fn a_verified_email_links_to_the_existing_user() {
    let id = identity(Some(" A@Example.ORG "), true);
    let existing = user("u7", true, false);
    assert_eq!(
        decide(&id, None, Some(&existing), &policy(&[], false)),
        Ok(SsoDecision::Link { user: "u7".into() })
    );
}

#[test]
fn an_unverified_email_is_never_linked_or_registered() {
    let id = identity(Some("a@example.org"), false);
    let existing = user("u7", true, false);
    assert_eq!(
        decide(&id, None, Some(&existing), &policy(&[], true)),
        Err(SsoFailure::Unverified)
    );
    assert_eq!(
        decide(&id, None, None, &policy(&[], true)),
        Err(SsoFailure::Unverified)
    );
}

#[test]
fn a_trusted_provider_s_emails_count_as_verified() {
    let id = identity(Some("a@example.org"), false);
    let existing = user("u7", true, false);
    let mut trusting = policy(&["example.org"], false);
    trusting.trust_email = true;
    assert_eq!(
        decide(&id, None, Some(&existing), &trusting),
        Ok(SsoDecision::Link { user: "u7".into() })
    );
    // The domains still apply.
    let outside = identity(Some("a@elsewhere.org"), false);
    assert_eq!(
        decide(&outside, None, None, &trusting),
        Err(SsoFailure::Domain)
    );
}

#[test]
fn no_email_means_no_link() {
    let id = identity(None, true);
    assert_eq!(
        decide(&id, None, None, &policy(&[], true)),
        Err(SsoFailure::NoEmail)
    );
    let id = identity(Some("   "), true);
    assert_eq!(
        decide(&id, None, None, &policy(&[], true)),
        Err(SsoFailure::NoEmail)
    );
}

#[test]
fn a_user_linked_to_another_subject_is_not_relinked() {
    let id = identity(Some("a@example.org"), true);
    let taken = user("u7", true, true);
    assert_eq!(
        decide(&id, None, Some(&taken), &policy(&[], false)),
        Err(SsoFailure::LinkedElsewhere)
    );
}

#[test]
fn unknown_users_need_self_registration() {
    let id = identity(Some("New@Example.org"), true);
    assert_eq!(
        decide(&id, None, None, &policy(&[], false)),
        Err(SsoFailure::NoAccount)
    );
    assert_eq!(
        decide(&id, None, None, &policy(&[], true)),
        Ok(SsoDecision::Create {
            email: "new@example.org".into(),
            name: "Sam Example".into(),
            role: Role::Lead,
        })
    );
    // Without a name, the email's local part.
    let mut nameless = identity(Some("kim@example.org"), true);
    nameless.name = Some("   ".into());
    assert!(matches!(
        decide(&nameless, None, None, &policy(&[], true)),
        Ok(SsoDecision::Create { name, .. }) if name == "kim"
    ));
}

#[test]
fn allowed_domains_apply_to_every_sign_in() {
    let p = policy(&["example.org"], true);
    let linked = user("u1", true, true);
    // A linked user whose address moved out of the allowed domains.
    let moved = identity(Some("a@elsewhere.org"), true);
    assert_eq!(
        decide(&moved, Some(&linked), None, &p),
        Err(SsoFailure::Domain)
    );
    // A linked user whose address is no longer verified.
    let unverified = identity(Some("a@example.org"), false);
    assert_eq!(
        decide(&unverified, Some(&linked), None, &p),
        Err(SsoFailure::Unverified)
    );
    let fine = identity(Some("a@Example.org"), true);
    assert_eq!(
        decide(&fine, Some(&linked), None, &p),
        Ok(SsoDecision::SignIn { user: "u1".into() })
    );
    // A subdomain is another domain.
    let sub = identity(Some("a@eu.example.org"), true);
    assert_eq!(decide(&sub, None, None, &p), Err(SsoFailure::Domain));
    // Without an email, nothing to check the domain of.
    let none = identity(None, true);
    assert_eq!(
        decide(&none, Some(&linked), None, &p),
        Err(SsoFailure::NoEmail)
    );
}

#[test]
fn email_domains_match_exactly() {
    let domains = vec!["example.org".to_string()];
    assert!(email_allowed("a@example.org", &domains));
    assert!(!email_allowed("a@example.org.evil.test", &domains));
    assert!(!email_allowed("a@notexample.org", &domains));
    assert!(!email_allowed("example.org", &domains));
    assert!(email_allowed("anything", &[]));
}

#[test]
fn domains_parse_from_the_setting() {
    assert_eq!(
        parse_domains(" Example.org, @corp.example.com ,,example.org").expect("valid"),
        vec!["example.org".to_string(), "corp.example.com".to_string()]
    );
    assert_eq!(parse_domains("").expect("empty"), Vec::<String>::new());
    for bad in [
        "localhost",
        "exa mple.org",
        ".example.org",
        "a..b",
        "example.org.",
    ] {
        assert!(parse_domains(bad).is_err(), "{bad}");
    }
}

#[test]
fn failures_round_trip_through_their_codes_and_say_what_to_do() {
    for f in SsoFailure::ALL {
        assert_eq!(SsoFailure::parse(f.code()), Some(f));
        let m = f.message("Acme ID", &[]);
        assert!(m.ends_with('.'), "{m}");
    }
    assert_eq!(SsoFailure::parse("<script>"), None);
    // Distinct messages for distinct failures.
    let mut messages: Vec<String> = SsoFailure::ALL
        .iter()
        .map(|f| f.message("Acme ID", &[]))
        .collect();
    messages.sort();
    messages.dedup();
    assert_eq!(messages.len(), SsoFailure::ALL.len());
    assert_eq!(
        SsoFailure::Domain.message("Acme ID", &["example.org".into(), "example.com".into()]),
        "Sign-in with Acme ID is open to @example.org, @example.com addresses only."
    );
    assert!(
        SsoFailure::Unreachable
            .message("Acme ID", &[])
            .contains("Acme ID")
    );
}

#[cfg(feature = "ssr")]
#[test]
fn issuers_must_be_https_except_on_this_machine() {
    assert!(check_issuer("https://id.example.org/realms/main").is_ok());
    assert!(check_issuer("http://127.0.0.1:8080").is_ok());
    assert!(check_issuer("http://localhost:8080/").is_ok());
    assert!(check_issuer("http://id.example.org").is_err());
    assert!(check_issuer("ftp://id.example.org").is_err());
    assert!(check_issuer("https://id.example.org/?x=1").is_err());
    assert!(check_issuer("not a url").is_err());
    // Kept as given: a trailing slash is part of some providers' issuer.
    assert_eq!(
        check_issuer(" https://accounts.example.org/ ").expect("valid"),
        "https://accounts.example.org/"
    );
}
