//! Parameters in the styles poem-openapi does not read itself: delimited arrays
//! (`style: form, explode: false`, `spaceDelimited`, `pipeDelimited`, and header arrays,
//! `a,b,c`) and object parameters (`deepObject`, and `form` objects whose properties are
//! query keys of their own).

use poem::{Request, RequestBody};
use poem_openapi::error::ParseParamError;
use poem_openapi::registry::Registry;
use poem_openapi::types::{ParseError, ParseFromJSON, ParseFromParameter, ParseResult, Type};
use poem_openapi::{ApiExtractor, ExtractParamOptions};

use crate::form;

/// An array parameter sent as one value with its elements separated by `SEP` (`,` for
/// `form` with `explode: false` and for headers, ` ` for `spaceDelimited`, `|` for
/// `pipeDelimited`). Repeated values are read too, each split. An empty value is no
/// elements. Validators see the inner array, as for poem-openapi's own parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Delimited<T, const SEP: char>(pub T);

type_of_field!([T: Type, const SEP: char] Delimited<T, SEP>);

impl<T: ParseFromParameter, const SEP: char> ParseFromParameter for Delimited<T, SEP> {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        Self::parse_from_parameters(std::iter::once(value))
    }

    fn parse_from_parameters<I: IntoIterator<Item = A>, A: AsRef<str>>(
        iter: I,
    ) -> ParseResult<Self> {
        let values: Vec<String> = iter
            .into_iter()
            .flat_map(|v| {
                let v = v.as_ref();
                if v.is_empty() {
                    Vec::new()
                } else {
                    v.split(SEP).map(|s| s.trim().to_owned()).collect()
                }
            })
            .collect();
        T::parse_from_parameters(values)
            .map(Self)
            .map_err(ParseError::propagate)
    }
}

/// A parameter declared with `content: {application/json: …}`: its value is JSON text
/// (`filter={"status":"open"}`), parsed and checked like a JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonParam<T>(pub T);

type_of_field!([T: Type] JsonParam<T>);

impl<T: ParseFromJSON + crate::StrictJson> ParseFromParameter for JsonParam<T> {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        let value: serde_json::Value = serde_json::from_str(value).map_err(ParseError::custom)?;
        T::check(&value).map_err(ParseError::custom)?;
        T::parse_from_json(Some(value))
            .map(Self)
            .map_err(ParseError::propagate)
    }
}

/// An object query parameter: with `DEEP`, OpenAPI's `deepObject` (`filter[status]=open`);
/// without, `style: form` exploded, where each property is a query key of its own
/// (`status=open&owner=me`, other keys ignored). The members are read as JSON, text taking
/// the types the schema expects, and parsed by poem-openapi: constraints, enums, formats
/// and defaults of the properties are checked as in a body.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryObject<T, const DEEP: bool>(pub T);

impl<'a, T: ParseFromJSON, const DEEP: bool> ApiExtractor<'a> for QueryObject<T, DEEP> {
    parameter_items!(Query);

    async fn from_request(
        request: &'a Request,
        _body: &mut RequestBody,
        param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let pairs: Vec<(String, String)> = request.params().map_err(|err| ParseParamError {
            name: param_opts.name,
            reason: err.to_string(),
        })?;
        let mut registry = Registry::new();
        T::register(&mut registry);
        let schema = T::schema_ref();
        let value = if DEEP {
            let prefix = format!("{}[", param_opts.name);
            let members: Vec<(String, String)> = pairs
                .into_iter()
                .filter_map(|(k, v)| {
                    k.strip_prefix(&prefix)
                        .map(|rest| (format!("{}[{rest}", param_opts.name), v))
                })
                .collect();
            (!members.is_empty()).then(|| form::tree(members)[param_opts.name].take())
        } else {
            let members: Vec<(String, String)> = pairs
                .into_iter()
                .filter(|(k, _)| {
                    let name = k.split('[').next().unwrap_or(k);
                    form::property_of(&schema, name, &registry)
                })
                .collect();
            (!members.is_empty()).then(|| form::tree(members))
        };
        if value.is_none() {
            if let Some(default) = param_opts.default_value {
                return Ok(Self(default()));
            }
        }
        let value = value.map(|v| form::coerce(v, &schema, &registry));
        T::parse_from_json(value).map(Self).map_err(|err| {
            ParseParamError {
                name: param_opts.name,
                reason: err.into_message(),
            }
            .into()
        })
    }
}

#[cfg(test)]
mod tests {
    use poem_openapi::Object;

    use super::*;

    #[test]
    fn delimited_values_are_split_and_parsed() {
        let comma = <Delimited<Vec<i64>, ','>>::parse_from_parameters(["1,2", "3"]).unwrap();
        let pipe = <Delimited<Vec<String>, '|'>>::parse_from_parameters(["a|b c"]).unwrap();
        let empty = <Delimited<Vec<i64>, ','>>::parse_from_parameters([""]).unwrap();

        assert_eq!(comma.0, vec![1, 2, 3]);
        assert_eq!(pipe.0, vec!["a".to_owned(), "b c".to_owned()]);
        assert!(empty.0.is_empty());
        assert!(<Delimited<Vec<i64>, ','>>::parse_from_parameters(["1,x"]).is_err());
    }

    #[test]
    fn json_parameters_are_parsed_as_json() {
        let ok = <JsonParam<Vec<String>>>::parse_from_parameter(r#"["a","b"]"#).unwrap();

        assert_eq!(ok.0, vec!["a".to_owned(), "b".to_owned()]);
        assert!(<JsonParam<Vec<String>>>::parse_from_parameter("[1]").is_err());
        assert!(<JsonParam<Vec<String>>>::parse_from_parameter("a,b").is_err());
    }

    #[derive(Object, Debug, PartialEq)]
    struct Filter {
        status: Option<String>,
        min: Option<i64>,
    }

    async fn extract<const DEEP: bool>(query: &str) -> poem::Result<Option<Filter>> {
        let request = Request::builder()
            .uri(format!("/x?{query}").parse().unwrap())
            .finish();
        let options = ExtractParamOptions {
            name: "filter",
            ..Default::default()
        };
        <QueryObject<Option<Filter>, DEEP> as ApiExtractor>::from_request(
            &request,
            &mut RequestBody::default(),
            options,
        )
        .await
        .map(|q| q.0)
    }

    #[tokio::test]
    async fn deep_objects_are_read_from_bracketed_keys() {
        let f = extract::<true>("filter[status]=open&filter[min]=3&other=1").await;
        let absent = extract::<true>("other=1").await;
        let bad = extract::<true>("filter[min]=many").await;

        assert_eq!(
            f.unwrap(),
            Some(Filter {
                status: Some("open".into()),
                min: Some(3)
            })
        );
        assert_eq!(absent.unwrap(), None);
        assert!(bad.is_err());
    }

    #[tokio::test]
    async fn query_strings_are_decoded() {
        let f = extract::<true>("filter%5Bstatus%5D=x+y%21").await;

        assert_eq!(f.unwrap().and_then(|f| f.status), Some("x y!".to_owned()));
    }

    #[tokio::test]
    async fn form_objects_are_read_from_their_properties_keys() {
        let f = extract::<false>("status=open&min=3&page=2").await;

        assert_eq!(
            f.unwrap(),
            Some(Filter {
                status: Some("open".into()),
                min: Some(3)
            })
        );
    }
}
