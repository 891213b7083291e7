//! A job queue: 200, 201 and 202 from one operation, `Location` and `Retry-After`, an enum
//! filter, a named integer enum, UUID ids, and the API's own error envelope for the errors
//! the handlers find. Requests the server rejects before a handler are answered with problem
//! details: the spec declares no 413 or 415, so its 400 cannot answer them all (the build
//! says so).

use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::{DateTime, FixedOffset, Utc};
use poem::{Endpoint, Response};
use poem_openapi::auth::ApiKey;
use poem_openapi::payload::Json;
use uuid::Uuid;

/// The code generated from `corpus/job_queue.yaml`.
pub mod api {
    include!(concat!(env!("OUT_DIR"), "/job_queue.rs"));
}

use api::*;

/// How many jobs a queue holds waiting before it answers 429.
pub const QUEUE_CAPACITY: usize = 3;

/// The jobs, in memory, with the queue each is in.
#[derive(Default)]
pub struct Jobs(Mutex<State>);

#[derive(Default)]
struct State {
    jobs: BTreeMap<Uuid, (String, Job)>,
    dedupe: BTreeMap<String, Uuid>,
    next: u128,
}

fn envelope(code: &str, message: impl Into<String>) -> Json<ErrorEnvelope> {
    Json(ErrorEnvelope {
        error: ErrorEnvelopeError {
            code: code.to_owned(),
            message: message.into(),
            details: None,
        },
    })
}

fn now() -> DateTime<FixedOffset> {
    Utc::now().fixed_offset()
}

impl Jobs {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().expect("no handler panics while holding it")
    }
}

impl Handlers for Jobs {
    async fn list_queues(&self, _auth: ApiKey) -> ListQueuesResponse {
        let state = self.state();
        let mut depth: BTreeMap<&str, i64> = BTreeMap::new();
        for (queue, job) in state.jobs.values() {
            *depth.entry(queue).or_default() += i64::from(job.state == JobState::Queued);
        }
        let queues = depth
            .into_iter()
            .map(|(name, depth)| Queue {
                name: Some(name.to_owned()),
                depth: Some(depth),
                concurrency: Some(1),
                paused: Some(false),
            })
            .collect();
        ListQueuesResponse::Ok(Json(queues))
    }

    async fn list_jobs(
        &self,
        _auth: ApiKey,
        queue: String,
        state: Option<JobState>,
        priority: i64,
        limit: i64,
    ) -> ListJobsResponse {
        let jobs = self
            .state()
            .jobs
            .values()
            .filter(|(q, job)| *q == queue && job.priority == priority)
            .filter(|(_, job)| state.is_none_or(|s| job.state == s))
            .take(usize::try_from(limit).unwrap_or(0))
            .map(|(_, job)| job.clone())
            .collect();
        ListJobsResponse::Ok(Json(jobs))
    }

    /// 200 when the job ran (`wait=true`) or a job with its dedupe key exists, 201 when it
    /// is scheduled for later, else 202: queued, with where to poll.
    async fn enqueue_job(
        &self,
        _auth: ApiKey,
        queue: String,
        wait: bool,
        body: NewJob,
    ) -> EnqueueJobResponse {
        let mut state = self.state();
        if let Some(id) = body.dedupe_key.as_ref().and_then(|k| state.dedupe.get(k)) {
            return EnqueueJobResponse::Ok(Json(state.jobs[id].1.clone()));
        }
        if body.run_at.is_some_and(|at| at < now()) {
            return EnqueueJobResponse::BadRequest(envelope(
                "run_at_in_past",
                "`run_at` is in the past",
            ));
        }
        let waiting = state
            .jobs
            .values()
            .filter(|(q, j)| *q == queue && j.state == JobState::Queued)
            .count();
        if !wait && waiting >= QUEUE_CAPACITY {
            return EnqueueJobResponse::TooManyRequests(envelope(
                "queue_full",
                format!("`{queue}` holds {waiting} waiting jobs"),
            ));
        }
        state.next += 1;
        let id = Uuid::from_u128(state.next);
        let mut job = Job {
            id,
            task: body.task,
            state: JobState::Queued,
            priority: body.priority,
            attempts: 0,
            payload: body.payload.clone(),
            result: None,
            last_error: None,
            enqueued_at: Some(now()),
            finished_at: None,
        };
        if wait {
            // Running a job here means echoing its payload as its result.
            job.state = JobState::Succeeded;
            job.attempts = 1;
            job.result = body.payload;
            job.finished_at = Some(now());
        }
        if let Some(key) = body.dedupe_key {
            state.dedupe.insert(key, id);
        }
        state.jobs.insert(id, (queue, job.clone()));
        if wait {
            EnqueueJobResponse::Ok(Json(job))
        } else if body.run_at.is_some() {
            EnqueueJobResponse::Created(Json(job))
        } else {
            EnqueueJobResponse::Accepted(Json(job), Some(format!("/jobs/{id}")), Some(5))
        }
    }

    async fn get_job(&self, _auth: ApiKey, job_id: Uuid) -> GetJobResponse {
        match self.state().jobs.get(&job_id) {
            Some((_, job)) => GetJobResponse::Ok(Json(job.clone())),
            None => GetJobResponse::NotFound(envelope("not_found", format!("no job {job_id}"))),
        }
    }

    /// Cancelling a job that does not exist, or no longer waits, is a conflict.
    async fn cancel_job(&self, _auth: ApiKey, job_id: Uuid) -> CancelJobResponse {
        match self.state().jobs.get_mut(&job_id) {
            Some((_, job)) if job.state == JobState::Queued => {
                job.state = JobState::Cancelled;
                job.finished_at = Some(now());
                CancelJobResponse::Accepted
            }
            Some((_, job)) => CancelJobResponse::Conflict(envelope(
                "not_cancellable",
                format!("the job is {:?}", job.state),
            )),
            None => CancelJobResponse::Conflict(envelope("not_found", format!("no job {job_id}"))),
        }
    }
}

/// The API and its documents.
pub fn routes() -> impl Endpoint<Output = Response> {
    codegen_runtime::serve::serve_api(api::Api(Jobs::default()), api::DOCUMENT)
}
