//! The portal's REST contract: response types and the conversions into the core model. Request
//! builders, error mapping and the transport trait live beside them.

pub mod types;
