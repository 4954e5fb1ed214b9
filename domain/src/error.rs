//! The one error type shared by server functions, the REST API and the UI.
//!
//! On the wire every error has the shape `{ "error": { "code", "message", "field"? } }`, and the
//! HTTP status follows the code (see DESIGN.md, Interfaces).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

/// Application error. `Internal` carries an opaque message; details go to the log only.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AppError {
    /// Bad input, reported next to the named field (400 or 422).
    #[error("{message}")]
    Validation {
        /// The form or JSON field at fault, if any.
        field: Option<String>,
        /// A sentence a user can act on.
        message: String,
    },
    /// Not signed in, or the session ended (401).
    #[error("{0}")]
    Unauthorized(String),
    /// Signed in, but not allowed (403).
    #[error("{0}")]
    Forbidden(String),
    /// No such thing, or not visible to this user (404).
    #[error("{0}")]
    NotFound(String),
    /// The request clashes with the current state, such as a duplicate key (409).
    #[error("{0}")]
    Conflict(String),
    /// A value that must be unique is taken, such as a project key or an email (409), reported
    /// against its field.
    #[error("{message}")]
    Taken {
        /// The field whose value is taken.
        field: String,
        /// What the user sees next to the field.
        message: String,
    },
    /// Too many attempts (429).
    #[error("{0}")]
    RateLimited(String),
    /// Something broke on the server (500). The message is deliberately vague.
    #[error("{0}")]
    Internal(String),
}

const WRITE_CONFLICT: &str =
    "Someone else saved a change to the same records at the same moment. Try again.";

/// The stable error codes of the API.
pub const CODES: [&str; 7] = [
    "validation",
    "unauthorized",
    "forbidden",
    "not_found",
    "conflict",
    "rate_limited",
    "internal",
];

impl AppError {
    /// A validation error on one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Validation {
            field: Some(field.to_string()),
            message: message.into(),
        }
    }

    /// A transaction that lost a race with a concurrent write to the same records (409). Nothing
    /// of it was written; `store::db::retry_conflicts` runs such writes again.
    pub fn write_conflict() -> Self {
        Self::Conflict(WRITE_CONFLICT.into())
    }

    /// Whether this is a [`Self::write_conflict`].
    pub fn is_write_conflict(&self) -> bool {
        matches!(self, Self::Conflict(m) if m == WRITE_CONFLICT)
    }

    /// A uniqueness clash on one field (409 `conflict`).
    pub fn taken(field: &str, message: impl Into<String>) -> Self {
        Self::Taken {
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// A validation error not tied to a field.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::Validation {
            field: None,
            message: message.into(),
        }
    }

    /// The generic "please sign in" error.
    pub fn unauthorized() -> Self {
        Self::Unauthorized("Please sign in.".into())
    }

    /// The generic permission error.
    pub fn forbidden() -> Self {
        Self::Forbidden("You do not have permission to do that.".into())
    }

    /// A not-found error naming the kind of thing.
    pub fn not_found(what: &str) -> Self {
        Self::NotFound(format!("{what} not found."))
    }

    /// An internal error; the cause is logged, never sent.
    pub fn internal() -> Self {
        Self::Internal("Something went wrong on our side. Please try again.".into())
    }

    /// The wire code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Validation { .. } => "validation",
            Self::Unauthorized(_) => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound(_) => "not_found",
            Self::Conflict(_) | Self::Taken { .. } => "conflict",
            Self::RateLimited(_) => "rate_limited",
            Self::Internal(_) => "internal",
        }
    }

    /// The HTTP status for this error.
    pub fn status_code(&self) -> http::StatusCode {
        status_for_code(self.code())
    }

    /// The field at fault, for validation errors and uniqueness clashes.
    pub fn field_name(&self) -> Option<&str> {
        match self {
            Self::Validation { field, .. } => field.as_deref(),
            Self::Taken { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The message shown to the user.
    pub fn message(&self) -> String {
        self.to_string()
    }

    /// The message for `field`, if this error is about that field.
    pub fn message_for(&self, field: &str) -> Option<String> {
        (self.field_name() == Some(field)).then(|| self.message())
    }

    fn from_parts(code: &str, message: String, field: Option<String>) -> Self {
        match code {
            "validation" => Self::Validation { field, message },
            "unauthorized" => Self::Unauthorized(message),
            "forbidden" => Self::Forbidden(message),
            "not_found" => Self::NotFound(message),
            "conflict" => match field {
                Some(field) => Self::Taken { field, message },
                None => Self::Conflict(message),
            },
            "rate_limited" => Self::RateLimited(message),
            _ => Self::Internal(message),
        }
    }
}

/// The HTTP status that belongs to an error code.
pub fn status_for_code(code: &str) -> http::StatusCode {
    use http::StatusCode as S;
    match code {
        "validation" => S::UNPROCESSABLE_ENTITY,
        "unauthorized" => S::UNAUTHORIZED,
        "forbidden" => S::FORBIDDEN,
        "not_found" => S::NOT_FOUND,
        "conflict" => S::CONFLICT,
        "rate_limited" => S::TOO_MANY_REQUESTS,
        _ => S::INTERNAL_SERVER_ERROR,
    }
}

#[derive(Serialize, Deserialize)]
struct WireBody {
    code: String,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    field: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct Wire {
    error: WireBody,
}

impl Serialize for AppError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Wire {
            error: WireBody {
                code: self.code().to_string(),
                message: self.message(),
                field: self.field_name().map(str::to_string),
            },
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for AppError {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = Wire::deserialize(deserializer)?;
        Ok(Self::from_parts(
            &wire.error.code,
            wire.error.message,
            wire.error.field,
        ))
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(msg) | ServerFnErrorErr::MissingArg(msg) => {
                Self::invalid(format!("The request is malformed: {msg}"))
            }
            ServerFnErrorErr::Request(_) => {
                Self::Internal("Could not reach the server. Check your connection.".into())
            }
            _ => Self::internal(),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<surrealdb::Error> for AppError {
    fn from(err: surrealdb::Error) -> Self {
        if err.is_already_exists() {
            return Self::Conflict("That already exists.".into());
        }
        if err.query_details() == Some(&surrealdb::types::QueryError::TransactionConflict) {
            tracing::info!("write conflict with a concurrent change");
            return Self::write_conflict();
        }
        if err.query_details() == Some(&surrealdb::types::QueryError::NotExecuted) {
            // The first statement of a transaction that failed at its commit.
            tracing::info!("a transaction failed at its commit");
            return Self::write_conflict();
        }
        tracing::error!(error = %err, "database error");
        Self::internal()
    }
}

#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        (self.status_code(), axum::Json(self)).into_response()
    }
}

/// The result type of every server function.
pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_shape_round_trips() {
        let err = AppError::field("email", "Enter an email address.");
        let json = serde_json::to_value(&err).expect("serialise");
        assert_eq!(
            json,
            serde_json::json!({"error": {"code": "validation", "message": "Enter an email address.", "field": "email"}})
        );
        let back: AppError = serde_json::from_value(json).expect("deserialise");
        assert_eq!(back, err);
    }

    #[test]
    fn field_is_omitted_when_absent() {
        let json = serde_json::to_value(AppError::not_found("Project")).expect("serialise");
        assert_eq!(
            json,
            serde_json::json!({"error": {"code": "not_found", "message": "Project not found."}})
        );
    }

    #[test]
    fn status_follows_code() {
        assert_eq!(AppError::invalid("x").status_code(), 422);
        assert_eq!(AppError::unauthorized().status_code(), 401);
        assert_eq!(AppError::forbidden().status_code(), 403);
        assert_eq!(AppError::not_found("x").status_code(), 404);
        assert_eq!(AppError::Conflict("x".into()).status_code(), 409);
        let taken = AppError::taken("key", "A project with this key already exists.");
        assert_eq!(taken.status_code(), 409);
        assert_eq!(taken.code(), "conflict");
        assert_eq!(
            taken.message_for("key").as_deref(),
            Some("A project with this key already exists.")
        );
        let wire = serde_json::to_value(&taken).expect("wire");
        assert_eq!(wire["error"]["field"], "key");
        assert_eq!(wire["error"]["code"], "conflict");
        let back: AppError = serde_json::from_value(wire).expect("back");
        assert_eq!(back.field_name(), Some("key"));
        assert_eq!(back.code(), "conflict");
        assert_eq!(AppError::RateLimited("x".into()).status_code(), 429);
        assert_eq!(AppError::internal().status_code(), 500);
        for code in CODES {
            let e = AppError::from_parts(code, "m".into(), None);
            assert_eq!(e.code(), code);
        }
    }

    #[test]
    fn malformed_arguments_are_validation_errors() {
        let e = AppError::from_server_fn_error(ServerFnErrorErr::Args("bad".into()));
        assert_eq!(e.code(), "validation");
        assert_eq!(e.status_code(), 422);
    }
}
