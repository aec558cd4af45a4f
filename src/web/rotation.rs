//! The rotation plan as a JavaScript object, and `rotationReminderIcs` (the calendar reminder).

use wasm_bindgen::prelude::*;

use super::convert::*;
use super::error::*;
use super::keys::status_obj;
use super::types::*;
use crate::core::ics::{rotation_reminder_ics as core_ics, Reminder, ReminderContext};
use crate::core::rotation::RotationPlan;

/// The plan as a JavaScript object.
pub fn plan_js(p: &RotationPlan, item_id: Option<&str>, title: Option<&str>) -> JsValue {
    Obj::new()
        .set("now", date_out(p.now))
        .set(
            "useSlot",
            p.use_slot
                .map_or(JsValue::NULL, |s| JsValue::from_f64(f64::from(s))),
        )
        .set("action", p.action.as_str())
        .set(
            "actionSlot",
            p.action_slot
                .map_or(JsValue::NULL, |s| JsValue::from_f64(f64::from(s))),
        )
        .set("actBy", opt_date_out(p.act_by))
        .set("reason", p.reason.as_str())
        .set(
            "slots",
            array(p.slots.iter().map(|s| status_obj(s).build())),
        )
        .set("itemId", opt_str(item_id))
        .set("title", opt_str(title))
        .build()
}

/// An RFC 5545 calendar file (`.ics`) with one event at the plan's act-by date and a reminder
/// the day before, for the owner's calendar (package `apikey-credentials-owner`).
///
/// ```js
/// const ics = rotationReminderIcs(creds.rotationPlan());
/// download(new Blob([ics], { type: "text/calendar" }), "rotate-api-key.ics");
/// ```
#[wasm_bindgen(js_name = rotationReminderIcs)]
pub fn rotation_reminder_ics(plan: &RotationPlanJs) -> JsResult<String> {
    let p: &JsValue = plan.as_ref();
    if !p.is_object() {
        return Err(invalid_argument("plan must be a RotationPlan object."));
    }
    let now = date_in(&get(p, "now"), "plan.now")?
        .ok_or_else(|| invalid_argument("plan.now is required."))?;
    let act_by = date_in(&get(p, "actBy"), "plan.actBy")?;
    let action = get(p, "action")
        .as_string()
        .and_then(|a| crate::core::rotation::RotationAction::parse(&a))
        .ok_or_else(|| invalid_argument("plan.action is not a rotation action."))?;
    let action_slot = get(p, "actionSlot")
        .as_f64()
        .filter(|s| *s == 1.0 || *s == 2.0)
        .map(|s| s as u8);
    let reason = get(p, "reason").as_string().unwrap_or_default();
    let reminder = Reminder {
        now,
        act_by,
        action,
        action_slot,
        reason,
    };
    let ctx = ReminderContext {
        title: get(p, "title").as_string(),
        item_id: get(p, "itemId").as_string(),
        url: None,
    };
    core_ics(&reminder, &ctx).map_err(from_core)
}
