//! A scripted HTTP/1.1 server on 127.0.0.1 for tests and benchmarks: records every request,
//! answers through a handler, and can delay, drop the connection (reset) or limit how many
//! requests it serves at once. Thread per connection, keep-alive supported.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub query: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub received: Instant,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == &name.to_ascii_lowercase())
            .map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "request body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }
    /// Form fields of an `application/x-www-form-urlencoded` body.
    pub fn form(&self) -> HashMap<String, String> {
        url::form_urlencoded::parse(&self.body)
            .into_owned()
            .collect()
    }
    /// Every raw byte of the request, for leak checks.
    pub fn raw_text(&self) -> String {
        format!(
            "{} {}?{} {:?} {}",
            self.method,
            self.path,
            self.query,
            self.headers,
            String::from_utf8_lossy(&self.body)
        )
    }
}

/// What the handler wants done with a request.
pub enum Reply {
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
        delay: Duration,
    },
    /// Drop the connection without answering (the client sees a reset / closed connection).
    Reset,
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply::Respond {
            status,
            headers: Vec::new(),
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }
    pub fn raw(status: u16, body: &str) -> Reply {
        Reply::Respond {
            status,
            headers: Vec::new(),
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }
    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Respond { headers, .. } = &mut self {
            headers.push((name.to_string(), value.to_string()));
        }
        self
    }
    pub fn after(mut self, wait: Duration) -> Reply {
        if let Reply::Respond { delay, .. } = &mut self {
            *delay = wait;
        }
        self
    }
}

type Handler = dyn Fn(&Request, usize) -> Reply + Send + Sync;

struct State {
    requests: Mutex<Vec<Request>>,
    arrived: Condvar,
    handler: Box<Handler>,
    /// Requests being served now, and the most ever served at once.
    in_flight: Mutex<usize>,
    slot_free: Condvar,
    max_in_flight: AtomicUsize,
    limit: usize,
    stopping: AtomicBool,
}

/// The running server; stops accepting when dropped.
pub struct MockServer {
    addr: std::net::SocketAddr,
    state: Arc<State>,
}

impl MockServer {
    /// Starts a server whose `handler` gets each request and its 0-based number.
    pub fn start(handler: impl Fn(&Request, usize) -> Reply + Send + Sync + 'static) -> Self {
        Self::start_limited(usize::MAX, handler)
    }

    /// Like [`MockServer::start`], serving at most `limit` requests at once (others wait).
    pub fn start_limited(
        limit: usize,
        handler: impl Fn(&Request, usize) -> Reply + Send + Sync + 'static,
    ) -> Self {
        Self::start_with(limit, None, handler)
    }

    /// Like [`MockServer::start`], speaking HTTPS with the certificate of `tls`.
    pub fn start_tls(
        tls: Arc<rustls::ServerConfig>,
        handler: impl Fn(&Request, usize) -> Reply + Send + Sync + 'static,
    ) -> Self {
        Self::start_with(usize::MAX, Some(tls), handler)
    }

    fn start_with(
        limit: usize,
        tls: Option<Arc<rustls::ServerConfig>>,
        handler: impl Fn(&Request, usize) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let state = Arc::new(State {
            requests: Mutex::new(Vec::new()),
            arrived: Condvar::new(),
            handler: Box::new(handler),
            in_flight: Mutex::new(0),
            slot_free: Condvar::new(),
            max_in_flight: AtomicUsize::new(0),
            limit,
            stopping: AtomicBool::new(false),
        });
        let accept_state = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if accept_state.stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let state = Arc::clone(&accept_state);
                let tls = tls.clone();
                std::thread::spawn(move || serve(stream, &state, tls));
            }
        });
        MockServer { addr, state }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.requests.lock().unwrap().clone()
    }

    /// Requests whose path ends with `suffix`.
    pub fn requests_to(&self, suffix: &str) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.path.ends_with(suffix))
            .collect()
    }

    pub fn count(&self) -> usize {
        self.state.requests.lock().unwrap().len()
    }

    /// Blocks until at least `n` requests arrived (true) or `timeout` passed (false).
    pub fn wait_for(&self, n: usize, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut requests = self.state.requests.lock().unwrap();
        while requests.len() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            requests = self.state.arrived.wait_timeout(requests, left).unwrap().0;
        }
        true
    }

    /// The most requests that were ever served at the same time.
    pub fn max_in_flight(&self) -> usize {
        self.state.max_in_flight.load(Ordering::SeqCst)
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.state.stopping.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

fn serve(stream: TcpStream, state: &State, tls: Option<Arc<rustls::ServerConfig>>) {
    let _ = stream.set_nodelay(true);
    match tls {
        None => {
            let raw = stream.try_clone().expect("clone stream");
            serve_on(BufReader::new(stream), state, move || reset(&raw));
        }
        Some(config) => {
            let Ok(connection) = rustls::ServerConnection::new(config) else {
                return;
            };
            let stream = rustls::StreamOwned::new(connection, stream);
            serve_on(BufReader::new(stream), state, || {});
        }
    }
}

/// Serves the requests of one connection (plain or TLS); `reset` drops it abruptly.
fn serve_on<S: Read + Write>(mut reader: BufReader<S>, state: &State, reset: impl FnOnce()) {
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let target = parts.next().unwrap_or("").to_string();
        let (path, query) = match target.split_once('?') {
            Some((p, q)) => (p.to_string(), q.to_string()),
            None => (target, String::new()),
        };
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((n, v)) = h.split_once(':') {
                headers.push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
        let length: usize = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let request = Request {
            method,
            path,
            query,
            headers,
            body,
            received: Instant::now(),
        };
        let number = {
            let mut requests = state.requests.lock().unwrap();
            requests.push(request.clone());
            state.arrived.notify_all();
            requests.len() - 1
        };
        {
            let mut in_flight = state.in_flight.lock().unwrap();
            while *in_flight >= state.limit {
                in_flight = state.slot_free.wait(in_flight).unwrap();
            }
            *in_flight += 1;
            state.max_in_flight.fetch_max(*in_flight, Ordering::SeqCst);
        }
        let reply = (state.handler)(&request, number);
        let written = match reply {
            Reply::Reset => None,
            Reply::Respond {
                status,
                headers,
                body,
                delay,
            } => {
                std::thread::sleep(delay);
                let mut head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nContent-Type: application/json\r\n",
                    body.len()
                );
                for (n, v) in headers {
                    head.push_str(&format!("{n}: {v}\r\n"));
                }
                head.push_str("\r\n");
                // One write: head and body in separate segments would meet Nagle's algorithm
                // and delayed ACKs (+40 ms per answer).
                head.push_str(&body);
                let stream = reader.get_mut();
                Some(
                    stream
                        .write_all(head.as_bytes())
                        .and_then(|_| stream.flush()),
                )
            }
        };
        {
            let mut in_flight = state.in_flight.lock().unwrap();
            *in_flight -= 1;
            state.slot_free.notify_one();
        }
        match written {
            Some(Ok(())) => continue,
            // Reset: SO_LINGER 0 makes close() send RST instead of FIN.
            _ => {
                reset();
                return;
            }
        }
    }
}

fn reset(stream: &TcpStream) {
    use std::os::fd::AsRawFd;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a valid socket descriptor and a correctly sized `linger` value.
    unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
}
