//! Form fields every domain reads the same way: dates, optional dates, bounded text and
//! checkboxes. Each names its field in the error, so the message shows next to it.

use chrono::NaiveDate;

use crate::error::AppError;

/// Parses a `YYYY-MM-DD` date from a form field.
pub fn parse_date(field: &str, value: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::field(field, "Enter a date as YYYY-MM-DD."))
}

/// Parses an optional `YYYY-MM-DD` date (empty means none).
pub fn parse_opt_date(field: &str, value: &str) -> Result<Option<NaiveDate>, AppError> {
    if value.trim().is_empty() {
        Ok(None)
    } else {
        parse_date(field, value).map(Some)
    }
}

/// Checks free text: at most `max` characters.
pub fn check_text(field: &str, value: &str, max: usize) -> Result<String, AppError> {
    if value.chars().count() > max {
        return Err(AppError::field(
            field,
            format!("Use at most {max} characters."),
        ));
    }
    Ok(value.trim().to_string())
}

/// Parses a checkbox or `true`/`false` field: absent, empty or `false` is false.
pub fn parse_flag(field: &str, value: &str) -> Result<bool, AppError> {
    match value.trim() {
        "" | "false" | "off" => Ok(false),
        "true" | "on" => Ok(true),
        _ => Err(AppError::field(field, "Expected true or false.")),
    }
}
