//! The rotation reminder is valid iCalendar: a real parser (the `icalendar` crate) reads it back.
#![cfg(not(target_arch = "wasm32"))]

use apikey_credentials::core::expiry::Thresholds;
use apikey_credentials::core::ics::{rotation_reminder_ics, ReminderContext};
use apikey_credentials::core::rotation::{plan_rotation, PlanOptions, SlotInput};
use icalendar::{Calendar, CalendarComponent, Component};

const NOW: i64 = 1_767_225_600_000;
const DAY: i64 = 86_400_000;

#[test]
fn reminders_parse_with_a_real_icalendar_parser() {
    let titles = [
        "Store locator",
        "Ünïcødé, commas; semicolons \\ backslashes\nand a newline",
        &"very long title ".repeat(20),
    ];
    let slots = [
        [
            SlotInput {
                expires_at: Some(NOW + 20 * DAY),
                active: Some(true),
                generated: true,
            },
            SlotInput::default(),
        ],
        [
            SlotInput {
                expires_at: Some(NOW + 20 * DAY),
                active: Some(true),
                generated: true,
            },
            SlotInput {
                expires_at: Some(NOW + 300 * DAY),
                active: Some(true),
                generated: true,
            },
        ],
        [
            SlotInput {
                expires_at: Some(NOW - DAY),
                active: Some(true),
                generated: true,
            },
            SlotInput::default(),
        ],
    ];
    for title in titles {
        for s in slots {
            let plan = plan_rotation(
                s,
                PlanOptions {
                    now: NOW,
                    thresholds: Thresholds::default(),
                    deploy_lead_days: 7.0,
                    in_use: None,
                },
            );
            let ctx = ReminderContext {
                title: Some(title.to_string()),
                item_id: Some("0123456789abcdef0123456789abcdef".into()),
                url: Some(
                    "https://www.arcgis.com/home/item.html?id=0123456789abcdef0123456789abcdef"
                        .into(),
                ),
            };
            let text = rotation_reminder_ics(&(&plan).into(), &ctx).unwrap();
            let cal: Calendar = text.parse().unwrap_or_else(|e| panic!("{e}\n{text}"));
            let events: Vec<_> = cal
                .components
                .iter()
                .filter_map(|c| match c {
                    CalendarComponent::Event(e) => Some(e),
                    _ => None,
                })
                .collect();
            assert_eq!(events.len(), 1);
            let e = events[0];
            assert!(e
                .get_uid()
                .is_some_and(|u| u.contains("0123456789abcdef0123456789abcdef")));
            assert!(e
                .get_summary()
                .is_some_and(|s| s.contains("ArcGIS API key rotation")));
            assert!(e.get_start().is_some());
            assert!(e.property_value("DTSTAMP").is_some());
            if title.starts_with("Ünïcødé") {
                assert!(
                    e.get_summary()
                        .unwrap()
                        .contains("Ünïcødé, commas; semicolons \\ backslashes"),
                    "{:?}",
                    e.get_summary()
                );
            }
        }
    }
}
