#[tokio::main]
async fn main() -> std::process::ExitCode {
    codegen_runtime::serve::serve_example("notes", "127.0.0.1:8004", quickstart::routes()).await
}
