use super::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 29).expect("date")
}

fn form() -> StakeholderForm {
    StakeholderForm {
        name: " Robin Example ".into(),
        function: "end_user".into(),
        ..StakeholderForm::default()
    }
}

#[test]
fn a_minimal_form_is_valid_and_keeps_private_fields() {
    let v = form().validate(false, today()).expect("valid");
    assert_eq!(v.name, "Robin Example");
    assert_eq!(v.function, Function::EndUser);
    assert_eq!(v.email, None);
    assert_eq!(v.attributes, None);
    assert_eq!(v.consented_on, None);
    assert!(!v.touches_private());
    assert!(!v.withdraws_consent);
}

#[test]
fn bad_fields_are_reported_against_their_field() {
    let cases = [
        (
            StakeholderForm {
                name: "  ".into(),
                ..form()
            },
            "name",
        ),
        (
            StakeholderForm {
                name: "x".repeat(121),
                ..form()
            },
            "name",
        ),
        (
            StakeholderForm {
                function: "".into(),
                ..form()
            },
            "function",
        ),
        (
            StakeholderForm {
                function: "wizard".into(),
                ..form()
            },
            "function",
        ),
        (
            StakeholderForm {
                email: Some("not-an-email".into()),
                ..form()
            },
            "email",
        ),
        (
            StakeholderForm {
                organization: "o".repeat(121),
                ..form()
            },
            "organization",
        ),
        (
            StakeholderForm {
                title: "a\nb".into(),
                ..form()
            },
            "title",
        ),
        (
            StakeholderForm {
                notes: "n".repeat(MAX_NOTES + 1),
                ..form()
            },
            "notes",
        ),
        (
            StakeholderForm {
                consented_on: Some("2026-02-30".into()),
                ..form()
            },
            "consented_on",
        ),
        (
            StakeholderForm {
                consented_on: Some("2026-11-30".into()),
                ..form()
            },
            "consented_on",
        ),
        (
            StakeholderForm {
                attributes: Some("no colon here".into()),
                consented_on: Some("2026-01-01".into()),
                ..form()
            },
            "attributes",
        ),
    ];
    for (f, field) in cases {
        let e = f.validate(false, today()).expect_err(field);
        assert_eq!(e.field_name(), Some(field), "{f:?}");
    }
}

#[test]
fn emails_are_normalised_and_can_be_cleared() {
    let v = StakeholderForm {
        email: Some(" Robin@Example.ORG ".into()),
        ..form()
    }
    .validate(false, today())
    .expect("valid");
    assert_eq!(v.email, Some(Some("robin@example.org".into())));
    let v = StakeholderForm {
        email: Some("".into()),
        ..form()
    }
    .validate(false, today())
    .expect("valid");
    assert_eq!(v.email, Some(None));
}

#[test]
fn attributes_need_a_consent_date() {
    let f = StakeholderForm {
        attributes: Some("gender: woman".into()),
        ..form()
    };
    let e = f.validate(false, today()).expect_err("no consent");
    assert_eq!(e.field_name(), Some("consented_on"));
    let f = StakeholderForm {
        attributes: Some("gender: woman".into()),
        consented_on: Some("".into()),
        ..form()
    };
    assert_eq!(
        f.validate(false, today()).expect_err("empty").field_name(),
        Some("consented_on")
    );

    let f = StakeholderForm {
        attributes: Some("gender: woman\n\nbackground : rural ".into()),
        consented_on: Some("2026-11-29".into()),
        ..form()
    };
    let v = f.validate(false, today()).expect("valid");
    let attrs = v.attributes.expect("attributes");
    assert_eq!(attrs.get("gender").map(String::as_str), Some("woman"));
    assert_eq!(attrs.get("background").map(String::as_str), Some("rural"));
    assert_eq!(v.consented_on, Some(Some(today())));

    // With consent already recorded, attributes alone may be changed.
    let f = StakeholderForm {
        attributes: Some("gender: man".into()),
        ..form()
    };
    assert!(f.validate(true, today()).is_ok());
}

#[test]
fn clearing_a_recorded_consent_withdraws_it_and_deletes_the_attributes() {
    let f = StakeholderForm {
        attributes: Some("gender: woman".into()),
        consented_on: Some(" ".into()),
        ..form()
    };
    let v = f.validate(true, today()).expect("withdrawal");
    assert!(v.withdraws_consent);
    assert_eq!(v.consented_on, Some(None));
    assert_eq!(v.attributes, Some(BTreeMap::new()));
}

#[test]
fn attribute_lines_are_checked() {
    assert_eq!(parse_attributes("").expect("empty"), BTreeMap::new());
    let e = parse_attributes("gender: a\nGender: b").expect_err("duplicate");
    assert_eq!(e.field_name(), Some("attributes"));
    assert!(parse_attributes(": value").is_err());
    assert!(parse_attributes("dimension:").is_err());
    let many: String = (0..=MAX_ATTRIBUTES).map(|i| format!("d{i}: v\n")).collect();
    assert!(parse_attributes(&many).is_err());
    let ok = parse_attributes("a: 1\nb: x: y").expect("colon in value");
    assert_eq!(ok.get("b").map(String::as_str), Some("x: y"));
    assert_eq!(format_attributes(&ok), "a: 1\nb: x: y");
}

#[test]
fn directory_filters_parse() {
    let q = DirectoryQuery::parse(
        Some(" North "),
        Some("end_user"),
        Some("alpha"),
        Some("include"),
        Some("75"),
    )
    .expect("valid");
    assert_eq!(q.q, "north");
    assert_eq!(q.function, Some(Function::EndUser));
    assert_eq!(q.project.as_deref(), Some("alpha"));
    assert!(q.include_erased);
    assert_eq!(q.limit, 75);
    let q = DirectoryQuery::parse(None, Some(""), Some(" "), None, Some("lots")).expect("defaults");
    assert_eq!(
        q,
        DirectoryQuery {
            limit: PAGE_SIZE,
            ..DirectoryQuery::default()
        }
    );
    assert_eq!(
        DirectoryQuery::parse(None, None, None, None, Some("9999"))
            .expect("cap")
            .limit,
        MAX_LIMIT
    );
    let e = DirectoryQuery::parse(None, Some("wizard"), None, None, None).expect_err("function");
    assert_eq!(e.field_name(), Some("function"));
    let e = DirectoryQuery::parse(Some(&"x".repeat(101)), None, None, None, None).expect_err("q");
    assert_eq!(e.field_name(), Some("q"));
    let q = DirectoryQuery::default();
    assert_eq!(
        q.clone()
            .starting_after(Some(" s1 "))
            .expect("after")
            .after
            .as_deref(),
        Some("s1")
    );
    assert_eq!(
        q.clone().starting_after(Some("")).expect("none").after,
        None
    );
    let e = q.starting_after(Some("a'b")).expect_err("after");
    assert_eq!(e.field_name(), Some("after"));
}

#[test]
fn directory_links_keep_the_filters() {
    assert_eq!(directory_href("", None, None, false, None), "/stakeholders");
    assert_eq!(
        directory_href("a b&c", Some("end_user"), Some("alpha"), true, Some("s1")),
        "/stakeholders?q=a%20b%26c&function=end_user&project=alpha&erased=include&after=s1"
    );
}

#[test]
fn ids_are_checked() {
    assert_eq!(valid_id(" abc123 "), Some("abc123"));
    assert_eq!(valid_id(""), None);
    assert_eq!(valid_id("a/b"), None);
    assert_eq!(valid_id(&"a".repeat(65)), None);
}

fn viewer(roles: &[(&str, Option<MemberRole>)], everything: bool) -> Viewer {
    Viewer {
        everything,
        projects: roles
            .iter()
            .map(|(k, r)| ((*k).to_string(), (format!("Project {k}"), *r)))
            .collect(),
    }
}

#[test]
fn private_fields_are_for_admins_workspace_leads_and_project_leads() {
    let admin = viewer(&[("alpha", None), ("beta", None)], true);
    assert!(admin.sees_private::<&str>(&[]));
    assert!(admin.can_merge() && admin.can_create() && admin.can_record_private());

    let lead = viewer(
        &[
            ("alpha", Some(MemberRole::Lead)),
            ("beta", Some(MemberRole::Member)),
        ],
        false,
    );
    assert!(lead.sees_private(&["alpha"]));
    assert!(lead.sees_private(&["beta", "alpha"]));
    assert!(!lead.sees_private(&["beta"]));
    assert!(!lead.sees_private(&["gamma"]));
    assert!(!lead.sees_private::<&str>(&[]));
    assert!(lead.can_record_private());
    assert!(!lead.can_merge());

    let member = viewer(&[("beta", Some(MemberRole::Member))], false);
    assert!(!member.sees_private(&["beta"]));
    assert!(!member.can_record_private());
}

#[test]
fn writers_edit_stakeholders_of_their_projects_and_viewers_cannot() {
    let member = viewer(
        &[
            ("beta", Some(MemberRole::Member)),
            ("gamma", Some(MemberRole::Viewer)),
        ],
        false,
    );
    assert!(member.can_create());
    assert!(member.can_edit(&["beta"]));
    assert!(!member.can_edit(&["gamma"]));
    assert!(!member.can_edit(&["delta"]));
    assert!(member.can_write_project("beta"));
    assert!(!member.can_write_project("gamma"));
    let only_viewer = viewer(&[("gamma", Some(MemberRole::Viewer))], false);
    assert!(!only_viewer.can_create());
    assert!(!only_viewer.can_edit(&["gamma"]));
    let refs = member.visible_refs(&["delta", "beta"]);
    assert_eq!(
        refs,
        vec![ProjectRef {
            key: "beta".into(),
            name: "Project beta".into()
        }]
    );
}
