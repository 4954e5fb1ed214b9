//! Where an import reads a workspace from, one project at a time: a file parsed as a stream, a
//! workspace in memory, or the demo generator.
//!
//! An import reads its source twice, once to check it and once to write it, and never holds
//! more than one project of it (plus the users and stakeholders, which are small) in memory.
//! A file is parsed with serde's streaming deserializer over a buffered reader: the top-level
//! object is visited key by key, and the `projects` array element by element, each project
//! handed on as soon as it is parsed and then dropped.

use std::fs::File;
use std::io::BufReader;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::ImportIssue;
use domain::format::generate::{Generator, Sizes};
use domain::format::{Project, Settings, Stakeholder, User, Workspace};

/// What a source has read of everything but the projects.
#[derive(Clone, Debug, Default)]
pub(crate) struct Head {
    /// The format, version, settings, users and stakeholders (`projects` stays empty).
    pub ws: Workspace,
    /// Whether the users and stakeholders are complete (a file may list them after its
    /// projects, or leave them out).
    pub people: bool,
}

/// Why reading a source ended early.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The file is not a workspace file: where and why (a syntax or type error, or I/O).
    Invalid(ImportIssue),
    /// The receiver of the projects asked to stop.
    Stopped,
}

/// Called with each project in order: what was read of the rest so far, the project's index
/// and the project. `Break` stops the reading.
pub(crate) type Each<'a> = dyn FnMut(&Head, usize, Project) -> ControlFlow<()> + 'a;

/// A workspace that can be read project by project, as often as needed.
pub(crate) trait Source: Send + 'static {
    /// Reads the whole workspace once, handing each project to `each`, and returns the rest.
    fn read(&mut self, each: &mut Each<'_>) -> Result<Head, ReadError>;
}

/// A workspace already in memory.
pub(crate) struct Memory(pub Arc<Workspace>);

impl Source for Memory {
    fn read(&mut self, each: &mut Each<'_>) -> Result<Head, ReadError> {
        let head = Head {
            ws: Workspace {
                format: self.0.format.clone(),
                version: self.0.version,
                settings: self.0.settings.clone(),
                users: self.0.users.clone(),
                stakeholders: self.0.stakeholders.clone(),
                projects: Vec::new(),
            },
            people: true,
        };
        for (i, p) in self.0.projects.iter().enumerate() {
            if each(&head, i, p.clone()).is_break() {
                return Err(ReadError::Stopped);
            }
        }
        Ok(head)
    }
}

/// The generated workspace of the large demo, made project by project.
pub(crate) struct Generated {
    pub sizes: Sizes,
    pub seed: u64,
    pub today: NaiveDate,
}

impl Source for Generated {
    fn read(&mut self, each: &mut Each<'_>) -> Result<Head, ReadError> {
        let mut generator = Generator::new(&self.sizes, self.seed, self.today);
        // The users and stakeholders are complete before the first project (a project only adds
        // links to the stakeholders, which the rest of the import reads at the end).
        let mut head = Head {
            ws: generator.head(),
            people: true,
        };
        while let Some(p) = generator.next_project() {
            if each(&head, generator.made() - 1, p).is_break() {
                return Err(ReadError::Stopped);
            }
        }
        head.ws = generator.into_head();
        Ok(head)
    }
}

/// A workspace file, parsed as a stream.
pub(crate) struct JsonFile(pub PathBuf);

impl Source for JsonFile {
    fn read(&mut self, each: &mut Each<'_>) -> Result<Head, ReadError> {
        let file = File::open(&self.0).map_err(|e| {
            ReadError::Invalid(ImportIssue::new("$", format!("cannot read the file: {e}")))
        })?;
        read_json(BufReader::with_capacity(1 << 16, file), each)
    }
}

/// Parses a workspace from `reader`, handing each project to `each` as soon as it is parsed. A
/// syntax or type error stops the reading and is reported at its JSON path, such as
/// `projects[1500].sprints[3].end_on`.
pub(crate) fn read_json(
    reader: impl std::io::Read,
    each: &mut Each<'_>,
) -> Result<Head, ReadError> {
    let mut de = serde_json::Deserializer::from_reader(reader);
    let mut head = Head::default();
    let mut stopped = false;
    let mut track = serde_path_to_error::Track::new();
    let result = TopSeed {
        head: &mut head,
        each,
        stopped: &mut stopped,
    }
    .deserialize(serde_path_to_error::Deserializer::new(&mut de, &mut track))
    .and_then(|()| de.end());
    match result {
        Ok(()) => {
            head.people = true;
            Ok(head)
        }
        Err(_) if stopped => Err(ReadError::Stopped),
        Err(e) => {
            let path = track.path().to_string();
            let path = if path.is_empty() || path == "." || path == "?" {
                "$".to_string()
            } else {
                path
            };
            Err(ReadError::Invalid(ImportIssue::new(path, e.to_string())))
        }
    }
}

/// The top-level object. Its keys are read as the derived `Workspace` reads them (missing keys
/// take their defaults, `null` lists are empty, unknown keys are skipped, a repeated key is an
/// error), except that `projects` is handed on element by element instead of collected.
struct TopSeed<'a, 'b> {
    head: &'a mut Head,
    each: &'a mut Each<'b>,
    stopped: &'a mut bool,
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a workspace object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen: Vec<&'static str> = Vec::new();
        let (mut users, mut stakeholders) = (false, false);
        while let Some(key) = map.next_key::<String>()? {
            let field = match key.as_str() {
                "format" => "format",
                "version" => "version",
                "settings" => "settings",
                "users" => "users",
                "stakeholders" => "stakeholders",
                "projects" => "projects",
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            if seen.contains(&field) {
                return Err(de::Error::duplicate_field(field));
            }
            seen.push(field);
            let ws = &mut self.head.ws;
            match field {
                "format" => ws.format = map.next_value()?,
                "version" => ws.version = map.next_value()?,
                "settings" => {
                    ws.settings = map.next_value::<Option<Settings>>()?.unwrap_or_default();
                }
                "users" => {
                    ws.users = map.next_value::<Option<Vec<User>>>()?.unwrap_or_default();
                    users = true;
                }
                "stakeholders" => {
                    ws.stakeholders = map
                        .next_value::<Option<Vec<Stakeholder>>>()?
                        .unwrap_or_default();
                    stakeholders = true;
                }
                _ => {
                    self.head.people = users && stakeholders;
                    map.next_value_seed(ProjectsSeed {
                        head: self.head,
                        each: self.each,
                        stopped: self.stopped,
                    })?;
                }
            }
        }
        Ok(())
    }
}

/// The `projects` array (or `null`), element by element.
struct ProjectsSeed<'a, 'b> {
    head: &'a Head,
    each: &'a mut Each<'b>,
    stopped: &'a mut bool,
}

impl<'de> DeserializeSeed<'de> for ProjectsSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for ProjectsSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of projects")
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        while let Some(project) = seq.next_element::<Project>()? {
            if (self.each)(self.head, i, project).is_break() {
                *self.stopped = true;
                return Err(de::Error::custom("the import stopped reading"));
            }
            i += 1;
        }
        Ok(())
    }
}
