//! Single sign-on with OpenID Connect: the rules of its settings, which account a sign-in
//! reaches, and the messages people see when it fails. No I/O: the flow itself (discovery,
//! the code exchange, the token's checks) is `app::auth::sso`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Role;

/// What an admin may choose about SSO sign-ins, apart from the provider's address and secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SsoPolicy {
    /// Email domains allowed to sign in through SSO (lowercase, no `@`); empty: any domain.
    pub allowed_domains: Vec<String>,
    /// Whether a first sign-in without an account creates one (else an admin invites first).
    pub self_registration: bool,
    /// The role of a user created by a first sign-in.
    pub default_role: Role,
    /// Count every email the provider gives as verified (for providers whose tokens carry no
    /// `email_verified`, such as Microsoft Entra ID, where the tenant owns its domains).
    pub trust_email: bool,
}

impl Default for SsoPolicy {
    fn default() -> Self {
        Self {
            allowed_domains: Vec::new(),
            self_registration: false,
            default_role: Role::Member,
            trust_email: false,
        }
    }
}

/// What the sign-in page needs to know (anyone may ask).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInOptions {
    /// The label of the SSO button ("Sign in with …"); `None` when SSO is not configured.
    pub sso_name: Option<String>,
    /// Whether the email-and-password form is on.
    pub password_sign_in: bool,
    /// The domains SSO is open to (for the message when one is refused).
    pub allowed_domains: Vec<String>,
}

/// What Admin → Settings shows about SSO. The client secret is never part of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SsoStatus {
    /// Whether OpenID Connect sign-in is configured.
    pub enabled: bool,
    /// The provider's issuer URL.
    pub issuer: String,
    /// The client id registered at the provider.
    pub client_id: String,
    /// Whether a client secret is set (the secret itself is never shown).
    pub client_secret_set: bool,
    /// The provider's name on the sign-in button.
    pub display_name: String,
    /// The redirect URI to register at the provider.
    pub redirect_uri: String,
    /// Email domains allowed to sign in; empty: any.
    pub allowed_domains: Vec<String>,
    /// Whether a first sign-in creates an account.
    pub self_registration: bool,
    /// Whether every email from the provider counts as verified.
    pub trust_email: bool,
    /// The role of accounts a first sign-in creates.
    pub default_role: Role,
    /// Whether the email-and-password form is on.
    pub password_sign_in: bool,
}

/// A user's link to an account at the identity provider.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SsoLinkInfo {
    /// The provider's issuer URL.
    pub issuer: String,
    /// The account's subject identifier at the provider.
    pub subject: String,
    /// The email address the provider gave at the last sign-in.
    pub email: String,
    /// When the link was made.
    pub linked_at: DateTime<Utc>,
    /// The last sign-in through it.
    pub last_used_at: DateTime<Utc>,
}

/// Who the provider says signed in, from the verified ID token and UserInfo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SsoIdentity {
    /// The subject identifier (stable at the provider).
    pub subject: String,
    /// The email address, when shared.
    pub email: Option<String>,
    /// Whether the provider verified that address (absent counts as not verified).
    pub email_verified: bool,
    /// The person's name, when shared.
    pub name: Option<String>,
}

/// A Touchpoint user as the decision needs them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownUser {
    /// User id.
    pub id: String,
    /// Whether they may sign in.
    pub active: bool,
    /// Whether they are linked to some account at this provider already.
    pub linked: bool,
}

/// What a sign-in through the provider does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SsoDecision {
    /// A linked user signs in.
    SignIn {
        /// User id.
        user: String,
    },
    /// The user with the verified email is linked to the provider's account, then signs in.
    Link {
        /// User id.
        user: String,
    },
    /// A new user is created (self-registration) and linked.
    Create {
        /// Normalised email.
        email: String,
        /// Display name.
        name: String,
        /// Role.
        role: Role,
    },
}

/// Why an SSO sign-in did not go through. Each has its own message on the sign-in page; the
/// sign-in page gets only the code (`/login?sso=<code>`), never the provider's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SsoFailure {
    /// SSO is not configured.
    Off,
    /// The `state` is missing, unknown, used or expired, or not this browser's.
    State,
    /// The provider refused the code (expired, or used before).
    Code,
    /// The person cancelled, or the provider refused, at the provider.
    Denied,
    /// The provider cannot be reached, or answered with an error.
    Unreachable,
    /// The ID token or UserInfo failed a check (signature, issuer, audience, expiry, nonce).
    Invalid,
    /// No email address was shared.
    NoEmail,
    /// The email address is not verified by the provider.
    Unverified,
    /// The email's domain is not among the allowed ones.
    Domain,
    /// No account matches, and first sign-ins do not create one.
    NoAccount,
    /// The account is deactivated.
    Deactivated,
    /// The account with this email is linked to another account at the provider.
    LinkedElsewhere,
}

impl SsoFailure {
    /// Every failure.
    pub const ALL: [SsoFailure; 12] = [
        SsoFailure::Off,
        SsoFailure::State,
        SsoFailure::Code,
        SsoFailure::Denied,
        SsoFailure::Unreachable,
        SsoFailure::Invalid,
        SsoFailure::NoEmail,
        SsoFailure::Unverified,
        SsoFailure::Domain,
        SsoFailure::NoAccount,
        SsoFailure::Deactivated,
        SsoFailure::LinkedElsewhere,
    ];

    /// The code in the sign-in page's address and in the audit log.
    pub fn code(self) -> &'static str {
        match self {
            SsoFailure::Off => "off",
            SsoFailure::State => "state",
            SsoFailure::Code => "code",
            SsoFailure::Denied => "denied",
            SsoFailure::Unreachable => "unreachable",
            SsoFailure::Invalid => "invalid",
            SsoFailure::NoEmail => "no_email",
            SsoFailure::Unverified => "unverified",
            SsoFailure::Domain => "domain",
            SsoFailure::NoAccount => "no_account",
            SsoFailure::Deactivated => "deactivated",
            SsoFailure::LinkedElsewhere => "linked_elsewhere",
        }
    }

    /// Parses a code; unknown codes are `None` (and show nothing).
    pub fn parse(code: &str) -> Option<SsoFailure> {
        SsoFailure::ALL.into_iter().find(|f| f.code() == code)
    }

    /// What the person reads on the sign-in page. `provider` is the button's name.
    pub fn message(self, provider: &str, allowed_domains: &[String]) -> String {
        match self {
            SsoFailure::Off => "Single sign-on is not set up on this server.".into(),
            SsoFailure::State => "That sign-in could not be matched to this browser: it was \
                started in another browser, took longer than 10 minutes, or was already used. \
                Please try again."
                .into(),
            SsoFailure::Code => format!(
                "The sign-in code from {provider} has expired or was already used. Please try again."
            ),
            SsoFailure::Denied => format!("The sign-in at {provider} was cancelled or refused."),
            SsoFailure::Unreachable => format!(
                "{provider} cannot be reached right now. Please try again in a few minutes."
            ),
            SsoFailure::Invalid => format!(
                "The answer from {provider} could not be verified, so you are not signed in. \
                 Please try again; if it keeps happening, tell your admin."
            ),
            SsoFailure::NoEmail => format!(
                "{provider} did not share your email address. Allow Touchpoint to read it, then \
                 try again."
            ),
            SsoFailure::Unverified => format!(
                "{provider} has not verified your email address, so it cannot be used to sign \
                 in to Touchpoint. Verify it at {provider}, then try again."
            ),
            SsoFailure::Domain => {
                let list = allowed_domains
                    .iter()
                    .map(|d| format!("@{d}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                if list.is_empty() {
                    format!("Your email domain may not sign in with {provider}.")
                } else {
                    format!("Sign-in with {provider} is open to {list} addresses only.")
                }
            }
            SsoFailure::NoAccount => "There is no Touchpoint account for your email address. Ask \
                an admin to invite you."
                .into(),
            SsoFailure::Deactivated => {
                "Your Touchpoint account is deactivated. Ask an admin to reactivate it.".into()
            }
            SsoFailure::LinkedElsewhere => format!(
                "Your Touchpoint account is already linked to another {provider} account. Ask \
                 an admin to remove that link."
            ),
        }
    }
}

/// Whether `email` (normalised) is in one of `domains`; any email when `domains` is empty.
pub fn email_allowed(email: &str, domains: &[String]) -> bool {
    if domains.is_empty() {
        return true;
    }
    email
        .rsplit_once('@')
        .is_some_and(|(_, domain)| domains.iter().any(|d| d == domain))
}

/// Which account a verified sign-in reaches (DESIGN: accounts link by verified email, then
/// match on the provider's subject).
///
/// `by_subject` is the user linked to this subject, `by_email` the user whose email is the
/// one the provider gave. With allowed domains, every sign-in needs a verified email in them.
pub fn decide(
    identity: &SsoIdentity,
    by_subject: Option<&KnownUser>,
    by_email: Option<&KnownUser>,
    policy: &SsoPolicy,
) -> Result<SsoDecision, SsoFailure> {
    let email = identity
        .email
        .as_deref()
        .map(super::normalize_email)
        .filter(|e| !e.is_empty());
    let verified = identity.email_verified || policy.trust_email;
    if !policy.allowed_domains.is_empty() {
        let email = email.as_deref().ok_or(SsoFailure::NoEmail)?;
        if !verified {
            return Err(SsoFailure::Unverified);
        }
        if !email_allowed(email, &policy.allowed_domains) {
            return Err(SsoFailure::Domain);
        }
    }
    if let Some(user) = by_subject {
        return if user.active {
            Ok(SsoDecision::SignIn {
                user: user.id.clone(),
            })
        } else {
            Err(SsoFailure::Deactivated)
        };
    }
    let email = email.ok_or(SsoFailure::NoEmail)?;
    if !verified {
        return Err(SsoFailure::Unverified);
    }
    match by_email {
        Some(user) if !user.active => Err(SsoFailure::Deactivated),
        Some(user) if user.linked => Err(SsoFailure::LinkedElsewhere),
        Some(user) => Ok(SsoDecision::Link {
            user: user.id.clone(),
        }),
        None if policy.self_registration => Ok(SsoDecision::Create {
            name: name_for(identity.name.as_deref(), &email),
            email,
            role: policy.default_role,
        }),
        None => Err(SsoFailure::NoAccount),
    }
}

/// A display name for a new user: the provider's name (at most 100 characters), else the
/// email's local part.
fn name_for(name: Option<&str>, email: &str) -> String {
    let name: String = name.unwrap_or_default().trim().chars().take(100).collect();
    if name.is_empty() {
        email.split('@').next().unwrap_or(email).to_string()
    } else {
        name
    }
}

/// Parses the allowed domains setting: comma-separated, `@` optional, lowercase.
pub fn parse_domains(value: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for part in value.split(',') {
        let d = part.trim().trim_start_matches('@').to_lowercase();
        if d.is_empty() {
            continue;
        }
        let valid = d.contains('.')
            && !d.starts_with('.')
            && !d.ends_with('.')
            && !d.contains("..")
            && d.chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        if !valid {
            return Err(format!(
                "`{}` is not an email domain (such as example.org)",
                part.trim()
            ));
        }
        if !out.contains(&d) {
            out.push(d);
        }
    }
    Ok(out)
}

/// Checks the issuer URL: `https://`, or `http://` on this machine only (for trying it out);
/// no query or fragment. Returned as given (the provider's tokens must name it exactly).
#[cfg(feature = "ssr")]
pub fn check_issuer(value: &str) -> Result<String, String> {
    let value = value.trim();
    let url = url::Url::parse(value).map_err(|_| format!("`{value}` is not a URL"))?;
    let local = matches!(
        url.host(),
        Some(url::Host::Domain("localhost"))
            | Some(url::Host::Ipv4(std::net::Ipv4Addr::LOCALHOST))
            | Some(url::Host::Ipv6(std::net::Ipv6Addr::LOCALHOST))
    );
    match url.scheme() {
        "https" => {}
        "http" if local => {}
        _ => return Err("the issuer must be an https:// address".into()),
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("the issuer has no query or fragment".into());
    }
    Ok(value.to_string())
}

#[cfg(test)]
mod tests;
