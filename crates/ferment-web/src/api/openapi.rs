//! `/api/v1/openapi.json`: the OpenAPI 3 description of the API.
//!
//! Schemas come from the code: the domain's input types derive `utoipa::ToSchema`, and the API accepts
//! and returns those fields (plus the record envelope), so their schemas describe both requests and
//! answers. The paths come from [`RESOURCES`], one entry per collection; a test walks the table
//! against the real router so the description cannot drift from the routes.

use axum::routing::get;
use axum::{Json, Router};
use ferment_domain::catalog::{ProductInput, WarehouseInput};
use ferment_domain::contact::ContactInput;
use ferment_domain::counterparty::CounterpartyInput;
use ferment_domain::lead::LeadInput;
use ferment_domain::recipe::RecipeInput;
use ferment_domain::sale::{CostInput, SaleInput};
use ferment_domain::task::TaskInput;
use ferment_domain::territory::TerritoryInput;
use ferment_domain::user::UserInput;
use serde_json::{Map, Value, json};
use utoipa::PartialSchema;

use crate::AppState;

/// One collection of the API.
#[derive(Debug, Clone, Copy)]
pub struct Resource {
    /// The OpenAPI tag (and section name).
    pub tag: &'static str,
    /// The collection path below `/api/v1`.
    pub path: &'static str,
    /// The schema name of its records.
    pub schema: &'static str,
    /// Whether items can be changed with PATCH and deleted.
    pub editable: bool,
    /// Whether items have `/history`.
    pub history: bool,
    /// List filters besides `q`, `limit`, `cursor`.
    pub filters: &'static [&'static str],
}

/// Every collection of the API.
pub const RESOURCES: &[Resource] = &[
    Resource {
        tag: "Контрагенты / Counterparties",
        path: "/counterparties",
        schema: "Counterparty",
        editable: true,
        history: true,
        filters: &[
            "territory_id",
            "segment",
            "industry",
            "owner_id",
            "kind",
            "sort",
        ],
    },
    Resource {
        tag: "Контакты / Contacts",
        path: "/contacts",
        schema: "Contact",
        editable: true,
        history: true,
        filters: &["counterparty_id"],
    },
    Resource {
        tag: "Номенклатура / Products",
        path: "/products",
        schema: "Product",
        editable: true,
        history: true,
        filters: &["group_id", "needs_sample"],
    },
    Resource {
        tag: "Склады / Warehouses",
        path: "/warehouses",
        schema: "Warehouse",
        editable: true,
        history: true,
        filters: &[],
    },
    Resource {
        tag: "Территории / Territories",
        path: "/territories",
        schema: "Territory",
        editable: true,
        history: true,
        filters: &[],
    },
    Resource {
        tag: "Лиды / Leads",
        path: "/leads",
        schema: "Lead",
        editable: true,
        history: true,
        filters: &["status", "owner_id"],
    },
    Resource {
        tag: "Продажи / Sales",
        path: "/sales",
        schema: "Sale",
        editable: true,
        history: true,
        filters: &["stage", "status", "counterparty_id", "owner_id"],
    },
    Resource {
        tag: "Задачи / Tasks",
        path: "/tasks",
        schema: "Task",
        editable: false,
        history: true,
        filters: &[
            "sale_id",
            "counterparty_id",
            "assignee",
            "status",
            "kind",
            "due",
        ],
    },
    Resource {
        tag: "Рецептуры / Recipes",
        path: "/recipes",
        schema: "Recipe",
        editable: true,
        history: true,
        filters: &[],
    },
    Resource {
        tag: "Пользователи / Users",
        path: "/users",
        schema: "User",
        editable: true,
        history: true,
        filters: &[],
    },
];

fn schemas() -> Map<String, Value> {
    let mut schemas = Map::new();
    let mut add = |name: &str, schema: utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>| {
        schemas.insert(
            name.to_string(),
            serde_json::to_value(schema).unwrap_or(Value::Null),
        );
    };
    add("Counterparty", CounterpartyInput::schema());
    add("Contact", ContactInput::schema());
    add("Product", ProductInput::schema());
    add("Warehouse", WarehouseInput::schema());
    add("Territory", TerritoryInput::schema());
    add("User", UserInput::schema());
    add("Lead", LeadInput::schema());
    add("Sale", SaleInput::schema());
    add("Task", TaskInput::schema());
    add("Recipe", RecipeInput::schema());
    add("Cost", CostInput::schema());
    add("Company", ferment_domain::company::CompanyInput::schema());
    schemas.insert(
        "Envelope".into(),
        json!({"type": "object", "properties": {
            "id": {"type": "string", "format": "uuid"},
            "version": {"type": "integer", "description": "Send back with PATCH; a stale one answers 409"},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"}}}),
    );
    schemas.insert(
        "Problem".into(),
        json!({"type": "object", "description": "RFC 9457 problem details", "properties": {
            "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
            "detail": {"type": "string"},
            "errors": {"type": "array", "items": {"type": "object", "properties": {
                "field": {"type": "string"}, "message": {"type": "string"}}}},
            "existing_id": {"type": "string", "format": "uuid"},
            "current_version": {"type": "integer"}}}),
    );
    schemas.insert(
        "HistoryEntry".into(),
        json!({"type": "object", "properties": {
            "changed_at": {"type": "string", "format": "date-time"},
            "action": {"type": "string", "enum": ["create", "update", "delete"]},
            "user_id": {"type": "string", "format": "uuid"}, "user_name": {"type": "string"},
            "changes": {"type": "array", "items": {"type": "object", "properties": {
                "field": {"type": "string"}, "old": {}, "new": {}}}}}}),
    );
    schemas
}

fn record(schema: &str) -> Value {
    json!({"allOf": [{"$ref": "#/components/schemas/Envelope"}, {"$ref": format!("#/components/schemas/{schema}")}]})
}

pub(crate) fn json_content(schema: Value) -> Value {
    json!({"application/json": {"schema": schema}})
}

fn problems(codes: &[&str]) -> Map<String, Value> {
    codes
        .iter()
        .map(|code| {
            let text = match *code {
                "401" => "Not signed in",
                "403" => "Not allowed",
                "404" => "Not found or not visible",
                "409" => "Duplicate or stale version",
                _ => "Invalid input, field by field",
            };
            (code.to_string(), json!({"description": text, "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}))
        })
        .collect()
}

pub(crate) fn responses(ok: (&str, &str, Option<Value>), errors: &[&str]) -> Value {
    let mut map = problems(errors);
    let mut body = json!({"description": ok.1});
    if let Some(schema) = ok.2 {
        body["content"] = json_content(schema);
    }
    map.insert(ok.0.to_string(), body);
    Value::Object(map)
}

fn query(name: &str) -> Value {
    json!({"name": name, "in": "query", "required": false, "schema": {"type": "string"}})
}

fn paths() -> Map<String, Value> {
    let mut paths = Map::new();
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}});
    for resource in RESOURCES {
        let item_ref = record(resource.schema);
        let mut parameters: Vec<Value> =
            ["q", "limit", "cursor"].iter().map(|n| query(n)).collect();
        parameters.extend(resource.filters.iter().map(|n| query(n)));
        let page = json!({"type": "object", "properties": {"items": {"type": "array", "items": item_ref}, "next_cursor": {"type": "string"}}});
        paths.insert(
            resource.path.to_string(),
            json!({
                "get": {"tags": [resource.tag], "summary": "List", "parameters": parameters,
                        "responses": responses(("200", "A page", Some(page)), &["401", "422"])},
                "post": {"tags": [resource.tag], "summary": "Create",
                         "requestBody": {"required": true, "content": json_content(json!({"$ref": format!("#/components/schemas/{}", resource.schema)}))},
                         "responses": responses(("201", "Created", Some(item_ref.clone())), &["401", "403", "409", "422"])}
            }),
        );
        let mut item = json!({"get": {"tags": [resource.tag], "summary": "Read", "parameters": [id],
                     "responses": responses(("200", "The record", Some(item_ref.clone())), &["401", "404"])}});
        if resource.editable {
            item["patch"] = json!({"tags": [resource.tag], "summary": "Change the named fields", "parameters": [id],
                "requestBody": {"required": true, "content": json_content(json!({"allOf": [
                    {"type": "object", "required": ["version"], "properties": {"version": {"type": "integer"}}},
                    {"$ref": format!("#/components/schemas/{}", resource.schema)}]}))},
                "responses": responses(("200", "The changed record", Some(item_ref.clone())), &["401", "403", "404", "409", "422"])});
            item["delete"] = json!({"tags": [resource.tag], "summary": "Delete (hide; history is kept)",
                "parameters": [id, {"name": "version", "in": "query", "required": false, "schema": {"type": "integer"}}],
                "responses": responses(("204", "Deleted", None), &["401", "403", "404", "409"])});
        }
        paths.insert(format!("{}/{{id}}", resource.path), item);
        if resource.history {
            let history = json!({"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/HistoryEntry"}}}});
            paths.insert(
                format!("{}/{{id}}/history", resource.path),
                json!({"get": {"tags": [resource.tag], "summary": "Change history, newest first", "parameters": [id],
                        "responses": responses(("200", "History", Some(history)), &["401", "404"])}}),
            );
        }
    }
    let stock_line = json!({"type": "object", "properties": {"warehouse_id": {"type": "string"}, "product_id": {"type": "string"}, "quantity": {"type": "string", "example": "12.5"}}});
    paths.insert(
        "/warehouses/{id}/stock/{product_id}".into(),
        json!({"put": {"tags": ["Склады / Warehouses"], "summary": "Set the stock of a product",
            "parameters": [id, {"name": "product_id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}],
            "requestBody": {"required": true, "content": json_content(json!({"type": "object", "required": ["quantity"], "properties": {"quantity": {"type": "string", "example": "12.5"}}}))},
            "responses": responses(("200", "The stock line", Some(stock_line)), &["401", "403", "404", "422"])}}),
    );
    paths.insert(
        "/auth/login".into(),
        json!({"post": {"tags": ["Вход / Auth"], "summary": "Trade a login and password for an API token", "security": [],
            "requestBody": {"required": true, "content": json_content(json!({"type": "object", "required": ["login", "password"],
                "properties": {"login": {"type": "string"}, "password": {"type": "string"}}}))},
            "responses": responses(("201", "A token", Some(json!({"type": "object", "properties": {"token": {"type": "string"}, "user_id": {"type": "string"}}}))), &["401", "422"])}}),
    );
    paths.insert(
        "/auth/logout".into(),
        json!({"post": {"tags": ["Вход / Auth"], "summary": "Revoke the token used", "responses": responses(("204", "Revoked", None), &["401"])}}),
    );
    access_paths(&mut paths, &id);
    process_paths(&mut paths, &id);
    super::exports::openapi_paths(&mut paths);
    super::onec::openapi_paths(&mut paths);
    document_paths(&mut paths, &id);
    paths.insert(
        "/users/me".into(),
        json!({"get": {"tags": ["Вход / Auth"], "summary": "The signed-in user", "responses": responses(("200", "The user", Some(record("User"))), &["401"])}}),
    );
    paths
}

/// The document paths (`api::documents`): generation, lists, files, kinds, templates, the company.
fn document_paths(paths: &mut Map<String, Value>, id: &Value) {
    let tag = "Документы / Documents";
    let document = json!({"type": "object", "properties": {
        "id": {"type": "string", "format": "uuid"}, "sale_id": {"type": "string", "format": "uuid"},
        "counterparty_id": {"type": "string", "format": "uuid"}, "kind": {"type": "string", "example": "kp"},
        "number": {"type": "string", "example": "КП-2026-17"}, "date": {"type": "string", "format": "date"},
        "format": {"type": "string", "enum": ["pdf", "docx"]}, "version": {"type": "integer"},
        "template_id": {"type": "string", "format": "uuid"}, "file_name": {"type": "string"},
        "file_size": {"type": "integer"}, "sha256": {"type": "string"},
        "created_by": {"type": "string", "format": "uuid"}, "created_by_name": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"}, "url": {"type": "string"}}});
    let items = |schema: &Value| json!({"type": "object", "properties": {"items": {"type": "array", "items": schema}}});
    let code =
        json!({"name": "code", "in": "path", "required": true, "schema": {"type": "string"}});
    let format = json!({"name": "format", "in": "path", "required": true, "schema": {"type": "string", "enum": ["text", "docx"]}});
    let kind = json!({"type": "object", "properties": {"code": {"type": "string"}, "name_ru": {"type": "string"},
        "name_en": {"type": "string"}, "prefix": {"type": "string", "example": "КП-{year}-"}, "shipped": {"type": "boolean"},
        "version": {"type": "integer"}}});
    let template = json!({"type": "object", "properties": {"id": {"type": "string", "format": "uuid"},
        "kind": {"type": "string"}, "format": {"type": "string", "enum": ["text", "docx"]}, "version": {"type": "integer"},
        "source": {"type": "string"}, "file_name": {"type": "string"}, "sha256": {"type": "string"},
        "comment": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"}, "file_url": {"type": "string"}}});
    let file = |what: &str, mime: &str| json!({"description": what, "content": {mime: {"schema": {"type": "string", "format": "binary"}}}});
    paths.insert("/sales/{id}/documents".into(), json!({
        "get": {"tags": [tag], "summary": "A sale's documents, newest first", "parameters": [id],
                "responses": responses(("200", "Documents", Some(items(&document))), &["401", "404"])},
        "post": {"tags": [tag], "summary": "Generate a document: numbered (or a new version of the sale's number of that kind), rendered, stored",
                 "parameters": [id],
                 "requestBody": {"required": true, "content": json_content(json!({"type": "object", "required": ["kind", "format"], "properties": {
                     "kind": {"type": "string", "example": "kp"}, "format": {"type": "string", "enum": ["pdf", "docx"]},
                     "new_number": {"type": "boolean", "description": "A new number even when the sale has a document of this kind"}}}))},
                 "responses": responses(("201", "The document", Some(document.clone())), &["401", "403", "404", "422"])}}));
    paths.insert("/counterparties/{id}/documents".into(), json!({
        "get": {"tags": [tag], "summary": "A client's documents of the sales the user may read", "parameters": [id],
                "responses": responses(("200", "Documents", Some(items(&document))), &["401", "404"])}}));
    paths.insert("/documents/{id}".into(), json!({
        "get": {"tags": [tag], "summary": "A document's record", "parameters": [id],
                "responses": responses(("200", "The document", Some(document.clone())), &["401", "404"])}}));
    let mut download = problems(&["401", "404"]);
    download.insert("200".into(), json!({"description": "The file (PDF or DOCX) with its name in Content-Disposition",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}},
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {"schema": {"type": "string", "format": "binary"}}}}));
    paths.insert("/documents/{id}/file".into(), json!({
        "get": {"tags": [tag], "summary": "Download the file", "parameters": [id], "responses": download}}));
    paths.insert("/document-kinds".into(), json!({
        "get": {"tags": [tag], "summary": "Document kinds with the templates in use", "responses": responses(("200", "Kinds", Some(items(&kind))), &["401"])},
        "post": {"tags": [tag], "summary": "Add a custom kind (edit_templates)", "requestBody": {"required": true, "content": json_content(kind.clone())},
                 "responses": responses(("201", "Created", Some(kind.clone())), &["401", "403", "409", "422"])}}));
    paths.insert("/document-kinds/{code}".into(), json!({
        "patch": {"tags": [tag], "summary": "Change names and the numbering prefix", "parameters": [code.clone()],
                  "requestBody": {"required": true, "content": json_content(kind.clone())},
                  "responses": responses(("200", "The kind", Some(kind.clone())), &["401", "403", "404", "409", "422"])}}));
    paths.insert("/document-kinds/{code}/templates/{format}".into(), json!({
        "get": {"tags": [tag], "summary": "Template versions, newest (in use) first", "parameters": [code.clone(), format.clone()],
                "responses": responses(("200", "Versions", Some(items(&template))), &["401", "403", "404", "422"])},
        "post": {"tags": [tag], "summary": "Save a new version: text takes {\"source\", \"comment\"}; docx takes the file as the body (?file_name=&comment=)",
                 "parameters": [code.clone(), format],
                 "requestBody": {"required": true, "content": {
                     "application/json": {"schema": {"type": "object", "required": ["source"], "properties": {"source": {"type": "string"}, "comment": {"type": "string"}}}},
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {"schema": {"type": "string", "format": "binary"}}}},
                 "responses": responses(("201", "Saved", Some(template.clone())), &["401", "403", "404", "422"])}}));
    let source = json!({"type": "object", "required": ["source"], "properties": {"source": {"type": "string"}, "sale_id": {"type": "string", "format": "uuid"}}});
    paths.insert("/document-kinds/{code}/check".into(), json!({
        "post": {"tags": [tag], "summary": "Check a text template: the line and reason of a problem", "parameters": [code.clone()],
                 "requestBody": {"required": true, "content": json_content(source.clone())},
                 "responses": responses(("200", "Fine", Some(json!({"type": "object", "properties": {"ok": {"type": "boolean"}}}))), &["401", "403", "422"])}}));
    let mut preview = problems(&["401", "403", "404", "422"]);
    preview.insert(
        "200".into(),
        file(
            "The draft as PDF, for the sale or the sample",
            "application/pdf",
        ),
    );
    paths.insert("/document-kinds/{code}/preview".into(), json!({
        "post": {"tags": [tag], "summary": "Preview a text template draft as PDF", "parameters": [code],
                 "requestBody": {"required": true, "content": json_content(source)}, "responses": preview}}));
    paths.insert("/document-templates/{id}".into(), json!({
        "get": {"tags": [tag], "summary": "A template version", "parameters": [id],
                "responses": responses(("200", "The template", Some(template)), &["401", "403", "404"])}}));
    let mut template_download = problems(&["401", "403", "404"]);
    template_download.insert(
        "200".into(),
        file(
            "The Word template",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    );
    paths.insert("/document-templates/{id}/file".into(), json!({
        "get": {"tags": [tag], "summary": "Download a Word template version", "parameters": [id], "responses": template_download}}));
    paths.insert("/document-fields".into(), json!({
        "get": {"tags": [tag], "summary": "Every field a template may use (the editor's palette)",
                "responses": responses(("200", "Fields", Some(items(&json!({"type": "object", "properties": {
                    "path": {"type": "string", "example": "client.inn"}, "description": {"type": "string"},
                    "example": {"type": "string"}, "is_list": {"type": "boolean"}}})))), &["401"])}}));
    let company = json!({"$ref": "#/components/schemas/Company"});
    paths.insert("/company".into(), json!({
        "get": {"tags": [tag], "summary": "The company's requisites (the supplier on documents)", "responses": responses(("200", "Requisites", Some(company.clone())), &["401"])},
        "put": {"tags": [tag], "summary": "Change the requisites (edit_templates)", "requestBody": {"required": true, "content": json_content(company.clone())},
                "responses": responses(("200", "Saved", Some(company.clone())), &["401", "403", "422"])}}));
    let slot = json!({"name": "slot", "in": "path", "required": true, "schema": {"type": "string", "enum": ["logo", "stamp", "signature_director", "signature_accountant"]}});
    paths.insert("/company/images/{slot}".into(), json!({
        "put": {"tags": [tag], "summary": "Upload an image (PNG or JPEG, up to 2 MB) as the body", "parameters": [slot.clone()],
                "requestBody": {"required": true, "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}, "image/jpeg": {"schema": {"type": "string", "format": "binary"}}}},
                "responses": responses(("200", "Saved", Some(company.clone())), &["401", "403", "422"])},
        "delete": {"tags": [tag], "summary": "Remove an image", "parameters": [slot],
                   "responses": responses(("200", "Removed", Some(company)), &["401", "403", "422"])}}));
}

/// The access administration paths (`api::access`): roles, departments, effective access, the
/// audit log and the trusted proxies.
fn access_paths(paths: &mut Map<String, Value>, id: &Value) {
    let tag = "Доступ / Access";
    let level = json!({"type": "string", "enum": ["none", "own", "team", "territory", "all"]});
    let matrix = json!({"type": "object", "description": "kind → operation → level, e.g. {\"counterparty\": {\"read\": \"territory\"}}",
        "additionalProperties": {"type": "object", "additionalProperties": level}});
    let cidrs = json!({"type": "array", "items": {"type": "string", "example": "10.1.0.0/16"}});
    let role = json!({"type": "object", "properties": {
        "code": {"type": "string"}, "name": {"type": "string"}, "name_en": {"type": "string"},
        "permissions": matrix, "system": {"type": "array", "items": {"type": "string"}},
        "hidden_fields": {"type": "array", "items": {"type": "string", "example": "product.price"}},
        "ip_allow": cidrs, "version": {"type": "integer"}}});
    let code =
        json!({"name": "code", "in": "path", "required": true, "schema": {"type": "string"}});
    let items = |schema: &Value| json!({"type": "object", "properties": {"items": {"type": "array", "items": schema}}});
    paths.insert("/roles".into(), json!({
        "get": {"tags": [tag], "summary": "Every role with its rights", "responses": responses(("200", "Roles", Some(items(&role))), &["401"])},
        "post": {"tags": [tag], "summary": "Create a role (manage_roles)", "requestBody": {"required": true, "content": json_content(role.clone())},
                 "responses": responses(("201", "Created", Some(role.clone())), &["401", "403", "422"])}}));
    paths.insert("/roles/{code}".into(), json!({
        "get": {"tags": [tag], "summary": "A role", "parameters": [code], "responses": responses(("200", "The role", Some(role.clone())), &["401", "404"])},
        "patch": {"tags": [tag], "summary": "Change names and rights (cells not sent stay)", "parameters": [code],
                  "requestBody": {"required": true, "content": json_content(role.clone())},
                  "responses": responses(("200", "The changed role", Some(role.clone())), &["401", "403", "404", "409", "422"])},
        "delete": {"tags": [tag], "summary": "Delete a role nobody holds", "parameters": [code],
                   "responses": responses(("204", "Deleted", None), &["401", "403", "404", "409"])}}));
    let department = json!({"type": "object", "properties": {"id": {"type": "string", "format": "uuid"}, "name": {"type": "string"}, "version": {"type": "integer"}}});
    paths.insert("/departments".into(), json!({
        "get": {"tags": [tag], "summary": "Departments (the `team` level)", "responses": responses(("200", "Departments", Some(items(&department))), &["401"])},
        "post": {"tags": [tag], "summary": "Create a department (manage_users)", "requestBody": {"required": true, "content": json_content(json!({"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}))},
                 "responses": responses(("201", "Created", Some(department.clone())), &["401", "403", "422"])}}));
    paths.insert("/departments/{id}".into(), json!({
        "patch": {"tags": [tag], "summary": "Rename", "parameters": [id], "requestBody": {"required": true, "content": json_content(json!({"type": "object", "required": ["name", "version"]}))},
                  "responses": responses(("200", "Renamed", Some(department)), &["401", "403", "404", "409", "422"])},
        "delete": {"tags": [tag], "summary": "Delete a department nobody belongs to", "parameters": [id],
                   "responses": responses(("204", "Deleted", None), &["401", "403", "404", "409"])}}));
    paths.insert("/access/effective".into(), json!({
        "get": {"tags": [tag], "summary": "What a user may do to a record, with the rule behind each operation",
                "parameters": [query("user"), query("record")],
                "responses": responses(("200", "One verdict per operation", Some(json!({"type": "object", "properties": {
                    "user": {"type": "object"}, "record": {"type": "object"},
                    "operations": {"type": "array", "items": {"type": "object", "properties": {
                        "operation": {"type": "string"}, "allowed": {"type": "boolean"},
                        "rule": {"type": "object", "properties": {"level": level, "source": {"type": "object"}, "reason": {"type": "string"}}},
                        "denied": {"type": "string", "enum": ["invisible", "forbidden"]}}}}}}))), &["401", "403", "422"])}}));
    paths.insert("/audit".into(), json!({
        "get": {"tags": [tag], "summary": "Logins, refusals and access changes, newest first (manage_roles)",
                "parameters": [query("event"), query("user"), query("limit"), query("cursor")],
                "responses": responses(("200", "A page", Some(json!({"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {
                    "at": {"type": "string", "format": "date-time"}, "event": {"type": "string"}, "user_id": {"type": "string"},
                    "login": {"type": "string"}, "ip": {"type": "string"}, "detail": {"type": "object"}}}}, "next_cursor": {"type": "string"}}}))), &["401", "403", "422"])}}));
    let proxies = json!({"type": "object", "properties": {"trusted_proxies": cidrs}});
    paths.insert("/settings/trusted-proxies".into(), json!({
        "get": {"tags": [tag], "summary": "Where X-Forwarded-For is believed", "responses": responses(("200", "The list", Some(proxies.clone())), &["401", "403"])},
        "put": {"tags": [tag], "summary": "Replace the trusted proxies (manage_roles)", "requestBody": {"required": true, "content": json_content(proxies.clone())},
                "responses": responses(("200", "The list", Some(proxies)), &["401", "403", "422"])}}));
}

/// The sales process paths (`api::sales`, `api::tasks`, `api::leads`, `api::process`): stage moves,
/// completion, conversion, the board, the timeline, costs, the contract and the definition.
fn process_paths(paths: &mut Map<String, Value>, id: &Value) {
    let object = |properties: Value| json!({"type": "object", "properties": properties});
    let sale = record("Sale");
    let stage_body = object(json!({
        "stage": {"type": "string", "example": "preliminary_kp"},
        "process_type": {"type": "string", "enum": ["full", "short"]},
        "contract_kind": {"type": "string", "enum": ["contract", "specification", "contract_and_specification"]},
        "reason": {"type": "string"}, "skip": {"type": "boolean"}}));
    paths.insert("/sales/{id}/stage".into(), json!({"post": {"tags": ["Продажи / Sales"],
        "summary": "Enter (or skip) a stage; `won` / `lost` (with `reason`) close the sale", "parameters": [id],
        "requestBody": {"required": true, "content": json_content(stage_body)},
        "responses": responses(("200", "The sale with `created_tasks`", Some(sale.clone())), &["401", "403", "404", "409", "422"])}}));
    paths.insert("/sales/{id}/skip".into(), json!({"post": {"tags": ["Продажи / Sales"],
        "summary": "Skip an optional stage ahead (the same as /stage with `skip: true`)", "parameters": [id],
        "requestBody": {"required": true, "content": json_content(object(json!({"stage": {"type": "string", "example": "recipe"}})))},
        "responses": responses(("200", "The sale", Some(sale.clone())), &["401", "403", "404", "409", "422"])}}));
    paths.insert("/sales/{id}/contract".into(), json!({"patch": {"tags": ["Продажи / Sales"],
        "summary": "Change the contract's fields; `redraw` copies lines and requisites again", "parameters": [id],
        "requestBody": {"required": true, "content": json_content(object(json!({"version": {"type": "integer"},
            "kind": {"type": "string"}, "number": {"type": "string"}, "date": {"type": "string", "format": "date"},
            "payment_terms": {"type": "string"}, "delivery_terms": {"type": "string"},
            "valid_until": {"type": "string", "format": "date"}, "redraw": {"type": "boolean"}})))},
        "responses": responses(("200", "The sale", Some(sale.clone())), &["401", "403", "404", "409", "422"])}}));
    paths.insert("/sales/board".into(), json!({"get": {"tags": ["Продажи / Sales"], "summary": "The kanban board",
        "parameters": [query("owner_id"), query("closed"), query("per_column")],
        "responses": responses(("200", "Columns with count, amount and cards", Some(object(json!({"columns": {"type": "array"}})))), &["401", "422"])}}));
    paths.insert("/sales/{id}/timeline".into(), json!({"get": {"tags": ["Продажи / Sales"], "summary": "Stage moves and task events, oldest first",
        "parameters": [id], "responses": responses(("200", "Events", Some(object(json!({"items": {"type": "array"}})))), &["401", "404"])}}));
    let cost = record("Cost");
    paths.insert("/sales/{id}/costs".into(), json!({
        "get": {"tags": ["Продажи / Sales"], "summary": "The sale's costs (see_costs)", "parameters": [id],
                "responses": responses(("200", "Costs", Some(object(json!({"items": {"type": "array", "items": cost.clone()}})))), &["401", "403", "404"])},
        "post": {"tags": ["Продажи / Sales"], "summary": "Add a cost (see_costs)", "parameters": [id],
                 "requestBody": {"required": true, "content": json_content(json!({"$ref": "#/components/schemas/Cost"}))},
                 "responses": responses(("201", "The cost", Some(cost.clone())), &["401", "403", "404", "422"])}}));
    paths.insert("/costs/{id}".into(), json!({
        "patch": {"tags": ["Продажи / Sales"], "summary": "Change a cost", "parameters": [id],
                  "requestBody": {"required": true, "content": json_content(json!({"$ref": "#/components/schemas/Cost"}))},
                  "responses": responses(("200", "The cost", Some(cost)), &["401", "403", "404", "409", "422"])},
        "delete": {"tags": ["Продажи / Sales"], "summary": "Delete a cost", "parameters": [id],
                   "responses": responses(("204", "Deleted", None), &["401", "403", "404"])}}));
    let task = record("Task");
    paths.insert("/tasks/{id}/complete".into(), json!({"post": {"tags": ["Задачи / Tasks"],
        "summary": "Complete with an outcome (required when the task's kind has outcomes)", "parameters": [id],
        "requestBody": {"required": false, "content": json_content(object(json!({"outcome": {"type": "string"},
            "data": {"type": "object"}, "comment": {"type": "string"}})))},
        "responses": responses(("200", "The task with `created_tasks`, `sale_stage`, `suggest`", Some(task.clone())), &["401", "403", "404", "409", "422"])}}));
    paths.insert("/tasks/{id}/cancel".into(), json!({"post": {"tags": ["Задачи / Tasks"], "summary": "Cancel an open task",
        "parameters": [id], "responses": responses(("200", "The task", Some(task)), &["401", "403", "404", "409"])}}));
    paths.insert("/leads/{id}/convert".into(), json!({"post": {"tags": ["Лиды / Leads"],
        "summary": "Convert into a sale (client and contact matched by ИНН / e-mail or created)", "parameters": [id],
        "requestBody": {"required": false, "content": json_content(json!({"$ref": "#/components/schemas/Sale"}))},
        "responses": responses(("201", "The new sale's id", Some(object(json!({"sale_id": {"type": "string", "format": "uuid"},
            "counterparty_id": {"type": "string"}, "counterparty_created": {"type": "boolean"},
            "contact_id": {"type": "string"}, "contact_created": {"type": "boolean"}})))), &["401", "403", "404", "409", "422"])}}));
    let definition = object(
        json!({"id": {"type": "string"}, "version": {"type": "integer"}, "source": {"type": "string"}, "definition": {"type": "object"}}),
    );
    let source = json_content(object(
        json!({"source": {"type": "string", "description": "TOML, see docs/PROCESS.md"}, "comment": {"type": "string"}}),
    ));
    paths.insert("/process".into(), json!({
        "get": {"tags": ["Процесс / Process"], "summary": "The active process definition", "responses": responses(("200", "The definition", Some(definition.clone())), &["401"])},
        "post": {"tags": ["Процесс / Process"], "summary": "Save a new active version (edit_process)", "requestBody": {"required": true, "content": source.clone()},
                 "responses": responses(("201", "The version", Some(definition)), &["401", "403", "422"])}}));
    paths.insert("/process/versions".into(), json!({"get": {"tags": ["Процесс / Process"], "summary": "Every version with its number of sales",
        "responses": responses(("200", "Versions", Some(object(json!({"items": {"type": "array"}})))), &["401", "403"])}}));
    paths.insert("/process/validate".into(), json!({"post": {"tags": ["Процесс / Process"], "summary": "Check a draft without saving",
        "requestBody": {"required": true, "content": source}, "responses": responses(("200", "Valid", None), &["401", "422"])}}));
}

/// The OpenAPI document.
pub fn document() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Ferment API", "version": env!("CARGO_PKG_VERSION"),
                 "description": "CRM for B2B sales of food ingredients. Conventions: docs/API.md."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths(),
        "components": {
            "schemas": schemas(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}
        }
    })
}

/// The OpenAPI route (public: clients read it before they sign in).
pub fn routes() -> Router<AppState> {
    Router::new().route("/openapi.json", get(|| async { Json(document()) }))
}
