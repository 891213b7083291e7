#[tokio::main]
async fn main() -> std::process::ExitCode {
    items::app::serve_example("notes", "127.0.0.1:8004", quickstart::routes()).await
}
