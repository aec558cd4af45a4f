//! The portal client: builds requests, sends them through a [`Transport`], and decodes the
//! answers into typed responses or [`PortalError`]s.

use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll};

use super::error::{classify, Envelope, Kind, PortalError};
use super::request::{self, PortalRequest};
use super::types::*;
use crate::core::json::{FromJson, Json};

/// Responses larger than this are refused as `BAD_RESPONSE`.
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// What came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawResponse {
    /// HTTP status.
    pub status: u16,
    /// Body text.
    pub body: String,
    /// The `Date` header, when readable (for clock-skew detection).
    pub date: Option<String>,
}

/// An answer whose body was parsed as JSON by the platform.
#[derive(Debug, Clone)]
pub struct JsonResponse<J> {
    /// HTTP status.
    pub status: u16,
    /// The `Date` header, when readable.
    pub date: Option<String>,
    /// The parsed body (`None`: not JSON).
    pub body: Option<J>,
}

/// Sends requests and decodes JSON: the platform `fetch` in wasm, anything natively.
pub trait Transport {
    /// A parsed JSON value.
    type Json: Json;

    /// Sends one request. Network failures and timeouts come back as `PortalError`s of kind
    /// `Network` / `Timeout`.
    fn send(&self, req: &PortalRequest) -> impl Future<Output = Result<RawResponse, PortalError>>;

    /// Parses JSON text (`serde_json` natively, the platform's `JSON.parse` in wasm); `None`
    /// when it is not JSON.
    fn parse(&self, text: &str) -> Option<Self::Json>;

    /// Sends one request and parses the body as JSON. For answers handed back to the caller
    /// as they are; a platform that parses without copying the text (the browser's
    /// `response.json()`) overrides it.
    fn send_json(
        &self,
        req: &PortalRequest,
    ) -> impl Future<Output = Result<JsonResponse<Self::Json>, PortalError>> {
        async move {
            let r = self.send(req).await?;
            if r.body.len() > MAX_RESPONSE_BYTES {
                return Err(PortalError::new(
                    Kind::BadResponse,
                    "The response is too large.",
                ));
            }
            let body = self.parse(&r.body);
            Ok(JsonResponse {
                status: r.status,
                date: r.date,
                body,
            })
        }
    }
}

/// Interprets a response: an error (either style) or a `T`.
pub fn interpret<T: FromJson>(t: &impl Transport, resp: &RawResponse) -> Result<T, PortalError> {
    decode(&parse_checked(t, resp)?)
}

/// Interprets a parsed body (`None`: the body was not JSON): an error (either style) or a `T`.
pub fn interpret_value<T: FromJson, J: Json>(
    status: u16,
    parsed: Option<&J>,
) -> Result<T, PortalError> {
    decode(check(status, parsed)?)
}

/// The body as JSON, or the error it reports (either style), or `BAD_RESPONSE`.
fn parse_checked<T: Transport>(t: &T, resp: &RawResponse) -> Result<T::Json, PortalError> {
    if resp.body.len() > MAX_RESPONSE_BYTES {
        return Err(PortalError::new(
            Kind::BadResponse,
            "The response is too large.",
        ));
    }
    let parsed = t.parse(&resp.body);
    check(resp.status, parsed.as_ref())?;
    parsed.ok_or_else(not_json)
}

fn not_json() -> PortalError {
    PortalError::new(
        Kind::BadResponse,
        "The response is not JSON (or is truncated).",
    )
}

/// The parsed body, unless it (or the status) reports an error.
fn check<J: Json>(status: u16, parsed: Option<&J>) -> Result<&J, PortalError> {
    if let Some(e) = classify(status, parsed.map(Envelope::read)) {
        return Err(e);
    }
    parsed.ok_or_else(not_json)
}

/// Reads a `T` from a checked body.
fn decode<T: FromJson, J: Json>(v: &J) -> Result<T, PortalError> {
    T::from_json(v, "response").map_err(shape_error)
}

/// Not generic and never inlined: one copy of the message building for every decoded type.
#[inline(never)]
fn shape_error(e: crate::core::json::ShapeError) -> PortalError {
    PortalError::new(
        Kind::BadResponse,
        format!("The response does not have the expected shape: {e}"),
    )
}

/// The fetch part of a call, boxed: one type whatever the response type.
type Fetch<'a, J> = Pin<Box<dyn Future<Output = Result<(J, RawResponse), PortalError>> + 'a>>;

/// A call under way: the client's one non-generic fetch future (send, parse, check the
/// envelope), then decoding to `R`. Written by hand rather than as an `async fn` per response
/// type, so that the module holds one fetch state machine and a small `poll` per type.
pub struct Call<'a, J, R> {
    fetch: Fetch<'a, J>,
    _decodes_to: PhantomData<fn() -> R>,
}

impl<J: Json, R: FromJson> Future for Call<'_, J, R> {
    type Output = Result<(R, RawResponse), PortalError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.get_mut()
            .fetch
            .as_mut()
            .poll(cx)
            .map(|r| r.and_then(|(v, resp)| Ok((decode(&v)?, resp))))
    }
}

/// A [`Call`] that resolves to the decoded response alone.
pub struct Typed<'a, J, R>(Call<'a, J, R>);

impl<J: Json, R: FromJson> Future for Typed<'_, J, R> {
    type Output = Result<R, PortalError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.get_mut().0)
            .poll(cx)
            .map(|r| r.map(|(v, _)| v))
    }
}

/// A client for one portal.
#[derive(Clone)]
pub struct PortalClient<T> {
    transport: T,
    root: String,
    referer: Option<String>,
    deadline: Option<crate::core::time::Millis>,
}

impl<T: Transport> PortalClient<T> {
    /// A client for `portal` (any form [`request::rest_root`] accepts).
    pub fn new(transport: T, portal: &str) -> Result<Self, PortalError> {
        let root = request::rest_root(portal).ok_or_else(|| {
            PortalError::new(Kind::BadRequest, "The portal URL must be an absolute http(s) URL such as https://www.arcgis.com or https://host/portal.")
        })?;
        Ok(PortalClient {
            transport,
            root,
            referer: None,
            deadline: None,
        })
    }

    /// The same client, sending `referer` as the `Referer` header on every request (see
    /// [`request`]'s module docs: where a script may set it, a token bound to a referer needs
    /// it).
    pub fn with_referer(mut self, referer: Option<String>) -> Self {
        self.referer = referer;
        self
    }

    /// The referer this client sends, if any.
    pub fn referer(&self) -> Option<&str> {
        self.referer.as_deref()
    }

    /// A copy of this client whose requests must all be over by `deadline` (the transport's
    /// clock, ms): one operation of several calls then settles within one timeout.
    pub fn until(&self, deadline: crate::core::time::Millis) -> Self
    where
        T: Clone,
    {
        let mut c = self.clone();
        c.deadline = Some(deadline);
        c
    }

    /// Stamps a request with this client's referer and deadline.
    pub fn stamp(&self, mut req: PortalRequest) -> PortalRequest {
        if req.referer.is_none() {
            req.referer = self.referer.clone();
        }
        if req.deadline.is_none() {
            req.deadline = self.deadline;
        }
        req
    }

    /// The sharing REST root.
    pub fn root(&self) -> &str {
        &self.root
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// Sends and decodes, with the raw response.
    pub fn run<R: FromJson>(&self, req: PortalRequest) -> Call<'_, T::Json, R> {
        Call {
            fetch: Box::pin(self.fetch(self.stamp(req))),
            _decodes_to: PhantomData,
        }
    }

    /// Sends and decodes.
    fn call<R: FromJson>(&self, req: PortalRequest) -> Typed<'_, T::Json, R> {
        Typed(self.run(req))
    }

    /// Sends, then parses and checks the body: the part of a call that does not depend on the
    /// response type, so its state machine exists once in the module.
    async fn fetch(&self, req: PortalRequest) -> Result<(T::Json, RawResponse), PortalError> {
        let resp = self.transport.send(&req).await?;
        let v = parse_checked(&self.transport, &resp)?;
        Ok((v, resp))
    }

    /// Signs in with a username and password.
    pub fn sign_in(
        &self,
        username: &str,
        password: &str,
        referer: &str,
    ) -> Typed<'_, T::Json, TokenJson> {
        self.call(request::generate_token(
            &self.root, username, password, referer, 120,
        ))
    }

    /// `portals/self`.
    pub fn portal_self(&self, token: Option<&str>) -> Call<'_, T::Json, PortalSelfJson> {
        self.run(request::portal_self(&self.root, token))
    }

    /// `community/self`.
    pub fn community_self(&self, token: &str) -> Typed<'_, T::Json, UserJson> {
        self.call(request::community_self(&self.root, token))
    }

    /// `content/items/{id}`.
    pub fn item(&self, item_id: &str, token: Option<&str>) -> Typed<'_, T::Json, ItemJson> {
        self.call(request::item(&self.root, item_id, token))
    }

    /// One page of `search` results from `start` (1-based).
    pub fn search(&self, query: &str, start: u32, token: &str) -> Typed<'_, T::Json, SearchJson> {
        self.call(request::search(&self.root, query, start, token))
    }

    /// `registeredAppInfo`.
    pub fn registered_app_info(
        &self,
        username: &str,
        item_id: &str,
        token: &str,
    ) -> Typed<'_, T::Json, RegisteredAppJson> {
        self.call(request::registered_app_info(
            &self.root, username, item_id, token,
        ))
    }

    /// Generates (or regenerates) the key in `slot`.
    pub fn generate_key(
        &self,
        client_id: &str,
        client_secret: &str,
        slot: u8,
        regenerate: bool,
    ) -> Typed<'_, T::Json, KeyTokenJson> {
        self.call(request::generate_key(
            &self.root,
            client_id,
            client_secret,
            slot,
            regenerate,
        ))
    }

    /// Invalidates the key in `slot`.
    pub fn revoke_key(
        &self,
        client_id: &str,
        client_secret: &str,
        slot: u8,
    ) -> Typed<'_, T::Json, SuccessJson> {
        self.call(request::revoke_key(
            &self.root,
            client_id,
            client_secret,
            slot,
        ))
    }

    /// Sets the privileges and referrers (both, always).
    pub fn update_app(
        &self,
        client_id: &str,
        token: &str,
        privileges: &[String],
        referrers: &[String],
    ) -> Typed<'_, T::Json, RegisteredAppJson> {
        self.call(request::update_app(
            &self.root, client_id, token, privileges, referrers,
        ))
    }

    /// Creates an API key credentials item and registers it (no key generated yet).
    pub async fn create_credentials(
        &self,
        username: &str,
        token: &str,
        title: &str,
        privileges: &[String],
        referrers: &[String],
    ) -> Result<RegisteredAppJson, PortalError> {
        let item: AddItemJson = self
            .call(request::add_item(&self.root, username, token, title))
            .await?;
        self.call(request::register_app(
            &self.root, token, &item.id, privileges, referrers,
        ))
        .await
    }

    /// Sets one slot's expiration on the item.
    pub fn update_expiration(
        &self,
        username: &str,
        item_id: &str,
        token: &str,
        slot: u8,
        expires_at: i64,
    ) -> Typed<'_, T::Json, SuccessJson> {
        self.call(request::update_expiration(
            &self.root, username, item_id, token, slot, expires_at,
        ))
    }
}
