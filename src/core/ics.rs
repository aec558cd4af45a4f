//! An RFC 5545 calendar event for a rotation deadline, so an owner can put it in a calendar.

use crate::core::error::{Error, Result};
use crate::core::rotation::{RotationAction, RotationPlan};

/// What a reminder needs from a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    /// When the plan was made (the event's DTSTAMP).
    pub now: Millis,
    /// The date to act by (the event's start).
    pub act_by: Option<Millis>,
    /// The action.
    pub action: RotationAction,
    /// The slot the action applies to.
    pub action_slot: Option<u8>,
    /// The plan's explanation.
    pub reason: String,
}

impl From<&RotationPlan> for Reminder {
    fn from(p: &RotationPlan) -> Self {
        Reminder {
            now: p.now,
            act_by: p.act_by,
            action: p.action,
            action_slot: p.action_slot,
            reason: p.reason.clone(),
        }
    }
}
use crate::core::time::{ical_utc, Millis};

/// What the reminder is about, beyond the plan itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReminderContext {
    /// Title of the credentials item, shown in the summary.
    pub title: Option<String>,
    /// Item id, used in the UID so re-imports update the same event.
    pub item_id: Option<String>,
    /// Link to the item's settings page.
    pub url: Option<String>,
}

/// Escapes TEXT values (RFC 5545 §3.3.11).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets without splitting a UTF-8 character (§3.1), ending it
/// with CRLF.
fn push_line(out: &mut String, line: &str) {
    let mut used = 0usize;
    for c in line.chars() {
        let len = c.len_utf8();
        if used + len > 75 {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += len;
    }
    out.push_str("\r\n");
}

fn action_text(plan: &Reminder) -> String {
    let slot = plan.action_slot.unwrap_or(0);
    match plan.action {
        RotationAction::GenerateSecondary => format!("generate a secondary API key in slot {slot}"),
        RotationAction::DeploySecondary => format!("deploy API key {slot} to the app"),
        RotationAction::InvalidateOld => format!("invalidate the old API key in slot {slot}"),
        RotationAction::Regenerate => format!("regenerate API key {slot}"),
        RotationAction::None => "review the API keys".to_string(),
    }
}

/// Builds a `VCALENDAR` with one `VEVENT` at the plan's act-by date, with a reminder one day
/// before. Fails when the plan has no date to act by.
pub fn rotation_reminder_ics(plan: &Reminder, ctx: &ReminderContext) -> Result<String> {
    let at: Millis = plan.act_by.ok_or_else(|| {
        Error::invalid(
            "plan",
            "the plan has no date to act by, so there is nothing to remind of.",
        )
    })?;
    let start =
        ical_utc(at).ok_or_else(|| Error::invalid("plan", "the act-by date is out of range."))?;
    let end = ical_utc(at.saturating_add(30 * 60 * 1000))
        .ok_or_else(|| Error::invalid("plan", "the act-by date is out of range."))?;
    let stamp = ical_utc(plan.now)
        .ok_or_else(|| Error::invalid("plan", "the plan date is out of range."))?;
    let what = action_text(plan);
    let title = ctx.title.as_deref().unwrap_or("API key credentials");
    let item = ctx.item_id.as_deref().unwrap_or("credentials");
    let uid_item: String = item
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(64)
        .collect();
    let mut out = String::with_capacity(1024);
    push_line(&mut out, "BEGIN:VCALENDAR");
    push_line(&mut out, "VERSION:2.0");
    push_line(
        &mut out,
        "PRODID:-//apikey-credentials//rotation reminder//EN",
    );
    push_line(&mut out, "CALSCALE:GREGORIAN");
    push_line(&mut out, "METHOD:PUBLISH");
    push_line(&mut out, "BEGIN:VEVENT");
    push_line(
        &mut out,
        &format!(
            "UID:rotation-{uid_item}-{}-{}-{start}@apikey-credentials",
            plan.action.as_str(),
            plan.action_slot.unwrap_or(0)
        ),
    );
    push_line(&mut out, &format!("DTSTAMP:{stamp}"));
    push_line(&mut out, &format!("DTSTART:{start}"));
    push_line(&mut out, &format!("DTEND:{end}"));
    push_line(
        &mut out,
        &format!(
            "SUMMARY:{}",
            escape(&format!("ArcGIS API key rotation: {what} ({title})"))
        ),
    );
    let mut desc = format!("{}\nCredentials: {title}", plan.reason);
    if let Some(url) = &ctx.url {
        desc.push_str("\nSettings: ");
        desc.push_str(url);
    }
    push_line(&mut out, &format!("DESCRIPTION:{}", escape(&desc)));
    if let Some(url) = &ctx.url {
        if url.starts_with("https://") || url.starts_with("http://") {
            push_line(
                &mut out,
                &format!("URL:{}", url.replace(['\r', '\n', ' '], "")),
            );
        }
    }
    push_line(&mut out, "BEGIN:VALARM");
    push_line(&mut out, "ACTION:DISPLAY");
    push_line(
        &mut out,
        &format!("DESCRIPTION:{}", escape(&format!("Tomorrow: {what}"))),
    );
    push_line(&mut out, "TRIGGER:-P1D");
    push_line(&mut out, "END:VALARM");
    push_line(&mut out, "END:VEVENT");
    push_line(&mut out, "END:VCALENDAR");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::expiry::Thresholds;
    use crate::core::rotation::{plan_rotation, PlanOptions, SlotInput};
    use crate::core::time::DAY_MS;

    const NOW: Millis = 1_767_225_600_000;

    fn plan() -> RotationPlan {
        plan_rotation(
            [
                SlotInput {
                    expires_at: Some(NOW + 20 * DAY_MS),
                    active: Some(true),
                    generated: true,
                },
                SlotInput::default(),
            ],
            PlanOptions {
                now: NOW,
                thresholds: Thresholds::default(),
                deploy_lead_days: 7.0,
                in_use: None,
            },
        )
    }

    #[test]
    fn lines_are_crlf_and_folded() {
        let ctx = ReminderContext {
            title: Some("A very long title, with; special \\ characters and ünïcødé that goes on and on and on".into()),
            item_id: Some("abc123".into()),
            url: Some("https://example.com/home/item.html?id=abc123".into()),
        };
        let ics = rotation_reminder_ics(&(&plan()).into(), &ctx).unwrap();
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{line}");
            assert!(!line.contains('\n'));
        }
        assert!(ics.contains("DTSTART:20260114T000000Z"));
        assert!(ics.contains("DTSTAMP:20260101T000000Z"));
        assert!(ics.contains("UID:rotation-abc123-generateSecondary-2-"));
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains("with\\; special \\\\ characters"));
    }

    #[test]
    fn no_date_no_reminder() {
        let mut p: Reminder = (&plan()).into();
        p.act_by = None;
        assert_eq!(
            rotation_reminder_ics(&p, &ReminderContext::default())
                .unwrap_err()
                .code(),
            "INVALID_ARGUMENT"
        );
    }
}
