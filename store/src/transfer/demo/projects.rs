//! The seven projects of the hand-made demo workspace, each showing a different state of the
//! signals.

use super::*;

/// Everything green.
pub(super) fn p1(b: &mut Builder) -> Project {
    use FeedbackCategory as C;
    use FeedbackStatus as St;
    use Function as F;
    let mut p = project(
        "p1",
        "ward-handover",
        "Ward handover summaries",
        "Nurses spend twenty minutes per shift handover reading free-text notes to find the patients who need attention first.",
        "Ward nurses and charge nurses on the surgical wards, at every shift change.",
        ProjectStatus::Active,
        "u1",
        b.day(-105),
        14,
        MlNeeded::Yes,
        "A rule-based checklist of vital-sign thresholds, which missed half of the deteriorations in the pilot.",
    );
    p.members = members(
        "u1",
        &[
            ("u3", MemberRole::Member),
            ("u4", MemberRole::Member),
            ("u7", MemberRole::Viewer),
        ],
    );
    p.readiness = readiness(7, "u3");
    let plans = (0..8)
        .map(|_| plan(14, Some(vec!["s1", "s3"]), true))
        .collect();
    p.sprints = b.sprints(
        p.started_on,
        plans,
        &[
            "Agree what a good handover summary contains",
            "Summaries for one ward, read-only",
            "Highlight deteriorating patients",
            "Test the summary screen with night-shift nurses",
            "Explain each highlight in one sentence",
            "Pilot on two wards",
            "Measure handover time before and after",
            "Prepare the hand-off to the ward systems team",
        ],
        &["u1", "u3", "u4"],
    );
    b.last_sprint = u32::try_from(p.sprints.len()).unwrap_or(0);
    let voices = [
        ("s1", 5u8),
        ("s4", 4),
        ("s2", 4),
        ("s5", 3),
        ("s6", 4),
        ("s3", 5),
    ];
    let bodies = [
        "The summary saves me a phone call every morning.",
        "The discharge dates in the extract are a day late on weekends.",
        "Please show why a patient is highlighted, not only that they are.",
        "Can the summary be printed for the paper handover sheet?",
        "The nightly load finished late twice this week.",
        "Clinically the highlights make sense; two were borderline.",
    ];
    let statuses = [
        St::Addressed,
        St::Acknowledged,
        St::Planned,
        St::Declined,
        St::New,
        St::Acknowledged,
    ];
    let cats = [
        C::Usefulness,
        C::DataQuality,
        C::FeatureRequest,
        C::FeatureRequest,
        C::Bug,
        C::Praise,
    ];
    for n in 1..=7u32 {
        let sprint = p.sprints[usize::try_from(n - 1).unwrap_or(0)].clone();
        for k in 0..3usize {
            let idx = (usize::try_from(n).unwrap_or(0) + k * 2) % voices.len();
            let (who, rating) = voices[idx];
            // The last two finished sprints hear from an end user.
            let who = if k == 0 && n >= 6 { "s2" } else { who };
            p.feedback.push(b.feedback(
                Some(n),
                Some(who),
                None,
                Channel::Link,
                sprint.end_on - Duration::days(i64::try_from(k).unwrap_or(0)),
                Some(rating),
                bodies[idx],
                cats[idx],
                if n >= 7 { St::New } else { statuses[idx] },
            ));
        }
    }
    p.feedback.push(b.feedback(
        Some(7),
        None,
        Some(("Visiting nurse", F::EndUser)),
        Channel::Link,
        b.day(-9),
        Some(4),
        "I only work here on Fridays and could follow the handover without asking.",
        C::Praise,
        St::Acknowledged,
    ));
    p.feedback.push(b.feedback(
        Some(3),
        Some("s26"),
        None,
        Channel::Review,
        p.sprints[2].end_on,
        Some(3),
        "Two patients on the list had been discharged already.",
        C::DataQuality,
        St::Addressed,
    ));
    p.interviews = vec![
        b.interview(&["s1"], &["u1", "u3"], b.day(-90), InterviewKind::ContextualInquiry, InterviewStatus::Completed,
            "Shadowed the 07:00 handover. Notes are read aloud; the nurse in charge scans for **red flags** by memory.",
            &[("Nurses look for change since yesterday, not the absolute value", &["handover", "trends"]),
              ("Paper sheets are still the backup when the screen is busy", &["paper", "workflow"])]),
        b.interview(&["s2"], &["u3"], b.day(-40), InterviewKind::UsabilityTest, InterviewStatus::Completed,
            "Five tasks on the summary screen. Four completed without help; the filter was not found.",
            &[("The ward filter is hidden behind the menu", &["usability"])]),
        b.interview(&["s1", "s2"], &["u1"], b.day(-12), InterviewKind::FeedbackSession, InterviewStatus::Completed,
            "Walked through the highlight explanations with two nurses.",
            &[("One-sentence reasons are enough; links to the chart are welcome", &["explanations"])]),
        b.interview(&["s2"], &["u4"], b.day(-20), InterviewKind::Discovery, InterviewStatus::NoShow, "", &[]),
        b.interview(&["s1"], &["u3"], b.day(9), InterviewKind::UsabilityTest, InterviewStatus::Scheduled,
            "Plan: test the printed summary with the night shift.", &[]),
    ];
    p.dq_issues = vec![b.issue(
        "admissions",
        "Weekend discharges arrive one day late in the nightly extract.",
        DqDimension::Timeliness,
        DqSeverity::Medium,
        "u3",
        Some("s4"),
        -60,
        Some(-58),
        Some((DqStatus::Resolved, -30)),
    )];
    p
}

/// Amber: no interview planned, sprints longer than the target, two voices only.
pub(super) fn p2(b: &mut Builder) -> Project {
    use FeedbackCategory as C;
    use FeedbackStatus as St;
    let mut p = project(
        "p2",
        "dispatch-eta",
        "Ambulance arrival estimates",
        "Dispatchers give callers arrival times from experience; the estimates are often off by ten minutes or more at rush hour.",
        "Emergency dispatchers in the regional control room.",
        ProjectStatus::Active,
        "u2",
        b.day(-87),
        10,
        MlNeeded::Yes,
        "",
    );
    p.members = members(
        "u2",
        &[("u5", MemberRole::Member), ("u6", MemberRole::Member)],
    );
    p.readiness = readiness(4, "u5");
    let plans = (0..6)
        .map(|_| plan(14, Some(vec!["s7", "s8"]), true))
        .collect();
    p.sprints = b.sprints(
        p.started_on,
        plans,
        &[
            "Collect a month of calls with actual arrival times",
            "A first estimate from distance and time of day",
            "Show the estimate next to the dispatcher's own",
            "Add road works from the city feed",
            "Try the estimate on the night shift",
            "Compare errors with the dispatchers' estimates",
        ],
        &["u2", "u5"],
    );
    b.last_sprint = u32::try_from(p.sprints.len()).unwrap_or(0);
    let bodies = [
        (
            "s7",
            "The estimate is close in the city, but too optimistic for the valleys.",
            C::Usefulness,
            Some(3u8),
        ),
        (
            "s8",
            "Crews often start from the road, not the station; the estimate assumes the station.",
            C::DataQuality,
            Some(2),
        ),
    ];
    for n in 1..=6u32 {
        let sprint = p.sprints[usize::try_from(n - 1).unwrap_or(0)].clone();
        for (k, (who, body, cat, rating)) in bodies.iter().enumerate() {
            let status = [St::New, St::Acknowledged, St::Planned, St::Addressed]
                [(usize::try_from(n).unwrap_or(0) + k) % 4];
            p.feedback.push(b.feedback(
                Some(n),
                Some(who),
                None,
                Channel::Link,
                sprint.end_on,
                *rating,
                body,
                *cat,
                if n == 6 { St::New } else { status },
            ));
        }
    }
    p.interviews = vec![
        b.interview(
            &["s7"],
            &["u2", "u5"],
            b.day(-75),
            InterviewKind::ContextualInquiry,
            InterviewStatus::Completed,
            "Sat with two dispatchers for a morning shift.",
            &[(
                "Dispatchers round estimates up to protect themselves",
                &["trust", "estimates"],
            )],
        ),
        b.interview(
            &["s7"],
            &["u5"],
            b.day(-30),
            InterviewKind::UsabilityTest,
            InterviewStatus::Cancelled,
            "Cancelled: major incident.",
            &[],
        ),
    ];
    p.dq_issues = vec![b.issue(
        "call_log",
        "Some calls have no arrival time because the crew pressed the button late.",
        DqDimension::Completeness,
        DqSeverity::Low,
        "u5",
        Some("s9"),
        -5,
        Some(-3),
        None,
    )];
    p
}

/// Red everywhere: lost contact with its end users.
pub(super) fn p3(b: &mut Builder) -> Project {
    use FeedbackCategory as C;
    use FeedbackStatus as St;
    let mut p = project(
        "p3",
        "invoice-matching",
        "Supplier invoice matching",
        "Clerks match supplier invoices to purchase orders by hand; a third need a second look.",
        "Accounts payable clerks in the shared service centre.",
        ProjectStatus::Active,
        "u2",
        b.day(-114),
        14,
        MlNeeded::Unknown,
        "",
    );
    p.members = members(
        "u2",
        &[("u6", MemberRole::Member), ("u7", MemberRole::Member)],
    );
    p.readiness = readiness(1, "u6");
    let plans = (0..8)
        .map(|i| plan(14, (i % 4 == 0).then(|| vec!["s12"]), i % 3 == 0))
        .collect();
    p.sprints = b.sprints(
        p.started_on,
        plans,
        &[
            "Match exact amounts automatically",
            "Fuzzy supplier names",
            "Partial deliveries",
            "Currency differences",
        ],
        &["u2", "u6"],
    );
    b.last_sprint = u32::try_from(p.sprints.len()).unwrap_or(0);
    // The last end-user voice is from the second sprint.
    p.feedback.push(b.feedback(
        Some(2),
        Some("s10"),
        None,
        Channel::Link,
        p.sprints[1].end_on,
        Some(4),
        "The suggestions are right most of the time; I still check every one.",
        C::Usefulness,
        St::Acknowledged,
    ));
    for n in 3..=8u32 {
        let sprint = p.sprints[usize::try_from(n - 1).unwrap_or(0)].clone();
        if sprint.end_on >= b.today {
            continue;
        }
        p.feedback.push(b.feedback(
            Some(n),
            Some("s11"),
            None,
            Channel::Team,
            sprint.end_on,
            None,
            "The ERP export changed its date format again.",
            C::DataQuality,
            if n % 2 == 0 { St::New } else { St::Declined },
        ));
    }
    p.interviews = vec![b.interview(
        &["s10"],
        &["u2"],
        b.day(-100),
        InterviewKind::Discovery,
        InterviewStatus::Completed,
        "First conversation with two clerks about the matching queue.",
        &[(
            "Clerks trust the amount more than the supplier name",
            &["matching"],
        )],
    )];
    p.dq_issues = vec![
        b.issue(
            "erp_invoices",
            "Supplier ids are reused after a supplier is archived.",
            DqDimension::Uniqueness,
            DqSeverity::High,
            "u6",
            Some("s11"),
            -45,
            None,
            None,
        ),
        b.issue(
            "erp_invoices",
            "VAT field empty for foreign suppliers.",
            DqDimension::Completeness,
            DqSeverity::Medium,
            "u6",
            Some("s11"),
            -20,
            None,
            None,
        ),
    ];
    p
}

/// No ML needed; cadence amber (reviews skipped), diversity green, readiness red.
pub(super) fn p4(b: &mut Builder) -> Project {
    use FeedbackCategory as C;
    use FeedbackStatus as St;
    let mut p = project(
        "p4",
        "pharmacy-demand",
        "Pharmacy stock forecast",
        "The hospital pharmacy runs out of a few high-use items every month and overstocks others.",
        "Pharmacists and stock controllers placing weekly orders.",
        ProjectStatus::Active,
        "u1",
        b.day(-88),
        14,
        MlNeeded::No,
        "A moving average of the last four weeks with a safety margin per item; it beat every model we tried.",
    );
    p.members = members(
        "u1",
        &[("u4", MemberRole::Member), ("u5", MemberRole::Viewer)],
    );
    p.readiness = readiness(3, "u4");
    let plans = (0..6)
        .map(|i| plan(14, (i % 3 != 1).then(|| vec!["s14", "s15"]), true))
        .collect();
    p.sprints = b.sprints(
        p.started_on,
        plans,
        &[
            "Baseline: moving average per item",
            "Safety margins from supplier lead times",
            "Weekly order suggestion list",
            "Flag items with changing demand",
            "Order list in the pharmacy system",
            "Review stock-outs with the pharmacists",
        ],
        &["u1", "u4"],
    );
    b.last_sprint = u32::try_from(p.sprints.len()).unwrap_or(0);
    let voices = [
        (
            "s14",
            "The order list matches what I would have ordered, in half the time.",
            C::Usefulness,
        ),
        (
            "s15",
            "Seasonal items such as flu vaccines need their own rule.",
            C::FeatureRequest,
        ),
        (
            "s16",
            "Supplier lead times in the catalogue are out of date for two vendors.",
            C::DataQuality,
        ),
        (
            "s6",
            "The weekly job could run on the shared scheduler.",
            C::Other,
        ),
    ];
    for n in 1..=6u32 {
        let sprint = p.sprints[usize::try_from(n - 1).unwrap_or(0)].clone();
        for (k, (who, body, cat)) in voices.iter().enumerate() {
            if (usize::try_from(n).unwrap_or(0) + k) % 2 == 0 && k != 0 {
                continue;
            }
            p.feedback.push(b.feedback(
                Some(n),
                Some(who),
                None,
                Channel::Link,
                sprint.end_on,
                Some(3 + u8::try_from(k % 3).unwrap_or(0)),
                body,
                *cat,
                [St::Addressed, St::Planned, St::Acknowledged, St::New][k],
            ));
        }
    }
    p.interviews = vec![
        b.interview(
            &["s14"],
            &["u1"],
            b.day(-50),
            InterviewKind::Discovery,
            InterviewStatus::Completed,
            "How the weekly order is put together today.",
            &[(
                "Orders are placed on Tuesday mornings from a spreadsheet",
                &["workflow"],
            )],
        ),
        b.interview(
            &["s14"],
            &["u4"],
            b.day(14),
            InterviewKind::FeedbackSession,
            InterviewStatus::Scheduled,
            "",
            &[],
        ),
    ];
    p.dq_issues = vec![b.issue(
        "supplier_catalogue",
        "Lead times not updated since last year for two vendors.",
        DqDimension::Accuracy,
        DqSeverity::Medium,
        "u4",
        Some("s16"),
        -20,
        Some(-18),
        None,
    )];
    p
}

/// Brand new: insufficient data for cadence and diversity, interviews ahead.
pub(super) fn p5(b: &mut Builder) -> Project {
    let mut p = project(
        "p5",
        "shift-rostering",
        "Staff rostering assistant",
        "Ward managers spend a day a month building rosters and fixing gaps by phone.",
        "Ward managers building the monthly roster.",
        ProjectStatus::Discovery,
        "u1",
        b.day(-10),
        14,
        MlNeeded::Unknown,
        "The current spreadsheet template with conditional formatting.",
    );
    p.members = members("u1", &[("u7", MemberRole::Member)]);
    p.sprints = b.sprints(
        p.started_on,
        vec![plan(14, None, false)],
        &["Understand how rosters are built today"],
        &["u1", "u7"],
    );
    b.last_sprint = u32::try_from(p.sprints.len()).unwrap_or(0);
    p.interviews = vec![
        b.interview(
            &["s17"],
            &["u1", "u7"],
            b.day(4),
            InterviewKind::Discovery,
            InterviewStatus::Scheduled,
            "Plan: walk through last month's roster and the gaps that were filled by phone.",
            &[],
        ),
        b.interview(
            &["s2"],
            &["u7"],
            b.day(11),
            InterviewKind::ContextualInquiry,
            InterviewStatus::Scheduled,
            "",
            &[],
        ),
    ];
    p
}

/// Paused, irregular sprints and red data debt.
pub(super) fn p6(b: &mut Builder) -> Project {
    use FeedbackCategory as C;
    use FeedbackStatus as St;
    let mut p = project(
        "p6",
        "route-planning",
        "Field service route planning",
        "Technicians drive long detours because jobs are assigned in the order they arrive.",
        "Field technicians and the planners who assign their jobs.",
        ProjectStatus::Paused,
        "u2",
        b.day(-150),
        14,
        MlNeeded::No,
        "",
    );
    p.members = members("u2", &[("u3", MemberRole::Member)]);
    p.readiness = readiness(5, "u3");
    let lengths = [5i64, 21, 8, 30, 10, 25];
    let plans = lengths
        .iter()
        .enumerate()
        .map(|(i, len)| SprintPlan {
            len: *len,
            gap: if i == 3 { 6 } else { 0 },
            review: Some(vec!["s19", "s20"]),
            retro: i.is_multiple_of(2),
        })
        .collect();
    p.sprints = b.sprints(
        p.started_on,
        plans,
        &[
            "Map today's routes",
            "Group jobs by area",
            "Time windows",
            "Traffic data",
            "Planner screen",
            "Pause: waiting for vehicle data",
        ],
        &["u2", "u3"],
    );
    b.last_sprint = u32::try_from(p.sprints.len()).unwrap_or(0);
    for (n, who, body) in [
        (2u32, "s19", "Grouping by area saved me an hour on Tuesday."),
        (
            4,
            "s20",
            "The depot coordinates are wrong for the north site.",
        ),
        (
            4,
            "s21",
            "The planner screen needs single sign-on before we can roll it out.",
        ),
        (5, "s19", "Time windows from customers are often missing."),
    ] {
        let sprint = p.sprints[usize::try_from(n - 1).unwrap_or(0)].clone();
        p.feedback.push(b.feedback(
            Some(n),
            Some(who),
            None,
            Channel::Link,
            sprint.end_on,
            Some(3),
            body,
            C::Usability,
            St::Acknowledged,
        ));
    }
    p.interviews = vec![b.interview(
        &["s19"],
        &["u3"],
        b.day(-120),
        InterviewKind::ContextualInquiry,
        InterviewStatus::Completed,
        "Rode along for a day in the north region.",
        &[(
            "Technicians re-order jobs themselves every morning",
            &["workaround", "routes"],
        )],
    )];
    p.dq_issues = vec![
        b.issue(
            "depot_locations",
            "Depot coordinates point at the head office for three sites.",
            DqDimension::Accuracy,
            DqSeverity::Critical,
            "u3",
            Some("s20"),
            -40,
            None,
            None,
        ),
        b.issue(
            "job_history",
            "Duplicate jobs when a booking is changed.",
            DqDimension::Uniqueness,
            DqSeverity::Low,
            "u3",
            Some("s20"),
            -70,
            Some(-69),
            Some((DqStatus::WontFix, -50)),
        ),
    ];
    p
}

/// In production, readiness complete; one stakeholder dominates the input.
pub(super) fn p7(b: &mut Builder) -> Project {
    use FeedbackCategory as C;
    use FeedbackStatus as St;
    let mut p = project(
        "p7",
        "claims-triage",
        "Claims triage",
        "Simple claims wait in the same queue as complex ones, so customers with small claims wait weeks.",
        "Claims handlers and senior assessors.",
        ProjectStatus::Production,
        "u1",
        b.day(-91),
        14,
        MlNeeded::Yes,
        "Routing by claim amount alone; it sent a quarter of complex claims to the fast lane.",
    );
    p.members = members(
        "u1",
        &[("u5", MemberRole::Member), ("u6", MemberRole::Member)],
    );
    p.readiness = readiness(8, "u5");
    let plans = (0..7).map(|_| plan(14, Some(vec!["s22"]), true)).collect();
    p.sprints = b.sprints(
        p.started_on,
        plans,
        &[
            "Fast lane for simple claims",
            "Explain the routing to handlers",
            "Monitoring of routing errors",
            "Roll out to the second team",
            "Retraining plan",
            "Hand-off to the claims systems team",
            "Quarterly review of routing errors",
        ],
        &["u1", "u5"],
    );
    b.last_sprint = u32::try_from(p.sprints.len()).unwrap_or(0);
    for n in 1..=6u32 {
        let sprint = p.sprints[usize::try_from(n - 1).unwrap_or(0)].clone();
        p.feedback.push(b.feedback(
            Some(n),
            Some("s23"),
            None,
            Channel::Review,
            sprint.end_on,
            Some(4),
            "The routing reasons match how I would explain it to a new colleague.",
            C::Usefulness,
            St::Acknowledged,
        ));
        p.feedback.push(b.feedback(
            Some(n),
            Some("s23"),
            None,
            Channel::Team,
            sprint.end_on,
            None,
            "Please keep the override button; some claims look simple and are not.",
            C::FeatureRequest,
            St::Planned,
        ));
        if n % 2 == 0 {
            p.feedback.push(b.feedback(
                Some(n),
                Some("s24"),
                None,
                Channel::Link,
                sprint.end_on,
                Some(5),
                "Error rates are stable; the monitoring page is clear.",
                C::Praise,
                St::Addressed,
            ));
        }
    }
    p.interviews = vec![
        b.interview(
            &["s22"],
            &["u5"],
            b.day(-25),
            InterviewKind::UsabilityTest,
            InterviewStatus::Completed,
            "Handlers used the override on three of twenty claims, each for a good reason.",
            &[(
                "Overrides cluster around claims with attachments",
                &["override", "routing"],
            )],
        ),
        b.interview(
            &["s22"],
            &["u1"],
            b.day(12),
            InterviewKind::FeedbackSession,
            InterviewStatus::Scheduled,
            "",
            &[],
        ),
    ];
    p.dq_issues = vec![b.issue(
        "claims_feed",
        "Claim amounts in a foreign currency arrive without the currency code.",
        DqDimension::Validity,
        DqSeverity::Low,
        "u5",
        Some("s24"),
        -3,
        None,
        None,
    )];
    p
}
