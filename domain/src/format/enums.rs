//! The domain enums of the whole app: each serialises as the `snake_case` string of the format and
//! offers `as_str()`, `label()` and `ALL`.

use super::*;

/// Defines a domain enum with its `snake_case` names, human labels, `ALL`, `as_str`, `label`,
/// `FromStr` and `Display` (which prints the `snake_case` name); `default X` also implements
/// `Default`.
macro_rules! domain_enum {
    (
        $(#[$meta:meta])*
        $name:ident default $default:ident { $($body:tt)* }
    ) => {
        domain_enum! { $(#[$meta])* $name { $($body)* } }

        impl Default for $name {
            fn default() -> Self {
                Self::$default
            }
        }
    };
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => ($s:literal, $label:literal) ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(rename_all = "snake_case")]
        #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The `snake_case` name used in JSON, URLs and the database.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $s),+
                }
            }

            /// A short human label for the UI.
            pub const fn label(self) -> &'static str {
                match self {
                    $(Self::$variant => $label),+
                }
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($s => Ok(Self::$variant),)+
                    _ => Err(UnknownValue { kind: stringify!($name), value: s.to_owned() }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

domain_enum! {
    /// The status of a project.
    ProjectStatus default Active {
        /// Exploring the problem.
        Discovery => ("discovery", "Discovery"),
        /// Iterating (the default).
        Active => ("active", "Active"),
        /// On hold; raises no end-user flags.
        Paused => ("paused", "Paused"),
        /// Running in production.
        Production => ("production", "Production"),
        /// Closed.
        Archived => ("archived", "Archived"),
    }
}

domain_enum! {
    /// A user's role in the whole workspace.
    WorkspaceRole default Member {
        /// Manages users, settings, backups.
        Admin => ("admin", "Admin"),
        /// Sees every project and the portfolio.
        Lead => ("lead", "Lead"),
        /// Sees the projects they belong to (the default).
        Member => ("member", "Member"),
    }
}

domain_enum! {
    /// A user's role inside one project.
    MemberRole default Member {
        /// Members, settings, deletions, invites.
        Lead => ("lead", "Lead"),
        /// Everything else, including invites (the default).
        Member => ("member", "Member"),
        /// Read only.
        Viewer => ("viewer", "Viewer"),
    }
}

domain_enum! {
    /// The fixed stakeholder function taxonomy (10 values).
    Function default Other {
        /// The people the work is for.
        EndUser => ("end_user", "End user"),
        /// Knows the domain.
        DomainExpert => ("domain_expert", "Domain expert"),
        /// Owns a data source.
        DataOwner => ("data_owner", "Data owner"),
        /// Runs data pipelines.
        Dataops => ("dataops", "DataOps"),
        /// Runs deployment and security.
        Devsecops => ("devsecops", "DevSecOps"),
        /// Sponsors the work.
        ExecutiveSponsor => ("executive_sponsor", "Executive sponsor"),
        /// Product management.
        Product => ("product", "Product"),
        /// Data science.
        DataScience => ("data_science", "Data science"),
        /// Compliance and legal.
        ComplianceLegal => ("compliance_legal", "Compliance & legal"),
        /// Anything else, and authors who gave no function.
        Other => ("other", "Other"),
    }
}

domain_enum! {
    /// Whether the problem needs machine learning at all (the framing record).
    MlNeeded default Unknown {
        /// Not answered yet (the default).
        Unknown => ("unknown", "Unknown"),
        /// ML is needed.
        Yes => ("yes", "Yes"),
        /// A simpler approach suffices.
        No => ("no", "No"),
    }
}

domain_enum! {
    /// The outcome of a sprint review.
    ReviewOutcome {
        /// The increment was accepted.
        Accepted => ("accepted", "Accepted"),
        /// Changes were requested.
        ChangesRequested => ("changes_requested", "Changes requested"),
        /// No decision was taken.
        NoDecision => ("no_decision", "No decision"),
    }
}

domain_enum! {
    /// The format of a retrospective, which fixes its columns.
    RetroFormat default StartStopContinue {
        /// Start, stop, continue (the default).
        StartStopContinue => ("start_stop_continue", "Start / stop / continue"),
        /// Went well, to improve.
        WentWellToImprove => ("went_well_to_improve", "Went well / to improve"),
        /// Liked, learned, lacked, longed for.
        FourLs => ("four_ls", "4 Ls"),
    }
}

impl RetroFormat {
    /// The columns of this format, in display order.
    pub const fn columns(self) -> &'static [RetroColumn] {
        match self {
            Self::StartStopContinue => {
                &[RetroColumn::Start, RetroColumn::Stop, RetroColumn::Continue]
            }
            Self::WentWellToImprove => &[RetroColumn::WentWell, RetroColumn::ToImprove],
            Self::FourLs => &[
                RetroColumn::Liked,
                RetroColumn::Learned,
                RetroColumn::Lacked,
                RetroColumn::LongedFor,
            ],
        }
    }
}

domain_enum! {
    /// A column of a retrospective board.
    RetroColumn {
        /// Start doing.
        Start => ("start", "Start"),
        /// Stop doing.
        Stop => ("stop", "Stop"),
        /// Continue doing.
        Continue => ("continue", "Continue"),
        /// What went well.
        WentWell => ("went_well", "Went well"),
        /// What to improve.
        ToImprove => ("to_improve", "To improve"),
        /// Liked.
        Liked => ("liked", "Liked"),
        /// Learned.
        Learned => ("learned", "Learned"),
        /// Lacked.
        Lacked => ("lacked", "Lacked"),
        /// Longed for.
        LongedFor => ("longed_for", "Longed for"),
    }
}

domain_enum! {
    /// The status of a retrospective action item.
    ActionStatus default Open {
        /// Not closed yet (the default).
        Open => ("open", "Open"),
        /// Done.
        Done => ("done", "Done"),
        /// Given up.
        Dropped => ("dropped", "Dropped"),
    }
}

domain_enum! {
    /// The kind of an HCD interview.
    InterviewKind default Discovery {
        /// Discovery interview (the default).
        Discovery => ("discovery", "Discovery"),
        /// Usability test.
        UsabilityTest => ("usability_test", "Usability test"),
        /// Feedback session.
        FeedbackSession => ("feedback_session", "Feedback session"),
        /// Contextual inquiry.
        ContextualInquiry => ("contextual_inquiry", "Contextual inquiry"),
    }
}

domain_enum! {
    /// The status of an interview.
    InterviewStatus default Scheduled {
        /// Planned (the default).
        Scheduled => ("scheduled", "Scheduled"),
        /// Took place.
        Completed => ("completed", "Completed"),
        /// Called off.
        Cancelled => ("cancelled", "Cancelled"),
        /// The participant did not come.
        NoShow => ("no_show", "No show"),
    }
}

domain_enum! {
    /// How a feedback item reached the team.
    Channel default Link {
        /// Through an invite link (the default).
        Link => ("link", "Link"),
        /// Said at a sprint review.
        Review => ("review", "Review"),
        /// Said in an interview.
        Interview => ("interview", "Interview"),
        /// Recorded by the team.
        Team => ("team", "Team"),
    }
}

domain_enum! {
    /// The category of a feedback item.
    FeedbackCategory default Other {
        /// Is it useful?
        Usefulness => ("usefulness", "Usefulness"),
        /// Is it usable?
        Usability => ("usability", "Usability"),
        /// About the data.
        DataQuality => ("data_quality", "Data quality"),
        /// A wish.
        FeatureRequest => ("feature_request", "Feature request"),
        /// Something broken.
        Bug => ("bug", "Bug"),
        /// Praise.
        Praise => ("praise", "Praise"),
        /// Anything else (the default).
        Other => ("other", "Other"),
    }
}

domain_enum! {
    /// The triage status of a feedback item.
    FeedbackStatus default New {
        /// Not looked at yet (the default).
        New => ("new", "New"),
        /// Seen.
        Acknowledged => ("acknowledged", "Acknowledged"),
        /// Planned for a sprint.
        Planned => ("planned", "Planned"),
        /// Addressed in a sprint.
        Addressed => ("addressed", "Addressed"),
        /// Declined.
        Declined => ("declined", "Declined"),
    }
}

domain_enum! {
    /// The data-quality dimension an issue concerns.
    DqDimension {
        /// Missing values or records.
        Completeness => ("completeness", "Completeness"),
        /// Wrong values.
        Accuracy => ("accuracy", "Accuracy"),
        /// Late data.
        Timeliness => ("timeliness", "Timeliness"),
        /// Contradictions.
        Consistency => ("consistency", "Consistency"),
        /// Values outside their domain.
        Validity => ("validity", "Validity"),
        /// Duplicates.
        Uniqueness => ("uniqueness", "Uniqueness"),
        /// Missing or wrong documentation.
        Metadata => ("metadata", "Metadata"),
    }
}

domain_enum! {
    /// The severity of a data-quality issue.
    DqSeverity {
        /// Low.
        Low => ("low", "Low"),
        /// Medium.
        Medium => ("medium", "Medium"),
        /// High.
        High => ("high", "High"),
        /// Critical.
        Critical => ("critical", "Critical"),
    }
}

domain_enum! {
    /// The status of a data-quality issue.
    DqStatus default Open {
        /// Known to the team (the default).
        Open => ("open", "Open"),
        /// Reported to the source owner.
        Reported => ("reported", "Reported"),
        /// Being fixed.
        InProgress => ("in_progress", "In progress"),
        /// Fixed.
        Resolved => ("resolved", "Resolved"),
        /// Declared won't-fix.
        WontFix => ("wont_fix", "Won't fix"),
    }
}

impl DqStatus {
    /// Whether this status closes the issue (and so requires `resolved_on`).
    pub const fn is_closed(self) -> bool {
        matches!(self, Self::Resolved | Self::WontFix)
    }
}

domain_enum! {
    /// An item of the production-readiness checklist.
    ReadinessItem {
        /// A deployment target is chosen.
        DeploymentTarget => ("deployment_target", "Deployment target chosen"),
        /// DevOps is engaged.
        DevopsEngaged => ("devops_engaged", "DevOps engaged"),
        /// The model or service is containerised.
        Containerized => ("containerized", "Containerised"),
        /// A monitoring plan exists.
        MonitoringPlan => ("monitoring_plan", "Monitoring plan"),
        /// A redeployment plan exists.
        RedeploymentPlan => ("redeployment_plan", "Redeployment plan"),
        /// End users have been handed over to.
        EndUserHandoff => ("end_user_handoff", "End-user hand-off"),
        /// The data pipeline has an owner.
        DataPipelineOwner => ("data_pipeline_owner", "Data pipeline owner"),
        /// A security review was done.
        SecurityReview => ("security_review", "Security review"),
    }
}

/// The keys of the eight readiness items, in checklist order.
pub const READINESS_KEYS: [&str; 8] = [
    "deployment_target",
    "devops_engaged",
    "containerized",
    "monitoring_plan",
    "redeployment_plan",
    "end_user_handoff",
    "data_pipeline_owner",
    "security_review",
];
