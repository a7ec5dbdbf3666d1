//! The serverless example's health function: answers every invocation with the service's name and this
//! binary's version, through the Lambda runtime API (`provided.al2023`: this binary is the zip's
//! `bootstrap`). Built for Lambda by synth (`stackwright::assets::RustFunction`), never run on the host.
//!
//! The runtime API (<https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html>): `GET
//! /2018-06-01/runtime/invocation/next` blocks until an event comes and names it in the
//! `Lambda-Runtime-Aws-Request-Id` header; `POST .../invocation/<id>/response` answers it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

/// One HTTP/1.1 exchange with the runtime API (`Connection: close`): the response's headers and body.
fn exchange(
    api: &str,
    method: &str,
    path: &str,
    body: &[u8],
) -> std::io::Result<(Vec<String>, Vec<u8>)> {
    let mut stream = TcpStream::connect(api)?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {api}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(body)?;
    let mut reader = BufReader::new(stream);
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        headers.push(line.trim_end().to_owned());
    }
    let mut rest = Vec::new();
    reader.read_to_end(&mut rest)?;
    Ok((headers, rest))
}

fn header<'h>(headers: &'h [String], name: &str) -> Option<&'h str> {
    headers.iter().find_map(|h| {
        let (key, value) = h.split_once(':')?;
        key.eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

fn main() {
    let api =
        std::env::var("AWS_LAMBDA_RUNTIME_API").expect("run by Lambda (AWS_LAMBDA_RUNTIME_API)");
    // A name, not text to escape: only what needs no escaping in JSON is kept.
    let service: String = std::env::var("SERVICE")
        .unwrap_or_else(|_| "orders".to_owned())
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let code_bucket: String = std::env::var("CODE_BUCKET")
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '.')
        .collect();
    let answer = format!(
        "{{\"statusCode\":200,\"body\":\"{{\\\"service\\\":\\\"{service}\\\",\\\"version\\\":\\\"{}\\\",\\\"code_bucket\\\":\\\"{code_bucket}\\\",\\\"healthy\\\":true}}\"}}",
        env!("CARGO_PKG_VERSION")
    );
    loop {
        let (headers, _event) =
            match exchange(&api, "GET", "/2018-06-01/runtime/invocation/next", b"") {
                Ok(next) => next,
                Err(e) => {
                    eprintln!("cannot read the next invocation: {e}");
                    std::process::exit(1);
                }
            };
        let Some(id) = header(&headers, "Lambda-Runtime-Aws-Request-Id") else {
            eprintln!("an invocation without a request id: {headers:?}");
            continue;
        };
        let path = format!("/2018-06-01/runtime/invocation/{id}/response");
        if let Err(e) = exchange(&api, "POST", &path, answer.as_bytes()) {
            eprintln!("cannot answer invocation {id}: {e}");
        }
    }
}
