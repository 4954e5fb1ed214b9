"""Schemathesis hooks of the API fuzzing (scripts/fuzz.sh, loaded by scripts/schemathesis.toml).

`--checks all` holds the server to the OpenAPI document both ways: schema-valid requests must be
accepted (`positive_data_acceptance`) and schema-violating ones refused
(`negative_data_rejection`). A few rules cannot be written in JSON Schema. This hook drops the
failures that such a rule explains, and nothing else: each entry names the operation, the field
the server's 422 names and the rule. Every other failure still fails the run.
"""

import json
import re

import schemathesis

# (operation, field of the 422) -> the rule the document cannot state. Mostly references to
# records that must exist, and rules between fields or against today's date.
RULES = {
    ("POST /projects", "lead"): "an active user's id",
    ("PATCH /projects/{key}", "lead"): "an active user's id",
    ("POST /projects/{key}/members", "user_id"): "an existing user's id",
    # The path's user must exist (answered 422, not 404), and the accountable lead stays lead.
    ("PATCH /projects/{key}/members/{user}", "user_id"): "an existing user's id",
    ("PATCH /projects/{key}/members/{user}", "role"): "the accountable lead stays lead",
    ("POST /projects/{key}/sprints", "end_on"): "on or after start_on, at most 42 days later",
    ("PATCH /projects/{key}/sprints/{number}", "end_on"): "on or after start_on, at most 42 days later",
    ("PUT /projects/{key}/sprints/{number}/review", "attendee_users"): "existing users' ids",
    ("PUT /projects/{key}/sprints/{number}/review", "attendee_stakeholders"): "existing stakeholders' ids",
    ("POST /projects/{key}/sprints/{number}/retro/items", "column"): "a column of the retro's format",
    ("POST /projects/{key}/sprints/{number}/retro/action-items", "owner"): "an existing user's id",
    ("PATCH /projects/{key}/sprints/{number}/retro/action-items/{id}", "owner"): "an existing user's id",
    ("PUT /projects/{key}/readiness", ".owner"): "an active user's id",
    ("POST /projects/{key}/dq-issues", "source_owner"): "an existing stakeholder's id",
    ("POST /projects/{key}/dq-issues", "reported_upstream_on"): "not before opened_on",
    ("POST /projects/{key}/dq-issues", "resolved_on"): "exactly for closed statuses, not before opened_on",
    ("PATCH /projects/{key}/dq-issues/{id}", "source_owner"): "an existing stakeholder's id",
    ("PATCH /projects/{key}/dq-issues/{id}", "reported_upstream_on"): "not before opened_on",
    ("PATCH /projects/{key}/dq-issues/{id}", "resolved_on"): "exactly for closed statuses, not before opened_on",
    ("POST /stakeholders", "consented_on"): "not in the future; needed to keep attributes",
    ("POST /stakeholders", "attributes"): "dimensions differ without regard to case",
    ("POST /stakeholders", "email"): "at most 254 bytes of UTF-8",
    ("PATCH /stakeholders/{id}", "consented_on"): "not in the future; needed to keep attributes",
    ("PATCH /stakeholders/{id}", "attributes"): "dimensions differ without regard to case",
    ("PATCH /stakeholders/{id}", "email"): "at most 254 bytes of UTF-8",
    ("POST /stakeholders/{id}/merge", "into"): "another existing stakeholder's id",
    ("POST /projects/{key}/interviews", "participants"): "existing stakeholders, or new_participant_name",
    ("POST /projects/{key}/interviews", "interviewers"): "existing users' ids",
    ("POST /projects/{key}/interviews", "scheduled_local"): "a start is needed; a skipped local time is refused",
    ("PATCH /projects/{key}/interviews/{id}", "participants"): "existing stakeholders' ids",
    ("PATCH /projects/{key}/interviews/{id}", "interviewers"): "existing users' ids",
    ("PATCH /projects/{key}/interviews/{id}", "scheduled_local"): "a skipped local time is refused",
    ("POST /projects/{key}/feedback", "stakeholder"): "an existing stakeholder's id, or author_name",
    ("POST /projects/{key}/feedback", "sprint"): "one of the project's sprints",
    ("POST /projects/{key}/feedback", "given_on"): "not in the future",
    ("POST /projects/{key}/feedback", "body"): "a body or a rating",
    ("PATCH /projects/{key}/feedback/{id}", "addressed_in"): "one of the project's sprints, only when planned or addressed",
    ("POST /projects/{key}/invites", "sprint"): "one of the project's sprints",
    ("POST /projects/{key}/invites", "stakeholder"): "an existing stakeholder's id",
    ("POST /projects/{key}/webhooks", "url"): "an http(s) address that is not private (unless an admin allows it)",
    ("PUT /projects/{key}/webhooks/{id}", "url"): "an http(s) address that is not private (unless an admin allows it)",
}

# serde reads JSON integers only without a fraction: `2.0` is refused where `2` is read, while
# JSON Schema counts both as the integer 2.
WHOLE_FLOAT = re.compile(r"invalid type: floating point `-?[0-9]+\.0`, expected [iu](8|16|32|64)")


def _error(response):
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else None


def _explained_rejection(failure, case, response):
    if response.status_code != 422:
        return False
    error = _error(response)
    if error is None:
        return False
    if WHOLE_FLOAT.search(error.get("message") or ""):
        return True
    field = error.get("field") or ""
    label = case.operation.label
    return (label, field) in RULES or any(
        op == label and name.startswith(".") and field.endswith(name) for op, name in RULES
    )


# Body fields where the server reads an empty string as an absent field (forms send empty
# fields): the default, or none. The document lists only the values and `null`.
EMPTY_IS_ABSENT = {
    "POST /projects": {"started_on", "status", "ml_needed"},
    "PATCH /projects/{key}": {"started_on", "status", "ml_needed"},
    "POST /projects/{key}/sprints": {"start_on", "end_on"},
    "PUT /projects/{key}/sprints/{number}/review": {"outcome"},
    "PUT /projects/{key}/sprints/{number}/retro": {"held_on", "format"},
    "POST /projects/{key}/dq-issues": {"opened_on", "reported_upstream_on", "resolved_on", "status"},
    "PATCH /projects/{key}/dq-issues/{id}": {"opened_on", "reported_upstream_on", "resolved_on"},
    "POST /stakeholders": {"consented_on"},
    "PATCH /stakeholders/{id}": {"consented_on"},
    "POST /projects/{key}/interviews": {"kind", "new_participant_function"},
    "PATCH /projects/{key}/interviews/{id}": {"kind", "status"},
    "POST /projects/{key}/feedback": {"given_on", "author_function", "category"},
}

INVALID_BODY_FIELD = re.compile(r"Invalid component: in body - ([A-Za-z_]+):")


def _explained_acceptance(failure, case):
    # serde also reads a struct from a JSON array of its fields in order (`[null, null]` for two
    # optional ones); the document describes only the object.
    if isinstance(case.body, list):
        return True
    match = INVALID_BODY_FIELD.search(failure.message or "")
    if match is None or not isinstance(case.body, dict):
        return False
    field = match.group(1)
    return case.body.get(field) == "" and field in EMPTY_IS_ABSENT.get(case.operation.label, ())


@schemathesis.hook
def filter_failure(context, failure, case, response):
    if failure.code == "ST202" and _explained_rejection(failure, case, response):
        return False
    if failure.code == "ST201" and _explained_acceptance(failure, case):
        return False
    return True
