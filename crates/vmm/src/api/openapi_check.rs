//! Checks of requests and responses against the API's description,
//! `docs/api/openapi.yaml`: the contract tests of the API, here and in the
//! integration tests that drive a real VMM.
//!
//! The validator implements the subset of OpenAPI 3.0 schemas the
//! document uses: `type`, `nullable`, `required`, `properties`,
//! `additionalProperties` (`false` or a schema), `enum`, `items`,
//! `minItems`/`maxItems`, `minLength`/`maxLength`, `minimum`/`maximum`
//! and `$ref` to `#/components/schemas/*`; `description`, `example`,
//! `default`, `format`, `title` and `pattern` are annotations (not
//! checked). Any other keyword is an error, so the document cannot grow
//! constructs the checks would silently skip ([`Spec::lint`]).

use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// The HTTP methods an OpenAPI path item may describe.
const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Schema keywords that are checked.
const CHECKED: &[&str] = &[
    "type",
    "nullable",
    "required",
    "properties",
    "additionalProperties",
    "enum",
    "items",
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "$ref",
];

/// Schema keywords that are annotations only.
const ANNOTATIONS: &[&str] = &[
    "description",
    "example",
    "default",
    "format",
    "title",
    "pattern",
];

/// How deep schemas may nest (through `$ref`s) before the validator gives
/// up: a guard against reference cycles.
const MAX_DEPTH: usize = 64;

/// Why the document could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not YAML.
    #[error("{}: invalid YAML: {message}", path.display())]
    Yaml {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// The YAML is not an OpenAPI 3.0 document.
    #[error("{}: not an OpenAPI 3.0 document: {message}", path.display())]
    NotOpenApi {
        /// The file.
        path: PathBuf,
        /// What is missing.
        message: String,
    },
}

/// A loaded OpenAPI document.
#[derive(Clone, Debug)]
pub struct Spec {
    doc: Value,
}

/// Where the API's description lives in the source tree.
pub fn default_spec_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/api/openapi.yaml")
}

/// Load and parse an OpenAPI document (YAML or JSON).
pub fn load_spec(path: &Path) -> Result<Spec, SpecError> {
    let text = std::fs::read_to_string(path).map_err(|source| SpecError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    Spec::from_yaml(&text).map_err(|e| match e {
        SpecError::Yaml { message, .. } => SpecError::Yaml {
            path: path.to_path_buf(),
            message,
        },
        SpecError::NotOpenApi { message, .. } => SpecError::NotOpenApi {
            path: path.to_path_buf(),
            message,
        },
        other => other,
    })
}

/// Convert YAML to JSON; mapping keys become strings (`200:` → `"200"`).
fn yaml_to_json(v: serde_yaml::Value) -> Value {
    use serde_yaml::Value as Y;
    match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(u) = n.as_u64() {
                Value::from(u)
            } else if let Some(i) = n.as_i64() {
                Value::from(i)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(Value::Null, Value::Number)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(seq) => Value::Array(seq.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let key = match yaml_to_json(k) {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        Y::Tagged(tagged) => yaml_to_json(tagged.value),
    }
}

/// A short description of a JSON value's type, for messages.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

impl Spec {
    /// Parse a document from its text.
    pub fn from_yaml(text: &str) -> Result<Spec, SpecError> {
        let yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| SpecError::Yaml {
            path: PathBuf::new(),
            message: e.to_string(),
        })?;
        let doc = yaml_to_json(yaml);
        let not = |message: &str| SpecError::NotOpenApi {
            path: PathBuf::new(),
            message: message.into(),
        };
        match doc.get("openapi").and_then(Value::as_str) {
            Some(v) if v.starts_with("3.0.") => {}
            _ => return Err(not("no `openapi: 3.0.x`")),
        }
        if !doc.get("paths").is_some_and(Value::is_object) {
            return Err(not("no `paths`"));
        }
        Ok(Spec { doc })
    }

    /// The whole document, as JSON.
    pub fn document(&self) -> &Value {
        &self.doc
    }

    /// The `paths` object.
    fn paths(&self) -> &Map<String, Value> {
        self.doc["paths"].as_object().expect("checked on load")
    }

    /// Every operation: `(METHOD, path template)`, methods in upper case,
    /// sorted by path template.
    pub fn operations(&self) -> Vec<(String, String)> {
        let mut ops = Vec::new();
        for (template, item) in self.paths() {
            if let Some(item) = item.as_object() {
                for method in item.keys().filter(|k| METHODS.contains(&k.as_str())) {
                    ops.push((method.to_ascii_uppercase(), template.clone()));
                }
            }
        }
        ops.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
        ops
    }

    /// The path template that `path` (a template itself, or a concrete
    /// path such as `/drives/rootfs`; a query string is ignored) matches.
    pub fn resolve_path(&self, path: &str) -> Option<&str> {
        let path = path.split_once('?').map_or(path, |(p, _)| p);
        if let Some((template, _)) = self.paths().get_key_value(path) {
            return Some(template);
        }
        let segments: Vec<&str> = path.split('/').collect();
        self.paths().keys().map(String::as_str).find(|template| {
            let t: Vec<&str> = template.split('/').collect();
            t.len() == segments.len()
                && t.iter().zip(&segments).all(|(t, s)| {
                    if t.starts_with('{') && t.ends_with('}') {
                        !s.is_empty()
                    } else {
                        t == s
                    }
                })
        })
    }

    /// The operation object of `method` on `path` (template or concrete).
    pub fn operation(&self, method: &str, path: &str) -> Result<&Value, String> {
        let template = self
            .resolve_path(path)
            .ok_or_else(|| format!("{path}: no such path in the document"))?;
        self.paths()[template]
            .get(method.to_ascii_lowercase())
            .ok_or_else(|| format!("{method} {template}: no such operation in the document"))
    }

    /// Follow a `$ref` (`#/a/b/c`) inside the document.
    fn follow(&self, reference: &str) -> Result<&Value, String> {
        let pointer = reference
            .strip_prefix('#')
            .ok_or_else(|| format!("$ref {reference:?}: only local references are supported"))?;
        self.doc
            .pointer(pointer)
            .ok_or_else(|| format!("$ref {reference:?} does not resolve"))
    }

    /// An object that may be a `$ref` to another, resolved.
    fn deref<'a>(&'a self, v: &'a Value) -> Result<&'a Value, String> {
        match v.get("$ref").and_then(Value::as_str) {
            Some(r) => self.follow(r),
            None => Ok(v),
        }
    }

    /// A component schema by name.
    pub fn schema(&self, name: &str) -> Option<&Value> {
        self.doc.pointer(&format!("/components/schemas/{name}"))
    }

    /// The JSON schema of the request body of `method path`; `None` if
    /// the operation takes no body.
    pub fn request_schema(&self, method: &str, path: &str) -> Result<Option<&Value>, String> {
        let op = self.operation(method, path)?;
        let Some(body) = op.get("requestBody") else {
            return Ok(None);
        };
        let body = self.deref(body)?;
        body.pointer("/content/application~1json/schema")
            .map(Some)
            .ok_or_else(|| {
                format!("{method} {path}: requestBody without an application/json schema")
            })
    }

    /// The response object documented for `status`: by exact code, then
    /// by range (`4XX`), then `default`.
    fn response(&self, method: &str, path: &str, status: u16) -> Result<&Value, String> {
        let op = self.operation(method, path)?;
        let responses = op
            .get("responses")
            .and_then(Value::as_object)
            .ok_or_else(|| format!("{method} {path}: no responses"))?;
        let exact = status.to_string();
        let range = format!("{}XX", status / 100);
        let response = responses
            .get(&exact)
            .or_else(|| responses.get(&range))
            .or_else(|| responses.get("default"))
            .ok_or_else(|| format!("{method} {path}: status {status} is not documented"))?;
        self.deref(response)
    }

    /// The JSON schema of the body answered with `status`; `None` if that
    /// response has no content (such as `204`).
    pub fn response_schema(
        &self,
        method: &str,
        path: &str,
        status: u16,
    ) -> Result<Option<&Value>, String> {
        let response = self.response(method, path, status)?;
        match response.get("content") {
            None => Ok(None),
            Some(content) => content
                .pointer("/application~1json/schema")
                .map(Some)
                .ok_or_else(|| {
                    format!("{method} {path} {status}: content without an application/json schema")
                }),
        }
    }

    /// Check `value` against `schema` (a schema of this document).
    pub fn validate(&self, schema: &Value, value: &Value) -> Result<(), String> {
        self.check(schema, value, "$", 0)
    }

    /// Check `value` against the component schema `name`.
    pub fn validate_component(&self, name: &str, value: &Value) -> Result<(), String> {
        let schema = self
            .schema(name)
            .ok_or_else(|| format!("no schema {name:?} in components"))?;
        self.validate(schema, value)
    }

    fn check(&self, schema: &Value, value: &Value, at: &str, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("{at}: schemas nest too deep (a $ref cycle?)"));
        }
        let schema = schema
            .as_object()
            .ok_or_else(|| format!("{at}: the schema is not an object"))?;
        for key in schema.keys() {
            if !CHECKED.contains(&key.as_str()) && !ANNOTATIONS.contains(&key.as_str()) {
                return Err(format!("{at}: unsupported schema keyword `{key}`"));
            }
        }
        if let Some(reference) = schema.get("$ref") {
            let reference = reference
                .as_str()
                .ok_or_else(|| format!("{at}: $ref is not a string"))?;
            if !reference.starts_with("#/components/schemas/") {
                return Err(format!(
                    "{at}: $ref {reference:?} is not to a component schema"
                ));
            }
            return self.check(self.follow(reference)?, value, at, depth + 1);
        }
        if value.is_null() && schema.get("nullable") == Some(&Value::Bool(true)) {
            return Ok(());
        }
        if let Some(allowed) = schema.get("enum") {
            let allowed = allowed
                .as_array()
                .ok_or_else(|| format!("{at}: enum is not an array"))?;
            if !allowed.contains(value) {
                return Err(format!(
                    "{at}: {value} is not one of {}",
                    Value::from(allowed.clone())
                ));
            }
        }
        if let Some(ty) = schema.get("type") {
            let ty = ty
                .as_str()
                .ok_or_else(|| format!("{at}: type is not a string"))?;
            let ok = match ty {
                "object" => value.is_object(),
                "array" => value.is_array(),
                "string" => value.is_string(),
                "integer" => value.is_i64() || value.is_u64(),
                "number" => value.is_number(),
                "boolean" => value.is_boolean(),
                other => return Err(format!("{at}: unknown type {other:?}")),
            };
            if !ok {
                return Err(format!("{at}: expected {ty}, got {} {value}", kind(value)));
            }
        }
        let number = |key: &str| -> Result<Option<f64>, String> {
            schema
                .get(key)
                .map(|v| {
                    v.as_f64()
                        .ok_or_else(|| format!("{at}: {key} is not a number"))
                })
                .transpose()
        };
        if let Some(x) = value.as_f64() {
            if let Some(min) = number("minimum")? {
                if x < min {
                    return Err(format!("{at}: {value} is less than the minimum {min}"));
                }
            }
            if let Some(max) = number("maximum")? {
                if x > max {
                    return Err(format!("{at}: {value} is more than the maximum {max}"));
                }
            }
        }
        if let Some(s) = value.as_str() {
            let len = s.chars().count() as f64;
            if number("minLength")?.is_some_and(|min| len < min) {
                return Err(format!("{at}: {value} is shorter than minLength"));
            }
            if number("maxLength")?.is_some_and(|max| len > max) {
                return Err(format!("{at}: {value} is longer than maxLength"));
            }
        }
        if let Some(items) = value.as_array() {
            let len = items.len() as f64;
            if number("minItems")?.is_some_and(|min| len < min) {
                return Err(format!("{at}: fewer items than minItems"));
            }
            if number("maxItems")?.is_some_and(|max| len > max) {
                return Err(format!("{at}: more items than maxItems"));
            }
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    self.check(item_schema, item, &format!("{at}[{i}]"), depth + 1)?;
                }
            }
        }
        if let Some(object) = value.as_object() {
            let empty = Map::new();
            let properties = match schema.get("properties") {
                None => &empty,
                Some(p) => p
                    .as_object()
                    .ok_or_else(|| format!("{at}: properties is not an object"))?,
            };
            if let Some(required) = schema.get("required") {
                let required = required
                    .as_array()
                    .ok_or_else(|| format!("{at}: required is not an array"))?;
                for name in required {
                    let name = name
                        .as_str()
                        .ok_or_else(|| format!("{at}: required has a non-string"))?;
                    if !object.contains_key(name) {
                        return Err(format!("{at}: missing required property `{name}`"));
                    }
                }
            }
            for (name, v) in object {
                let here = format!("{at}.{name}");
                match (properties.get(name), schema.get("additionalProperties")) {
                    (Some(prop), _) => self.check(prop, v, &here, depth + 1)?,
                    (None, None | Some(Value::Bool(true))) => {}
                    (None, Some(Value::Bool(false))) => {
                        return Err(format!("{at}: property `{name}` is not allowed"))
                    }
                    (None, Some(extra)) => self.check(extra, v, &here, depth + 1)?,
                }
            }
        }
        Ok(())
    }

    /// Check the document itself: every operation has responses whose
    /// errors (`4XX`, `5XX`, `default`) are `Fault`s, request and response
    /// schemas are `application/json`, every schema uses only the
    /// supported keywords with valid `$ref`s and `required` names that
    /// are among its `properties`, and every `example` validates.
    pub fn lint(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        for (method, template) in self.operations() {
            let op = &self.paths()[&template][method.to_ascii_lowercase()];
            let Some(responses) = op.get("responses").and_then(Value::as_object) else {
                problems.push(format!("{method} {template}: no responses"));
                continue;
            };
            for (code, response) in responses {
                let at = format!("{method} {template} {code}");
                let response = match self.deref(response) {
                    Ok(r) => r,
                    Err(e) => {
                        problems.push(format!("{at}: {e}"));
                        continue;
                    }
                };
                let schema = response.pointer("/content/application~1json/schema");
                let is_error = code == "default" || code.starts_with('4') || code.starts_with('5');
                if is_error
                    && schema.and_then(|s| s.get("$ref")).and_then(Value::as_str)
                        != Some("#/components/schemas/Fault")
                {
                    problems.push(format!("{at}: an error response must be a Fault"));
                }
                if code == "204" && response.get("content").is_some() {
                    problems.push(format!("{at}: a 204 response has no content"));
                }
                if let Some(schema) = schema {
                    self.lint_schema(schema, &at, 0, &mut problems);
                } else if response.get("content").is_some() {
                    problems.push(format!("{at}: content is not application/json"));
                }
            }
            match self.request_schema(&method, &template) {
                Ok(Some(schema)) => self.lint_schema(
                    schema,
                    &format!("{method} {template} body"),
                    0,
                    &mut problems,
                ),
                Ok(None) => {}
                Err(e) => problems.push(e),
            }
        }
        if let Some(schemas) = self
            .doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
        {
            for (name, schema) in schemas {
                self.lint_schema(schema, name, 0, &mut problems);
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("\n"))
        }
    }

    fn lint_schema(&self, schema: &Value, at: &str, depth: usize, problems: &mut Vec<String>) {
        if depth > MAX_DEPTH {
            problems.push(format!("{at}: nests too deep"));
            return;
        }
        let Some(map) = schema.as_object() else {
            problems.push(format!("{at}: a schema must be an object"));
            return;
        };
        for key in map.keys() {
            if !CHECKED.contains(&key.as_str()) && !ANNOTATIONS.contains(&key.as_str()) {
                problems.push(format!("{at}: unsupported schema keyword `{key}`"));
            }
        }
        if let Some(reference) = map.get("$ref") {
            match reference.as_str() {
                Some(r) if r.starts_with("#/components/schemas/") => {
                    if let Err(e) = self.follow(r) {
                        problems.push(format!("{at}: {e}"));
                    }
                }
                _ => problems.push(format!("{at}: $ref must be to #/components/schemas/")),
            }
            return;
        }
        if map.get("type").and_then(Value::as_str).is_none() {
            problems.push(format!("{at}: every schema needs a `type` (or a $ref)"));
        }
        let properties = map.get("properties").and_then(Value::as_object);
        if let Some(required) = map.get("required").and_then(Value::as_array) {
            for name in required {
                let known = name
                    .as_str()
                    .is_some_and(|n| properties.is_some_and(|p| p.contains_key(n)));
                if !known {
                    problems.push(format!("{at}: required {name} is not among the properties"));
                }
            }
        }
        for (name, prop) in properties.into_iter().flatten() {
            self.lint_schema(prop, &format!("{at}.{name}"), depth + 1, problems);
        }
        if let Some(extra) = map.get("additionalProperties").filter(|v| v.is_object()) {
            self.lint_schema(extra, &format!("{at}.*"), depth + 1, problems);
        }
        if let Some(items) = map.get("items") {
            self.lint_schema(items, &format!("{at}[]"), depth + 1, problems);
        }
        if let Some(example) = map.get("example") {
            if let Err(e) = self.validate(schema, example) {
                problems.push(format!("{at}: its example does not validate: {e}"));
            }
        }
    }
}

/// Check a response: `body` must be `Value::Null` (no body) if the
/// documented response for `status` has no content, else JSON that
/// validates against its schema. `path` may be a template or a concrete
/// path (`/drives/rootfs`; a query string is ignored).
pub fn validate_response(
    spec: &Spec,
    method: &str,
    path: &str,
    status: u16,
    body: &Value,
) -> Result<(), String> {
    let schema = spec.response_schema(method, path, status)?;
    match (schema, body) {
        (None, Value::Null) => Ok(()),
        (None, body) => Err(format!(
            "{method} {path} {status}: documented without content, got {body}"
        )),
        (Some(_), Value::Null) => Err(format!(
            "{method} {path} {status}: documented with a JSON body, got none"
        )),
        (Some(schema), body) => spec
            .validate(schema, body)
            .map_err(|e| format!("{method} {path} {status}: {e}")),
    }
}

/// [`validate_response`] for a body as received: empty (or blank) for no
/// body, else JSON text.
pub fn validate_response_text(
    spec: &Spec,
    method: &str,
    path: &str,
    status: u16,
    body: &str,
) -> Result<(), String> {
    let json = if body.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str::<Value>(body)
            .map_err(|e| format!("{method} {path} {status}: the body is not JSON: {e}"))?
    };
    validate_response(spec, method, path, status, &json)
}

/// Check a request body against the documented request schema of
/// `method path`.
pub fn validate_request(spec: &Spec, method: &str, path: &str, body: &Value) -> Result<(), String> {
    let schema = spec
        .request_schema(method, path)?
        .ok_or_else(|| format!("{method} {path}: documented without a request body"))?;
    spec.validate(schema, body)
        .map_err(|e| format!("{method} {path} request: {e}"))
}

#[cfg(test)]
#[path = "contract_tests.rs"]
mod contract_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const DOC: &str = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /things/{id}:
    put:
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Thing'}
      responses:
        204: {description: ok}
        default:
          description: error
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Fault'}
  /things:
    get:
      responses:
        200:
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Thing'}}
components:
  schemas:
    Thing:
      type: object
      additionalProperties: false
      required: [id]
      properties:
        id: {type: string, minLength: 1, maxLength: 3}
        n: {type: integer, minimum: 1, maximum: 9}
        kind: {type: string, enum: [a, b]}
        tags: {type: object, additionalProperties: {type: integer}}
        maybe: {type: boolean, nullable: true}
      example: {id: x, n: 2}
    Fault:
      type: object
      required: [fault_message]
      properties:
        fault_message: {type: string}
"##;

    #[test]
    fn resolves_and_validates() {
        let spec = Spec::from_yaml(DOC).unwrap();
        spec.lint().unwrap();
        assert_eq!(
            spec.operations(),
            vec![
                ("GET".to_string(), "/things".to_string()),
                ("PUT".to_string(), "/things/{id}".to_string())
            ]
        );
        assert_eq!(spec.resolve_path("/things/abc?q"), Some("/things/{id}"));
        assert_eq!(spec.resolve_path("/things/{id}"), Some("/things/{id}"));
        assert_eq!(spec.resolve_path("/things/"), None);
        assert_eq!(spec.resolve_path("/things/a/b"), None);

        validate_response_text(&spec, "PUT", "/things/x", 204, "").unwrap();
        assert!(validate_response_text(&spec, "PUT", "/things/x", 204, "{}").is_err());
        validate_response_text(&spec, "PUT", "/things/x", 418, r#"{"fault_message":"x"}"#).unwrap();
        assert!(
            validate_response_text(&spec, "PUT", "/things/x", 400, r#"{"fault":"x"}"#).is_err()
        );
        assert!(validate_response_text(&spec, "GET", "/things", 500, "").is_err());
        validate_response(
            &spec,
            "GET",
            "/things",
            200,
            &json!([{"id": "a", "tags": {"x": 1}}]),
        )
        .unwrap();
        validate_response(&spec, "PUT", "/things/x", 204, &Value::Null).unwrap();
        assert!(validate_response(&spec, "GET", "/things", 200, &Value::Null).is_err());

        let ok = |v: Value| validate_request(&spec, "PUT", "/things/a", &v);
        ok(json!({"id": "abc", "n": 9, "kind": "b", "maybe": null})).unwrap();
        for (bad, why) in [
            (json!({"n": 1}), "missing required"),
            (json!({"id": ""}), "minLength"),
            (json!({"id": "abcd"}), "maxLength"),
            (json!({"id": "a", "n": 0}), "minimum"),
            (json!({"id": "a", "n": 10}), "maximum"),
            (json!({"id": "a", "n": 1.5}), "expected integer"),
            (json!({"id": "a", "kind": "c"}), "not one of"),
            (json!({"id": "a", "zzz": 1}), "not allowed"),
            (json!({"id": "a", "tags": {"x": "1"}}), "$.tags.x"),
            (json!({"id": 1}), "expected string"),
            (json!([]), "expected object"),
        ] {
            let e = ok(bad.clone()).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
        assert!(validate_request(&spec, "GET", "/things", &json!({})).is_err());
        assert!(spec.operation("DELETE", "/things").is_err());
    }

    #[test]
    fn lint_finds_problems() {
        let broken = DOC
            .replace("minLength: 1,", "pattern: x, oneOf: [],")
            .replace("required: [id]", "required: [id, nope]")
            .replace("example: {id: x, n: 2}", "example: {n: 2}")
            .replace(
                "schema: {$ref: '#/components/schemas/Fault'}",
                "schema: {type: object}",
            );
        let e = Spec::from_yaml(&broken).unwrap().lint().unwrap_err();
        for needle in ["`oneOf`", "nope", "example", "must be a Fault"] {
            assert!(e.contains(needle), "{needle}: {e}");
        }
        assert!(Spec::from_yaml("a: b").is_err());
        assert!(Spec::from_yaml("openapi: 3.0.3\npaths: {}\n").is_ok());
    }
}
