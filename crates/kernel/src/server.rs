//! The kernel's five sockets: shell and control (requests and replies),
//! iopub (outputs and status, to every client), stdin (bound, unused: cells
//! do not read input) and heartbeat (echo).

use crate::session::{Interrupter, Request};
use crate::wire::{Connection, Message, PROTOCOL_VERSION, Signer};
use anyhow::{Context, Result};
use crossbeam_channel::Sender;
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};
use zeromq::{PubSocket, RepSocket, RouterSocket, Socket, SocketRecv, SocketSend};

/// What the kernel answers to `kernel_info_request`.
fn kernel_info() -> Value {
    json!({
        "status": "ok",
        "protocol_version": PROTOCOL_VERSION,
        "implementation": "hw6-kernel",
        "implementation_version": env!("CARGO_PKG_VERSION"),
        "language_info": {
            "name": "rust",
            "version": rustc_version(),
            "mimetype": "text/rust",
            "file_extension": ".rs",
            "pygments_lexer": "rust",
            "codemirror_mode": "rust",
        },
        "banner": "Rust (hw6): evcxr with a persistent build folder",
        "help_links": [],
    })
}

fn rustc_version() -> String {
    std::process::Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|v| v.split_whitespace().nth(1).map(str::to_owned))
        .unwrap_or_default()
}

pub struct Server {
    pub connection: Connection,
    pub requests: Sender<Request>,
    pub interrupter: Interrupter,
    pub iopub_tx: mpsc::UnboundedSender<Message>,
    pub iopub_rx: mpsc::UnboundedReceiver<Message>,
}

impl Server {
    /// Binds the sockets and serves until a shutdown request; whether it
    /// asked for a restart.
    pub fn run(self) -> Result<bool> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        runtime.block_on(self.serve())
    }

    async fn serve(self) -> Result<bool> {
        let Server {
            connection,
            requests,
            interrupter,
            iopub_tx,
            mut iopub_rx,
        } = self;
        let signer = Signer::new(&connection.key);
        let at = |port| connection.endpoint(port);
        let shell = bound(RouterSocket::new(), "shell", at(connection.shell_port)).await?;
        let control = bound(RouterSocket::new(), "control", at(connection.control_port)).await?;
        let mut iopub = bound(PubSocket::new(), "iopub", at(connection.iopub_port)).await?;
        let mut stdin = bound(RouterSocket::new(), "stdin", at(connection.stdin_port)).await?;
        let mut heartbeat = bound(RepSocket::new(), "heartbeat", at(connection.hb_port)).await?;

        let iopub_signer = signer.clone();
        let publisher = tokio::spawn(async move {
            while let Some(message) = iopub_rx.recv().await {
                if let Err(error) = iopub.send(message.encode(&iopub_signer)).await {
                    eprintln!("hw6-kernel: iopub send failed: {error}");
                }
            }
        });
        tokio::spawn(async move {
            while let Ok(ping) = heartbeat.recv().await {
                if heartbeat.send(ping).await.is_err() {
                    break;
                }
            }
        });
        tokio::spawn(async move {
            // Keep the stdin socket open; input requests are not supported.
            while stdin.recv().await.is_ok() {}
        });
        let control_task = tokio::spawn(serve_control(
            control,
            signer.clone(),
            interrupter,
            iopub_tx.clone(),
        ));
        let shell_task = tokio::spawn(serve_shell(shell, signer, requests, iopub_tx));

        // Serve until a shutdown request (on either channel) or a socket error.
        let result = tokio::select! {
            done = control_task => done,
            done = shell_task => done,
        };
        // Let the last status messages go out.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        publisher.abort();
        result.context("a kernel task stopped")?
    }
}

/// The control channel: kernel info, interrupts, and the shutdown request
/// that ends the kernel.
async fn serve_control(
    mut control: RouterSocket,
    signer: Signer,
    interrupter: Interrupter,
    iopub_tx: mpsc::UnboundedSender<Message>,
) -> Result<bool> {
    loop {
        let request = next_request(&mut control, &signer, "control").await?;
        let content = match request.msg_type() {
            "kernel_info_request" => kernel_info(),
            "interrupt_request" => {
                interrupter.interrupt();
                json!({"status": "ok"})
            }
            "shutdown_request" => {
                let restart = request.content["restart"].as_bool().unwrap_or(false);
                let reply = request.child(
                    "shutdown_reply",
                    json!({"status": "ok", "restart": restart}),
                );
                control
                    .send(reply.encode(&signer))
                    .await
                    .context("control socket")?;
                let _ = iopub_tx.send(request.child("status", json!({"execution_state": "idle"})));
                return Ok(restart);
            }
            _ => continue,
        };
        let reply_type = request.msg_type().replace("_request", "_reply");
        control
            .send(request.child(&reply_type, content).encode(&signer))
            .await
            .context("control socket")?;
    }
}

/// The shell channel: each request between a busy and an idle status,
/// answered by the session; a shutdown request ends the kernel.
async fn serve_shell(
    mut shell: RouterSocket,
    signer: Signer,
    requests: Sender<Request>,
    iopub_tx: mpsc::UnboundedSender<Message>,
) -> Result<bool> {
    loop {
        let request = next_request(&mut shell, &signer, "shell").await?;
        let _ = iopub_tx.send(status(&request, "busy"));
        let reply = answer(&request, &requests).await;
        if let Some((msg_type, content)) = reply {
            shell
                .send(request.child(&msg_type, content).encode(&signer))
                .await
                .context("shell socket")?;
        }
        let _ = iopub_tx.send(status(&request, "idle"));
        if request.msg_type() == "shutdown_request" {
            return Ok(request.content["restart"].as_bool().unwrap_or(false));
        }
    }
}

/// The next well-formed, correctly signed request on a ROUTER socket; others
/// are logged and skipped.
async fn next_request(socket: &mut RouterSocket, signer: &Signer, name: &str) -> Result<Message> {
    loop {
        let frames = socket
            .recv()
            .await
            .with_context(|| format!("{name} socket"))?;
        match Message::decode(frames, signer) {
            Ok(request) => return Ok(request),
            Err(error) => eprintln!("hw6-kernel: {name}: {error}"),
        }
    }
}

/// `socket` bound to `endpoint`.
async fn bound<S: Socket>(mut socket: S, name: &str, endpoint: String) -> Result<S> {
    socket
        .bind(&endpoint)
        .await
        .map_err(|e| anyhow::anyhow!("cannot bind the {name} socket to {endpoint}: {e}"))?;
    Ok(socket)
}

fn status(parent: &Message, state: &str) -> Message {
    let mut message = parent.child("status", json!({"execution_state": state}));
    message.ids = Vec::new();
    message
}

/// The reply type and content for a shell request; None for messages that
/// have no reply (comms).
async fn answer(request: &Message, requests: &Sender<Request>) -> Option<(String, Value)> {
    let reply_type = request.msg_type().replace("_request", "_reply");
    let content = match request.msg_type() {
        "kernel_info_request" => kernel_info(),
        "execute_request" => {
            let (tx, rx) = oneshot::channel();
            let _ = requests.send(Request::Execute {
                msg: request.clone(),
                reply: tx,
            });
            rx.await.unwrap_or_else(|_| json!({"status": "abort"}))
        }
        "complete_request" => {
            let (tx, rx) = oneshot::channel();
            let _ = requests.send(Request::Complete {
                msg: request.clone(),
                reply: tx,
            });
            rx.await
                .unwrap_or_else(|_| json!({"status": "ok", "matches": [], "metadata": {}}))
        }
        "is_complete_request" => json!({"status": "complete"}),
        "inspect_request" => json!({"status": "ok", "found": false, "data": {}, "metadata": {}}),
        "history_request" => json!({"status": "ok", "history": []}),
        "comm_info_request" => json!({"status": "ok", "comms": {}}),
        "shutdown_request" => {
            json!({"status": "ok", "restart": request.content["restart"].as_bool().unwrap_or(false)})
        }
        _ => return None,
    };
    Some((reply_type, content))
}
