//! Generates five of the corpus specs, in the default mode a user with their own spec gets:
//! what they do not declare (most of their 400s, 413s, 415s) is a warning, and the server
//! answers those rejections with problem details.

const CORPUS: &str = "../../codegen/tests/fixtures/corpus";

fn main() {
    for name in [
        "todo_list",
        "geo_places",
        "job_queue",
        "inventory",
        "event_stream",
    ] {
        codegen::Generator::new(format!("{CORPUS}/{name}.yaml")).run();
    }
}
