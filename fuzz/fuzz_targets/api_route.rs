//! The control API's router on arbitrary requests: method, URL and body
//! come from the input. Every outcome must be a request or a 4xx error;
//! nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vireo_vmm::api::server::route;

const METHODS: [&str; 7] = ["GET", "PUT", "PATCH", "POST", "DELETE", "HEAD", "OPTIONS"];

fuzz_target!(|data: &[u8]| {
    let Some((&m, rest)) = data.split_first() else {
        return;
    };
    let method = METHODS[usize::from(m) % METHODS.len()];
    let split = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
    let url = String::from_utf8_lossy(&rest[..split]);
    let body = rest.get(split + 1..).unwrap_or(&[]);
    if let Err(e) = route(method, &url, body) {
        assert!(
            (400..500).contains(&e.status),
            "{} for {method} {url}",
            e.status
        );
        assert!(!e.message.is_empty());
    }
});
