//! Single sign-on with OpenID Connect: the provider's metadata (discovery, with its keys), the
//! authorization request (code flow with PKCE, `state` and `nonce`), the code exchange, and
//! the checks of the ID token (signature, issuer, audience, expiry, nonce), then the email
//! from the ID token or UserInfo. Which account that reaches is `domain::auth::sso::decide`;
//! the browser's two routes are `sso_routes`.
//!
//! Nothing here logs a token, a code or the client secret: failures are logged by kind.

use std::fmt;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreErrorResponseType, CoreIdToken, CoreProviderMetadata,
    CoreUserInfoClaims,
};
use openidconnect::{
    AccessToken, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken,
    DiscoveryError, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, RequestTokenError, Scope, TokenResponse, UserInfoError,
};

pub use domain::auth::sso::*;

/// How long the provider's metadata and keys are kept before they are read again.
const METADATA_MAX_AGE: Duration = Duration::from_secs(3600);
/// How long a sign-in may stay at the provider.
pub const ATTEMPT_MINUTES: i64 = 10;

/// The provider and this client's registration (from the settings).
#[derive(Clone)]
pub struct SsoConfig {
    /// The issuer URL (discovery reads `<issuer>/.well-known/openid-configuration`).
    pub issuer: String,
    /// The client id registered at the provider.
    pub client_id: String,
    /// The client secret. Never shown, never logged.
    pub client_secret: String,
    /// The provider's name on the sign-in button.
    pub display_name: String,
    /// `<TOUCHPOINT_PUBLIC_URL>/auth/oidc/callback`.
    pub redirect_uri: String,
    /// Domains, first sign-ins, the new users' role.
    pub policy: SsoPolicy,
}

impl fmt::Debug for SsoConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SsoConfig")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<hidden>")
            .field("display_name", &self.display_name)
            .field("redirect_uri", &self.redirect_uri)
            .field("policy", &self.policy)
            .finish()
    }
}

/// The client with the endpoints discovery sets (authorization) or may set (token, UserInfo).
type Client = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

/// The path of the callback, below `TOUCHPOINT_PUBLIC_URL`.
pub const CALLBACK_PATH: &str = "/auth/oidc/callback";

/// The redirect URI for a public address.
pub fn redirect_uri(public_url: &str) -> String {
    format!("{}{CALLBACK_PATH}", public_url.trim_end_matches('/'))
}

/// A sign-in sent to the provider: where to send the browser, the `state` (for the browser's
/// cookie) and what the callback needs.
pub struct Begun {
    /// The provider's authorization URL with every parameter.
    pub url: String,
    /// The `state` parameter.
    pub state: String,
    /// The nonce and PKCE verifier, stored until the callback.
    pub attempt: store::sso::Attempt,
}

/// The client of one provider, with its metadata cached.
pub struct SsoClient {
    config: SsoConfig,
    http: reqwest::Client,
    metadata: tokio::sync::Mutex<Option<(CoreProviderMetadata, Instant)>>,
}

impl fmt::Debug for SsoClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SsoClient")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl SsoClient {
    /// A client for `config`. Nothing is fetched until the first sign-in, so Touchpoint starts
    /// while the provider is down.
    pub fn new(config: SsoConfig) -> Self {
        let http = reqwest::Client::builder()
            // Following redirects would open the client to SSRF (the library's advice).
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(15))
            .build()
            .unwrap_or_default();
        Self {
            config,
            http,
            metadata: tokio::sync::Mutex::new(None),
        }
    }

    /// The settings.
    pub fn config(&self) -> &SsoConfig {
        &self.config
    }

    /// The provider's metadata and keys, read again when older than `max_age`. One discovery
    /// at a time: concurrent sign-ins wait for it.
    async fn metadata(&self, max_age: Duration) -> Result<CoreProviderMetadata, SsoFailure> {
        let mut cached = self.metadata.lock().await;
        if let Some((metadata, at)) = cached.as_ref()
            && at.elapsed() < max_age
        {
            return Ok(metadata.clone());
        }
        let issuer = IssuerUrl::new(self.config.issuer.clone()).map_err(|_| {
            tracing::error!("the SSO issuer is not a URL");
            SsoFailure::Unreachable
        })?;
        match CoreProviderMetadata::discover_async(issuer, &self.http).await {
            Ok(metadata) => {
                *cached = Some((metadata.clone(), Instant::now()));
                Ok(metadata)
            }
            Err(e) => {
                let kind = match &e {
                    DiscoveryError::Request(_) => "the provider did not answer",
                    DiscoveryError::Response(..) => "the provider answered with an error",
                    DiscoveryError::Parse(_) => "the discovery document did not parse",
                    DiscoveryError::Validation(_) => "the discovery document names another issuer",
                    _ => "discovery failed",
                };
                tracing::warn!(issuer = %self.config.issuer, "SSO discovery: {kind}");
                // A stale copy is better than none while the provider is down.
                match cached.as_ref() {
                    Some((metadata, _)) if max_age == METADATA_MAX_AGE => Ok(metadata.clone()),
                    _ => Err(SsoFailure::Unreachable),
                }
            }
        }
    }

    fn client(&self, metadata: CoreProviderMetadata) -> Result<Client, SsoFailure> {
        let redirect = RedirectUrl::new(self.config.redirect_uri.clone()).map_err(|_| {
            tracing::error!("the SSO redirect URI is not a URL");
            SsoFailure::Invalid
        })?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            Some(ClientSecret::new(self.config.client_secret.clone())),
        )
        .set_redirect_uri(redirect))
    }

    /// Starts a sign-in: the authorization URL (code flow, PKCE S256, `state`, `nonce`, scopes
    /// `openid email profile`) and what the callback will need, valid for 10 minutes.
    pub async fn begin(&self, next: &str, now: DateTime<Utc>) -> Result<Begun, SsoFailure> {
        let client = self.client(self.metadata(METADATA_MAX_AGE).await?)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        Ok(Begun {
            url: url.to_string(),
            state: state.secret().clone(),
            attempt: store::sso::Attempt {
                nonce: nonce.secret().clone(),
                verifier: verifier.secret().clone(),
                next: next.to_string(),
                expires_at: now + chrono::Duration::minutes(ATTEMPT_MINUTES),
            },
        })
    }

    /// Finishes a sign-in: exchanges the code (with the PKCE verifier), checks the ID token,
    /// and reads the email from it or from UserInfo.
    pub async fn finish(
        &self,
        code: &str,
        attempt: &store::sso::Attempt,
        now: DateTime<Utc>,
    ) -> Result<SsoIdentity, SsoFailure> {
        let client = self.client(self.metadata(METADATA_MAX_AGE).await?)?;
        let request = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|_| {
                tracing::warn!("SSO: the provider has no token endpoint");
                SsoFailure::Unreachable
            })?;
        let response = request
            .set_pkce_verifier(PkceCodeVerifier::new(attempt.verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| {
                let (failure, kind) = match &e {
                    RequestTokenError::ServerResponse(r)
                        if *r.error() == CoreErrorResponseType::InvalidGrant =>
                    {
                        (SsoFailure::Code, "the code was refused (invalid_grant)")
                    }
                    RequestTokenError::ServerResponse(_) => (
                        SsoFailure::Unreachable,
                        "the token endpoint answered an error",
                    ),
                    RequestTokenError::Request(_) => {
                        (SsoFailure::Unreachable, "the token endpoint did not answer")
                    }
                    RequestTokenError::Parse(..) => {
                        (SsoFailure::Invalid, "the token response did not parse")
                    }
                    RequestTokenError::Other(_) => {
                        (SsoFailure::Unreachable, "the token request failed")
                    }
                };
                tracing::warn!("SSO code exchange: {kind}");
                failure
            })?;
        let id_token = response.id_token().ok_or_else(|| {
            tracing::warn!("SSO: the token response has no ID token");
            SsoFailure::Invalid
        })?;
        let mut identity = self.verify_id_token(id_token, &attempt.nonce, now).await?;
        if identity.email.is_none() || !identity.email_verified {
            self.add_user_info(&client, response.access_token().clone(), &mut identity)
                .await?;
        }
        Ok(identity)
    }

    /// Checks an ID token as of `now` (signature against the provider's keys, issuer, this
    /// client as its audience, expiry, the nonce) and returns who it names. A signature no
    /// known key verifies reads the provider's keys again once (they rotate), then fails. (ID
    /// tokens come only from the token endpoint, so no stranger can make it read them.)
    pub async fn verify_id_token(
        &self,
        id_token: &CoreIdToken,
        nonce: &str,
        now: DateTime<Utc>,
    ) -> Result<SsoIdentity, SsoFailure> {
        let nonce = Nonce::new(nonce.to_string());
        let mut max_age = METADATA_MAX_AGE;
        loop {
            let client = self.client(self.metadata(max_age).await?)?;
            let verifier = client.id_token_verifier().set_time_fn(move || now);
            match id_token.claims(&verifier, &nonce) {
                Ok(claims) => {
                    return Ok(SsoIdentity {
                        subject: claims.subject().as_str().to_string(),
                        email: claims.email().map(|e| e.as_str().to_string()),
                        email_verified: claims.email_verified().unwrap_or(false),
                        name: claims
                            .name()
                            .and_then(|n| n.get(None))
                            .map(|n| n.as_str().to_string()),
                    });
                }
                Err(ClaimsVerificationError::SignatureVerification(_))
                    if max_age == METADATA_MAX_AGE =>
                {
                    tracing::info!(
                        "SSO: no known key verifies the ID token; reading the keys again"
                    );
                    max_age = Duration::ZERO;
                }
                Err(e) => {
                    tracing::warn!("SSO: the ID token was refused: {}", claims_error_kind(&e));
                    return Err(SsoFailure::Invalid);
                }
            }
        }
    }

    /// [`Self::verify_id_token`] for a token in its compact form (as the token endpoint sends
    /// it); one that does not parse is refused.
    pub async fn verify_compact_id_token(
        &self,
        id_token: &str,
        nonce: &str,
        now: DateTime<Utc>,
    ) -> Result<SsoIdentity, SsoFailure> {
        let parsed: CoreIdToken = id_token.parse().map_err(|_| SsoFailure::Invalid)?;
        self.verify_id_token(&parsed, nonce, now).await
    }

    /// Fills in the email (and whether it is verified) from UserInfo, for the same subject.
    async fn add_user_info(
        &self,
        client: &Client,
        token: AccessToken,
        identity: &mut SsoIdentity,
    ) -> Result<(), SsoFailure> {
        let Ok(request) = client.user_info(
            token,
            Some(openidconnect::SubjectIdentifier::new(
                identity.subject.clone(),
            )),
        ) else {
            // No UserInfo endpoint: the ID token is all there is.
            return Ok(());
        };
        let claims: CoreUserInfoClaims = request.request_async(&self.http).await.map_err(|e| {
            let (failure, kind) = match &e {
                UserInfoError::ClaimsVerification(_) => {
                    (SsoFailure::Invalid, "UserInfo names another subject")
                }
                UserInfoError::Parse(_) => (SsoFailure::Invalid, "UserInfo did not parse"),
                UserInfoError::Request(_) => (SsoFailure::Unreachable, "UserInfo did not answer"),
                UserInfoError::Response(..) => {
                    (SsoFailure::Unreachable, "UserInfo answered an error")
                }
                _ => (SsoFailure::Unreachable, "UserInfo failed"),
            };
            tracing::warn!("SSO: {kind}");
            failure
        })?;
        if let Some(email) = claims.email() {
            identity.email = Some(email.as_str().to_string());
            identity.email_verified = claims.email_verified().unwrap_or(false);
        }
        if identity.name.is_none() {
            identity.name = claims
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().to_string());
        }
        Ok(())
    }
}

/// A short, secret-free description of a refused ID token, for the log.
fn claims_error_kind(e: &ClaimsVerificationError) -> &'static str {
    match e {
        ClaimsVerificationError::Expired(_) => "expired",
        ClaimsVerificationError::InvalidAudience(_) => "not for this client (audience)",
        ClaimsVerificationError::InvalidIssuer(_) => "from another issuer",
        ClaimsVerificationError::InvalidNonce(_) => "nonce mismatch",
        ClaimsVerificationError::InvalidSubject(_) => "invalid subject",
        ClaimsVerificationError::SignatureVerification(_) => "bad signature",
        ClaimsVerificationError::Unsupported(_) => "unsupported",
        _ => "invalid claims",
    }
}

/// What a sign-in's `state` is stored under: its SHA-256.
pub fn state_key(state: &str) -> String {
    store::secrets::hash_token(state)
}
