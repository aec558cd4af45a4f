//! The portal's REST contract: request builders, response types and error mapping, behind a
//! small transport trait so that everything is testable natively.
