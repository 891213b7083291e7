//! Contract tests: the real server over real HTTP on 127.0.0.1, every response checked
//! against openapi/items.yaml. One binary (`harness = false`, libtest-mimic) so that, after
//! every other test has run, the coverage gate can check that each (operation, status) pair
//! items.yaml declares was observed at least once.

mod catalog;
mod concurrency;
mod conformance;
mod connections;
mod docs;
mod helpers;
mod items;
mod pets;
mod process;
mod rejections;
mod schemathesis;
mod spec;
mod stores;
mod unavailable;

use libtest_mimic::{Arguments, Failed, Trial};

macro_rules! trials {
    ($($module:ident :: $name:ident),* $(,)?) => {
        vec![$(
            Trial::test(concat!(stringify!($module), "::", stringify!($name)), || {
                helpers::block_on($module::$name());
                Ok(())
            }),
        )*]
    };
}

fn main() {
    let args = Arguments::from_args();
    let trials = trials![
        items::seed_scenario_update_is_200_create_is_201_with_location_then_200,
        items::seed_items_are_served,
        items::put_replaces_both_fields_so_an_omitted_field_becomes_null,
        items::put_accepts_json_with_a_charset_parameter,
        items::get_of_a_missing_item_is_404_problem,
        items::delete_is_204_then_404_and_the_item_is_gone,
        items::listing_pages_in_id_order_and_every_item_appears_once,
        items::listing_defaults_to_20_items,
        items::a_body_sent_with_a_get_is_ignored_not_rejected,
        items::conditional_requests_follow_rfc_9110,
        items::metrics_count_requests_by_operation_and_status,
        rejections::malformed_and_mistyped_bodies_are_400,
        rejections::an_unknown_field_is_400_and_names_the_field,
        rejections::rejections_point_at_the_request_and_the_spec,
        rejections::every_parameter_problem_is_reported_at_once,
        rejections::values_outside_the_specs_limits_are_400,
        rejections::malformed_item_ids_are_400_on_every_operation,
        rejections::bad_listing_parameters_are_400,
        rejections::a_body_that_is_not_declared_json_is_415,
        rejections::a_body_over_64_kib_is_413_with_or_without_content_length,
        rejections::unknown_routes_and_methods_get_problem_bodies,
        rejections::allowed_methods_are_announced_and_head_works,
        rejections::request_ids_are_echoed_and_name_the_problem,
        rejections::long_targets_and_headers_get_problem_bodies,
        schemathesis::schemathesis_finds_no_failure_with_every_check,
        concurrency::sixty_four_concurrent_puts_have_exactly_one_winner_on_every_store,
        unavailable::every_operation_answers_503_with_retry_after_while_the_store_is_down,
        conformance::derived_document_equals_items_yaml_up_to_known_differences,
        conformance::served_openapi_yaml_is_the_same_document,
        conformance::served_openapi_yaml_is_items_yaml_byte_for_byte,
        conformance::the_comparison_reports_a_changed_description_and_a_changed_status,
        conformance::the_response_checker_rejects_what_the_spec_does_not_allow,
        conformance::the_response_checker_applies_openapi_30_exclusive_bounds,
        docs::docs_page_shows_put_with_200_and_201_offline,
        docs::docs_page_loads_nothing_from_other_hosts,
        docs::the_root_points_at_the_docs_and_the_document,
        process::the_binary_serves_the_seed_and_stops_cleanly_on_sigterm,
        process::a_bad_flag_is_a_usage_error_not_a_panic,
        process::metrics_off_records_nothing_and_serves_the_rest,
        process::version_names_the_server_and_the_api,
        process::every_request_is_logged_once_with_its_id,
        connections::stalled_connections_are_closed_after_the_idle_timeout,
        connections::a_request_head_trickling_in_is_closed_after_the_header_timeout,
        connections::past_the_connection_cap_new_connections_wait_and_are_then_served,
        connections::under_a_low_file_limit_the_server_keeps_serving,
        process::sqlite_writes_survive_kill_9,
        process::postgres_writes_survive_kill_9,
        process::two_processes_on_one_postgres_create_a_new_id_once,
        process::two_processes_on_one_postgres_let_one_if_match_put_win,
        process::a_database_newer_than_the_binary_is_refused_with_a_clear_error,
        stores::memory_store_passes_the_conformance_suite,
        stores::sqlite_store_passes_the_conformance_suite,
        stores::postgres_store_passes_the_conformance_suite,
        stores::sqlite_and_postgres_serve_the_seed_scenario_over_http,
        stores::a_locked_sqlite_database_answers_503_then_recovers,
        stores::a_full_sqlite_disk_answers_503_keeps_earlier_items_and_recovers,
        stores::a_cut_postgres_connection_answers_503_then_recovers,
        catalog::served_document_equals_catalog_yaml,
        catalog::every_operation_answers_as_declared,
        catalog::parameters_in_every_location_are_parsed_and_defaulted,
        catalog::values_the_spec_forbids_are_400_problems,
        pets::served_document_equals_pets_yaml,
        pets::a_changed_pets_yaml_is_reported,
        pets::every_operation_answers_as_declared,
        pets::unions_are_told_apart_by_discriminator_and_by_shape,
        pets::credentials_are_required_typed_and_alternative,
        pets::a_photo_form_is_read_part_by_part,
        pets::multipart_enum_and_json_parts_are_checked,
        pets::form_fields_are_typed_nested_and_checked,
        pets::credentials_required_together_are_both_checked,
    ];
    let total = trials.len();
    let conclusion = libtest_mimic::run(&args, trials);
    helpers::drop_test_databases();

    // The gate only means something when every test ran: skip it for a filtered run.
    let filtered = conclusion.num_filtered_out > 0 || !args.skip.is_empty();
    if conclusion.has_failed() || filtered || args.list {
        if filtered && !args.list {
            eprintln!("coverage gate skipped: only part of the {total} contract tests ran");
        }
        conclusion.exit();
    }
    let gate = Trial::test("coverage_gate::every_declared_status_was_observed", || {
        let seen = helpers::observed()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let missing: Vec<String> = spec::declared_pairs(spec::written())
            .difference(&seen)
            .map(|(op, status)| format!("{op} {status}"))
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(Failed::from(format!(
                "declared in openapi/items.yaml but never answered by any test: {}",
                missing.join(", ")
            )))
        }
    });
    libtest_mimic::run(
        &Arguments {
            test_threads: Some(1),
            ..Arguments::default()
        },
        vec![gate],
    )
    .exit();
}
