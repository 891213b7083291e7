//! An audit feed: a `oneOf` of five event kinds with a discriminator and an explicit
//! mapping, each kind an `allOf` of a shared base, cursor paging, an enum list filter.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use poem::{Endpoint, Response};
use poem_openapi::auth::Bearer;
use poem_openapi::payload::Json;
use uuid::Uuid;

/// The code generated from `corpus/event_stream.yaml`.
pub mod api {
    include!(concat!(env!("OUT_DIR"), "/event_stream.rs"));
}

use api::*;

/// The one workspace the feed knows.
pub const WORKSPACE: Uuid = Uuid::from_u128(0x5eed);

/// Four events of four kinds, oldest first.
pub struct Feed(Vec<Event>);

fn at(text: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text).expect("a valid timestamp")
}

impl Default for Feed {
    fn default() -> Self {
        Feed(vec![
            Event::MemberJoined(MemberJoined {
                id: "ev1".into(),
                type_: "member.joined".into(),
                occurred_at: at("2026-11-01T09:00:00Z"),
                actor: None,
                member_id: "m1".into(),
                role: Some(MemberJoinedRole::Admin),
                invited_by: None,
            }),
            Event::FileUploaded(FileUploaded {
                id: "ev2".into(),
                type_: "file.uploaded".into(),
                occurred_at: at("2026-11-02T09:00:00Z"),
                actor: None,
                file_id: "f1".into(),
                name: Some("plan.pdf".into()),
                size: 52_000,
            }),
            Event::SettingsChanged(SettingsChanged {
                id: "ev3".into(),
                type_: "settings.changed".into(),
                occurred_at: at("2026-11-03T09:00:00Z"),
                actor: None,
                changes: Some(BTreeMap::from([(
                    "theme".into(),
                    SettingsChangedChangesValue {
                        old: Some("light".into()),
                        new: Some("dark".into()),
                    },
                )])),
            }),
            Event::MemberLeft(MemberLeft {
                id: "ev4".into(),
                type_: "member.left".into(),
                occurred_at: at("2026-11-04T09:00:00Z"),
                actor: None,
                member_id: "m1".into(),
                reason: Some(MemberLeftReason::Left),
            }),
        ])
    }
}

/// The base every kind shares: (id, kind, when).
fn base(event: &Event) -> (&str, EventType, DateTime<FixedOffset>) {
    match event {
        Event::MemberJoined(e) => (&e.id, EventType::MemberJoined, e.occurred_at),
        Event::MemberLeft(e) => (&e.id, EventType::MemberLeft, e.occurred_at),
        Event::FileUploaded(e) => (&e.id, EventType::FileUploaded, e.occurred_at),
        Event::FileDeleted(e) => (&e.id, EventType::FileDeleted, e.occurred_at),
        Event::SettingsChanged(e) => (&e.id, EventType::SettingsChanged, e.occurred_at),
    }
}

impl Handlers for Feed {
    /// Events after `cursor` (an event id), oldest first.
    async fn list_events(
        &self,
        _auth: Bearer,
        workspace_id: Uuid,
        types: Option<Vec<EventType>>,
        cursor: Option<String>,
        limit: i64,
        since: Option<DateTime<FixedOffset>>,
    ) -> ListEventsResponse {
        let start = cursor
            .and_then(|c| self.0.iter().position(|e| base(e).0 == c).map(|i| i + 1))
            .unwrap_or(0);
        let matching: Vec<&Event> = self.0[start..]
            .iter()
            .filter(|_| workspace_id == WORKSPACE)
            .filter(|e| types.as_ref().is_none_or(|t| t.contains(&base(e).1)))
            .filter(|e| since.is_none_or(|s| base(e).2 >= s))
            .collect();
        let limit = usize::try_from(limit).unwrap_or(0);
        let data: Vec<Event> = matching.iter().take(limit).map(|e| (*e).clone()).collect();
        let has_more = matching.len() > limit;
        let next_cursor = has_more.then(|| base(&data[data.len() - 1]).0.to_owned());
        ListEventsResponse::Ok(Json(EventPage {
            data,
            has_more,
            next_cursor,
        }))
    }

    async fn get_event(
        &self,
        _auth: Bearer,
        workspace_id: Uuid,
        event_id: String,
    ) -> GetEventResponse {
        match self
            .0
            .iter()
            .find(|e| workspace_id == WORKSPACE && base(e).0 == event_id)
        {
            Some(event) => GetEventResponse::Ok(Json(event.clone())),
            None => GetEventResponse::NotFound,
        }
    }
}

/// The API and its documents.
pub fn routes() -> impl Endpoint<Output = Response> {
    codegen_runtime::serve::serve_api(api::Api(Feed::default()), api::DOCUMENT)
}
