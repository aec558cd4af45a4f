//! Request parameters: paging (`start`, `num`), slots, lists and dates.

use serde_json::{json, Value};

use crate::state::{parse_list, Item, Millis, PortalError};

use super::http::*;
use super::shapes::*;

/// `start` (1-based, default 1) and `num` (default 10, at most 100), as the portal pages
/// `search` and user content.
pub(super) fn paging(req: &Req) -> Result<(usize, usize), PortalError> {
    let read = |name: &str, default: usize| -> Result<usize, PortalError> {
        match req.param(name) {
            None | Some("") => Ok(default),
            Some(v) => v
                .trim()
                .parse::<usize>()
                .map_err(|_| PortalError::bad_request(format!("'{name}' must be a whole number."))),
        }
    };
    Ok((read("start", 1)?.max(1), read("num", 10)?.min(100)))
}

/// Items in a stable order: oldest first, then by id.
pub(super) fn sorted<'a>(items: impl Iterator<Item = &'a Item>) -> Vec<&'a Item> {
    let mut v: Vec<&Item> = items.collect();
    v.sort_by(|a, b| a.created.cmp(&b.created).then_with(|| a.id.cmp(&b.id)));
    v
}

/// The page of `items` that `start`/`num` ask for, as the portal answers a paged call: `total`,
/// `start`, `num`, `nextStart` (-1 after the last page) and the page's items under `list`.
pub(super) fn paged(
    req: &Req,
    items: &[&Item],
    portal_id: &str,
    list: &str,
) -> Result<serde_json::Map<String, Value>, PortalError> {
    let (start, num) = paging(req)?;
    let total = items.len();
    let from = (start - 1).min(total);
    let to = from.saturating_add(num).min(total);
    let next = if to < total { (to + 1) as i64 } else { -1 };
    let page: Vec<Value> = items
        .get(from..to)
        .unwrap_or(&[])
        .iter()
        .map(|i| item_json(i, portal_id))
        .collect();
    let mut answer = serde_json::Map::new();
    answer.insert("total".into(), json!(total));
    answer.insert("start".into(), json!(start));
    answer.insert("num".into(), json!(num));
    answer.insert("nextStart".into(), json!(next));
    answer.insert(list.into(), Value::Array(page));
    Ok(answer)
}

pub(super) fn slot_param(req: &Req) -> Result<u8, PortalError> {
    match req.param("apiToken") {
        Some("1") => Ok(1),
        Some("2") => Ok(2),
        _ => Err(PortalError::bad_request("'apiToken' must be 1 or 2.")),
    }
}

pub(super) fn list_param(req: &Req, name: &str) -> Result<Option<Vec<String>>, PortalError> {
    req.param(name).map(|v| parse_list(name, v)).transpose()
}

pub(super) fn date_param(req: &Req, name: &str) -> Result<Option<Millis>, PortalError> {
    match req.param(name) {
        None | Some("") => Ok(None),
        Some(v) => v
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(|f| Some(f as Millis))
            .ok_or_else(|| {
                PortalError::bad_request(format!(
                    "'{name}' must be a number of milliseconds since 1970, or -1."
                ))
            }),
    }
}
