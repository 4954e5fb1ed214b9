//! Workspace-wide settings: for now the time zone that dates and reports use.

use serde::{Deserialize, Serialize};

/// Workspace settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WorkspaceSettings {
    /// IANA time zone name; timestamps are shown and dated in it.
    pub time_zone: String,
}

impl Default for WorkspaceSettings {
    fn default() -> Self {
        Self {
            time_zone: "UTC".into(),
        }
    }
}

/// Common IANA zones offered in pickers (any valid name is accepted).
pub const COMMON_TIME_ZONES: &[&str] = &[
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Amsterdam",
    "Europe/Madrid",
    "Europe/Stockholm",
    "Europe/Helsinki",
    "Africa/Nairobi",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/Sao_Paulo",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
];

/// An IANA time zone name, as [`parse_time_zone`] takes it, in the REST API's OpenAPI document:
/// the schema lists every name the server knows.
#[cfg(feature = "ssr")]
pub struct TimeZone;

#[cfg(feature = "ssr")]
impl utoipa::PartialSchema for TimeZone {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .enum_values(Some(chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())))
            .description(Some("An IANA time zone name, e.g. `Europe/Berlin`."))
            .into()
    }
}

#[cfg(feature = "ssr")]
impl utoipa::ToSchema for TimeZone {}

/// Validates an IANA time zone name.
#[cfg(feature = "ssr")]
pub fn parse_time_zone(field: &str, name: &str) -> Result<chrono_tz::Tz, crate::error::AppError> {
    name.trim().parse::<chrono_tz::Tz>().map_err(|_| {
        crate::error::AppError::field(field, "Enter an IANA time zone such as Europe/Berlin.")
    })
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn time_zones_are_checked() {
        assert!(parse_time_zone("time_zone", "America/New_York").is_ok());
        assert!(parse_time_zone("time_zone", " UTC ").is_ok());
        let e = parse_time_zone("time_zone", "Mars/Olympus").expect_err("bad zone");
        assert_eq!(e.field_name(), Some("time_zone"));
        for tz in COMMON_TIME_ZONES {
            assert!(parse_time_zone("tz", tz).is_ok(), "{tz}");
        }
    }
}
