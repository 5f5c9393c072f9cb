//! A browser without JavaScript for page tests: a cookie jar, forms posted as
//! `application/x-www-form-urlencoded`, redirects looked at one by one.

use reqwest::Method;
use reqwest::header::{LOCATION, SET_COOKIE};
use reqwest::redirect;

use super::{PASSWORD, TestApp};

/// A browser session: its own cookie jar, redirects not followed (so tests can see them).
pub struct Browser<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
}

/// What a page answered.
pub struct Page {
    /// The status.
    pub status: u16,
    /// The `Location` header (empty when none).
    pub location: String,
    /// The `Set-Cookie` headers.
    pub cookies: Vec<String>,
    /// The body.
    pub body: String,
}

impl Page {
    /// The CSRF token of the first form on the page.
    pub fn csrf(&self) -> String {
        let marker = "name=\"_csrf\" value=\"";
        let start = self.body.find(marker).expect("a form with a CSRF token") + marker.len();
        let end = self.body[start..].find('"').expect("end of the token") + start;
        self.body[start..end].to_string()
    }

    /// The text of the element with `id` (up to its closing tag).
    pub fn element(&self, id: &str) -> Option<String> {
        let start = self.body.find(&format!("id=\"{id}\""))?;
        let open_end = self.body[start..].find('>')? + start + 1;
        let close = self.body[open_end..].find("</")? + open_end;
        Some(self.body[open_end..close].trim().to_string())
    }
}

impl<'a> Browser<'a> {
    /// A fresh session with an empty cookie jar.
    pub fn new(app: &'a TestApp) -> Self {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(redirect::Policy::none())
            .build()
            .expect("client");
        Browser { app, client }
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Page {
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let cookies = response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect();
        let body = response.text().await.unwrap_or_default();
        Page {
            status,
            location,
            cookies,
            body,
        }
    }

    /// Loads a page.
    pub async fn get(&self, path: &str) -> Page {
        let url = format!("{}{path}", self.app.base);
        self.send(self.client.get(url)).await
    }

    /// Posts a form.
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        let url = format!("{}{path}", self.app.base);
        self.send(self.client.request(Method::POST, url).form(form))
            .await
    }

    /// Posts an upload form (`multipart/form-data`): text fields in order, then the file field
    /// `(name, file name, bytes)` if any.
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, &[u8])>,
    ) -> Page {
        let boundary = format!("ferment-{}", uuid::Uuid::new_v4().simple());
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        if let Some((name, file_name, bytes)) = file {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let url = format!("{}{path}", self.app.base);
        self.send(
            self.client
                .request(Method::POST, url)
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(body),
        )
        .await
    }

    /// Signs in as the admin; returns the page the sign-in redirected to.
    pub async fn sign_in(&self) -> Page {
        self.sign_in_as("admin").await
    }

    /// Signs in as `login` (with the tests' password).
    pub async fn sign_in_as(&self, login: &str) -> Page {
        let page = self
            .post(
                "/login",
                &[("login", login), ("password", PASSWORD), ("next", "")],
            )
            .await;
        assert_eq!(page.status, 303, "{}: sign-in as {login}", self.app.label);
        page
    }
}
