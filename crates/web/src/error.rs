//! One error type for the web layer, rendered for its audience: a plain
//! message for people, `{errors:[{field,message}]}` for API clients, the
//! cause chain (never personal data) in the log.
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use haven_domain::ValidationErrors;
use haven_store::StoreError;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not signed in")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("invalid input")]
    Invalid(ValidationErrors),
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("internal: {0}")]
    Internal(String),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Store(StoreError::Conflict { .. }) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Store(StoreError::NotFound(_)) => StatusCode::NOT_FOUND,
            AppError::Store(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn user_message(&self) -> String {
        match self {
            AppError::Unauthorized => "Please sign in.".into(),
            AppError::Forbidden => "You do not have permission to do that.".into(),
            AppError::NotFound => "Page not found.".into(),
            AppError::Invalid(_) => "Please correct the errors shown.".into(),
            AppError::Store(StoreError::Conflict { field, message }) => format!("{field}: {message}"),
            AppError::Store(StoreError::NotFound(_)) => "Not found.".into(),
            AppError::Store(_) | AppError::Internal(_) => {
                "Something went wrong. Nothing you entered has been lost: please try again.".into()
            }
        }
    }

    fn log(&self) {
        if self.status().is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
    }

    /// The API rendering.
    pub fn json(self) -> Response {
        self.log();
        let status = self.status();
        let body = match &self {
            AppError::Invalid(v) => json!({ "errors": v.errors }),
            AppError::Store(StoreError::Conflict { field, message }) => json!({ "errors": [{ "field": field, "message": message }] }),
            _ => json!({ "error": self.user_message() }),
        };
        (status, Json(body)).into_response()
    }

    /// The HTML rendering.
    pub fn html(self) -> Response {
        self.log();
        let status = self.status();
        let msg = self.user_message();
        let title = match status {
            StatusCode::FORBIDDEN => "You cannot view this page",
            StatusCode::NOT_FOUND => "Page not found",
            StatusCode::UNAUTHORIZED => "Sign in",
            _ => "Sorry, there is a problem",
        };
        (status, crate::pages::layout::bare(title, maud::html! { h1 { (title) } p { (msg) } p { a href="/" { "Go to your dashboard" } } }))
            .into_response()
    }
}

/// An error in a JSON route.
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.json()
    }
}

/// An error in an HTML route.
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.0.html()
    }
}
