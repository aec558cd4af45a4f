//! The portal rules, natively.

use super::*;

const NOW: Millis = 1_767_225_600_000;
const DAY: Millis = 86_400_000;

fn setup() -> (State, App) {
    let mut s = State::new("t");
    s.add_user(
        "owner",
        "pw",
        "Owner",
        "creatorUT",
        "org_publisher",
        vec![],
        NOW,
    );
    let id = s
        .add_item(
            "owner",
            "Creds",
            "Application",
            vec![],
            vec![],
            "",
            "private",
            NOW,
        )
        .unwrap();
    let app = s
        .register_app(
            "owner",
            &id,
            "multiple",
            vec![],
            vec![],
            vec!["premium:user:basemaps".into()],
            NOW,
        )
        .unwrap();
    (s, app)
}

#[test]
fn key_lifecycle() {
    let (mut s, app) = setup();
    let (k1, exp) = s
        .generate_key(&app.client_id, &app.client_secret, 1, false, NOW)
        .unwrap();
    assert!(k1.starts_with("AAPT") && k1.contains(".AT1_"));
    assert_eq!(exp, NOW + 365 * DAY);
    assert_eq!(
        s.resolve(Some(&k1), None, NOW).unwrap(),
        Auth::Key {
            client_id: app.client_id.clone(),
            slot: 1
        }
    );
    // Regenerate without the flag is refused; with it, the old key dies.
    assert!(s
        .generate_key(&app.client_id, &app.client_secret, 1, false, NOW)
        .is_err());
    let (k1b, _) = s
        .generate_key(&app.client_id, &app.client_secret, 1, true, NOW)
        .unwrap();
    assert_eq!(s.resolve(Some(&k1), None, NOW).unwrap_err().code, 498);
    assert!(s.resolve(Some(&k1b), None, NOW).is_ok());
    // Expired.
    assert_eq!(
        s.resolve(Some(&k1b), None, NOW + 366 * DAY)
            .unwrap_err()
            .code,
        498
    );
    // Revoke.
    s.revoke_key(&app.client_id, &app.client_secret, 1).unwrap();
    assert_eq!(s.resolve(Some(&k1b), None, NOW).unwrap_err().code, 498);
    // Bad secret.
    assert_eq!(
        s.generate_key(&app.client_id, "nope", 2, true, NOW)
            .unwrap_err()
            .code,
        400
    );
}

#[test]
fn privilege_edit_invalidates_both_keys_referrer_edit_does_not() {
    let (mut s, app) = setup();
    let (k1, _) = s
        .generate_key(&app.client_id, &app.client_secret, 1, true, NOW)
        .unwrap();
    let (k2, _) = s
        .generate_key(&app.client_id, &app.client_secret, 2, true, NOW)
        .unwrap();
    s.update_app(
        "owner",
        &app.client_id,
        None,
        Some(vec!["https://a.example".into()]),
        None,
        NOW,
    )
    .unwrap();
    assert!(s.resolve(Some(&k1), None, NOW).is_ok());
    s.update_app(
        "owner",
        &app.client_id,
        Some(vec!["premium:user:geocode".into()]),
        None,
        None,
        NOW,
    )
    .unwrap();
    assert!(s.resolve(Some(&k1), None, NOW).is_err());
    assert!(s.resolve(Some(&k2), None, NOW).is_err());
    assert!(s
        .update_app("someone", &app.client_id, None, None, None, NOW)
        .is_err());
}

#[test]
fn expiration_rules() {
    let (mut s, app) = setup();
    let id = app.item_id.clone();
    assert!(s
        .update_item("owner", &id, None, None, [Some(NOW + 366 * DAY), None], NOW)
        .is_err());
    assert!(s
        .update_item("owner", &id, None, None, [Some(NOW - 1), None], NOW)
        .is_err());
    s.update_item("owner", &id, None, None, [Some(NOW + 30 * DAY), None], NOW)
        .unwrap();
    let (k, exp) = s
        .generate_key(&app.client_id, &app.client_secret, 1, true, NOW)
        .unwrap();
    assert_eq!(exp, NOW + 30 * DAY);
    // Changing the date of a live key invalidates it.
    s.update_item("owner", &id, None, None, [Some(NOW + 60 * DAY), None], NOW)
        .unwrap();
    assert!(s.resolve(Some(&k), None, NOW).is_err());
}

#[test]
fn tokens_bound_to_a_referer() {
    assert!(referer_matches(
        "http://127.0.0.1:8080",
        Some("http://127.0.0.1:8080/demo/")
    ));
    assert!(referer_matches("HTTP://Host:1/", Some("http://host:1")));
    assert!(!referer_matches(
        "http://127.0.0.1:8080",
        Some("http://127.0.0.1:8081/")
    ));
    assert!(!referer_matches(
        "https://a.example",
        Some("http://a.example/")
    ));
    assert!(!referer_matches("http://a.example", None));
    assert!(referer_matches(
        "@esri/arcgis-rest-js",
        Some("@esri/arcgis-rest-js")
    ));
    assert!(!referer_matches(
        "apikey-credentials",
        Some("http://apikey-credentials/")
    ));
    let (mut s, _) = setup();
    let (t, _) = s
        .generate_token("owner", "pw", None, Some("apikey-credentials"), NOW)
        .unwrap();
    assert!(s.resolve(Some(&t), Some("apikey-credentials"), NOW).is_ok());
    assert_eq!(s.resolve(Some(&t), None, NOW).unwrap_err().code, 498);
    assert_eq!(
        s.resolve(Some(&t), Some("other"), NOW).unwrap_err().code,
        498
    );
}

#[test]
fn passwords_and_tokens() {
    let (mut s, _) = setup();
    assert_eq!(
        s.generate_token("owner", "bad", None, None, NOW)
            .unwrap_err()
            .code,
        400
    );
    let (t, exp) = s
        .generate_token("owner", "pw", Some(20160), None, NOW)
        .unwrap();
    assert_eq!(exp, NOW + 20160 * 60_000);
    assert_eq!(
        s.resolve(Some(&t), None, NOW).unwrap(),
        Auth::User("owner".into())
    );
    assert_eq!(s.resolve(Some(&t), None, exp).unwrap_err().code, 498);
    let json = serde_json::to_string(&s).unwrap();
    assert!(!json.contains(&t) && !json.contains("\"pw\""));
}

#[test]
fn list_parameters() {
    assert_eq!(parse_list("x", r#"["a","b"]"#).unwrap(), vec!["a", "b"]);
    assert_eq!(parse_list("x", "").unwrap(), Vec::<String>::new());
    assert_eq!(parse_list("x", "a, b").unwrap(), vec!["a", "b"]);
    assert_eq!(parse_list("x", "[1,2]").unwrap_err().code, 400);
    assert_eq!(parse_list("x", "[\"a\"").unwrap_err().code, 400);
}

#[test]
fn pkce_s256_is_rfc_7636s() {
    // RFC 7636, appendix B.
    assert_eq!(
        pkce_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
}

/// An OAuth app of `owner`, with one redirect URI.
fn oauth_app(s: &mut State) -> String {
    let id = s
        .add_item(
            "owner",
            "Console",
            "Application",
            vec![],
            vec![],
            "",
            "private",
            NOW,
        )
        .unwrap();
    let app = s
        .register_app(
            "owner",
            &id,
            "browser",
            vec!["https://app.example/cb".into()],
            vec![],
            vec![],
            NOW,
        )
        .unwrap();
    assert!(
        !s.items[&id].type_keywords.iter().any(|k| k == "APIToken"),
        "an OAuth app is not API key credentials"
    );
    app.client_id
}

#[test]
fn authorization_codes_are_single_use_timed_and_bound_to_the_verifier_and_redirect() {
    let (mut s, _) = setup();
    let client = oauth_app(&mut s);
    let verifier = "a-verifier-of-forty-three-characters-long-xx";
    let challenge = pkce_s256(verifier);
    let cb = "https://app.example/cb";
    // The sign-in page is refused for an unregistered redirect URI, a missing PKCE challenge.
    let refused = |r: Result<()>| r.unwrap_err().message;
    assert_eq!(
        refused(s.check_authorize(
            &client,
            "https://evil.example/cb",
            "code",
            &challenge,
            "S256"
        )),
        "Invalid redirect_uri"
    );
    assert!(s.check_authorize(&client, cb, "code", "", "").is_err());
    assert!(s
        .check_authorize("nope", cb, "code", &challenge, "S256")
        .is_err());
    assert_eq!(
        s.authorize(&client, cb, &challenge, "owner", "wrong", None, NOW)
            .unwrap_err()
            .oauth,
        Some("access_denied")
    );
    let code = s
        .authorize(&client, cb, &challenge, "owner", "pw", Some(5), NOW)
        .unwrap();
    // A wrong verifier uses the code up.
    let e = s
        .exchange_code(&client, cb, &code, "another-verifier", NOW)
        .unwrap_err();
    assert_eq!(
        (e.oauth, e.message.as_str()),
        (Some("invalid_grant"), "Invalid code_verifier")
    );
    assert!(
        s.exchange_code(&client, cb, &code, verifier, NOW).is_err(),
        "used once"
    );
    // A redirect URI that differs from the one the code went to.
    let code = s
        .authorize(&client, cb, &challenge, "owner", "pw", None, NOW)
        .unwrap();
    assert_eq!(
        s.exchange_code(&client, "https://app.example/other", &code, verifier, NOW)
            .unwrap_err()
            .message,
        "Invalid redirect_uri"
    );
    // An expired code.
    let code = s
        .authorize(&client, cb, &challenge, "owner", "pw", None, NOW)
        .unwrap();
    assert!(s
        .exchange_code(&client, cb, &code, verifier, NOW + CODE_TTL_MS)
        .is_err());
    // The right exchange: a token for 5 minutes, and a refresh token that makes new ones.
    let code = s
        .authorize(&client, cb, &challenge, "owner", "pw", Some(5), NOW)
        .unwrap();
    let t = s.exchange_code(&client, cb, &code, verifier, NOW).unwrap();
    assert_eq!((t.username.as_str(), t.expires_in), ("owner", 300));
    assert!(
        !format!("{t:?}").contains(&t.access_token),
        "Debug hides the tokens"
    );
    assert_eq!(
        s.resolve(Some(&t.access_token), None, NOW).unwrap(),
        Auth::User("owner".into())
    );
    let refresh = t.refresh_token.unwrap();
    let again = s.refresh(&client, &refresh, NOW + 60_000).unwrap();
    assert_ne!(again.access_token, t.access_token);
    assert!(s.refresh("other-client", &refresh, NOW).is_err());
    assert!(s.refresh(&client, &refresh, NOW + REFRESH_TTL_MS).is_err());
}
