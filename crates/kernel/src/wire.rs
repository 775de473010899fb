//! The Jupyter wire protocol (messaging spec 5.3): the connection file, and
//! messages as ZeroMQ frames `[ids.., "<IDS|MSG>", hmac, header, parent,
//! metadata, content, buffers..]` signed with HMAC-SHA256.

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use hmac::{Hmac, KeyInit, Mac};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::Sha256;
use std::path::Path;
use zeromq::ZmqMessage;

const DELIMITER: &[u8] = b"<IDS|MSG>";
/// The messaging protocol version this kernel speaks.
pub const PROTOCOL_VERSION: &str = "5.3";

/// The connection file Jupyter writes before starting a kernel.
#[derive(Debug, Deserialize)]
pub struct Connection {
    pub ip: String,
    pub transport: String,
    pub shell_port: u16,
    pub iopub_port: u16,
    pub stdin_port: u16,
    pub control_port: u16,
    pub hb_port: u16,
    pub key: String,
    #[serde(default)]
    pub signature_scheme: String,
}

impl Connection {
    pub fn read(path: &Path) -> Result<Connection> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the connection file {}", path.display()))?;
        Connection::parse(&text, &path.display().to_string())
    }

    /// The connection file's text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Connection> {
        let connection: Connection = serde_json::from_str(text)
            .with_context(|| format!("{origin} is not a Jupyter connection file"))?;
        if !connection.key.is_empty()
            && !matches!(connection.signature_scheme.as_str(), "" | "hmac-sha256")
        {
            bail!(
                "unsupported signature scheme {:?}: only hmac-sha256",
                connection.signature_scheme
            );
        }
        Ok(connection)
    }

    /// `transport://ip:port`
    pub fn endpoint(&self, port: u16) -> String {
        format!("{}://{}:{}", self.transport, self.ip, port)
    }
}

/// Signs and checks messages; an empty key disables signing, as the spec allows.
#[derive(Clone)]
pub struct Signer {
    key: Vec<u8>,
}

impl Signer {
    pub fn new(key: &str) -> Signer {
        Signer {
            key: key.as_bytes().to_vec(),
        }
    }

    fn mac(&self, parts: &[&[u8]]) -> Option<Hmac<Sha256>> {
        if self.key.is_empty() {
            return None;
        }
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC accepts keys of any length");
        for part in parts {
            mac.update(part);
        }
        Some(mac)
    }

    fn sign(&self, parts: &[&[u8]]) -> String {
        self.mac(parts)
            .map(|mac| hex::encode(mac.finalize().into_bytes()))
            .unwrap_or_default()
    }

    fn verify(&self, signature: &[u8], parts: &[&[u8]]) -> bool {
        match self.mac(parts) {
            None => true,
            Some(mac) => hex::decode(signature)
                .map(|sig| mac.verify_slice(&sig).is_ok())
                .unwrap_or(false),
        }
    }
}

/// One Jupyter message.
#[derive(Debug, Clone)]
pub struct Message {
    /// ZeroMQ routing identities (ROUTER sockets reply to these).
    pub ids: Vec<Bytes>,
    pub header: Value,
    pub parent_header: Value,
    pub metadata: Value,
    pub content: Value,
}

impl Message {
    /// Parses and checks the signature of a multipart message.
    pub fn decode(message: ZmqMessage, signer: &Signer) -> Result<Message> {
        let frames = message.into_vec();
        let Some(split) = frames.iter().position(|f| f.as_ref() == DELIMITER) else {
            bail!("a message without the <IDS|MSG> delimiter");
        };
        if frames.len() < split + 6 {
            bail!(
                "a message with {} frames after the delimiter, expected at least 5",
                frames.len() - split - 1
            );
        }
        let body: Vec<&[u8]> = frames[split + 2..split + 6]
            .iter()
            .map(|f| f.as_ref())
            .collect();
        if !signer.verify(&frames[split + 1], &body) {
            bail!("a message with a bad signature");
        }
        let parse = |frame: &[u8]| -> Result<Value> { Ok(serde_json::from_slice(frame)?) };
        Ok(Message {
            ids: frames[..split].to_vec(),
            header: parse(body[0])?,
            parent_header: parse(body[1])?,
            metadata: parse(body[2])?,
            content: parse(body[3])?,
        })
    }

    /// The signed frames of this message.
    pub fn encode(&self, signer: &Signer) -> ZmqMessage {
        let body: Vec<Vec<u8>> = [
            &self.header,
            &self.parent_header,
            &self.metadata,
            &self.content,
        ]
        .iter()
        .map(|v| serde_json::to_vec(v).expect("JSON values serialize"))
        .collect();
        let parts: Vec<&[u8]> = body.iter().map(Vec::as_slice).collect();
        let mut frames = self.ids.clone();
        frames.push(Bytes::from_static(DELIMITER));
        frames.push(Bytes::from(signer.sign(&parts)));
        frames.extend(body.into_iter().map(Bytes::from));
        ZmqMessage::try_from(frames).expect("a message has frames")
    }

    pub fn msg_type(&self) -> &str {
        self.header["msg_type"].as_str().unwrap_or("")
    }

    /// A new message answering (or caused by) this one: same session and
    /// routing identities, this message's header as parent.
    pub fn child(&self, msg_type: &str, content: Value) -> Message {
        let session = self.header["session"].as_str().unwrap_or("");
        Message {
            ids: self.ids.clone(),
            header: header(msg_type, session),
            parent_header: self.header.clone(),
            metadata: json!({}),
            content,
        }
    }

    /// A message with no parent.
    #[cfg(test)]
    pub fn orphan(msg_type: &str, session: &str, content: Value) -> Message {
        Message {
            ids: Vec::new(),
            header: header(msg_type, session),
            parent_header: json!({}),
            metadata: json!({}),
            content,
        }
    }
}

fn header(msg_type: &str, session: &str) -> Value {
    json!({
        "msg_id": uuid::Uuid::new_v4().to_string(),
        "session": session,
        "username": "kernel",
        "date": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "msg_type": msg_type,
        "version": PROTOCOL_VERSION,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_survives_encoding_and_a_changed_byte_is_refused() {
        let signer = Signer::new("secret");
        let request = Message::orphan("execute_request", "s1", json!({"code": "1 + 1"}));
        let mut reply = request.child("execute_reply", json!({"status": "ok"}));
        reply.ids = vec![Bytes::from_static(b"client")];
        let decoded = Message::decode(reply.encode(&signer), &signer).unwrap();
        assert_eq!(decoded.ids, reply.ids);
        assert_eq!(decoded.msg_type(), "execute_reply");
        assert_eq!(decoded.parent_header["msg_id"], request.header["msg_id"]);
        assert_eq!(decoded.content["status"], "ok");

        let mut frames = reply.encode(&signer).into_vec();
        let last = frames.len() - 1;
        frames[last] = Bytes::from_static(br#"{"status": "error"}"#);
        let tampered = ZmqMessage::try_from(frames).unwrap();
        assert!(Message::decode(tampered, &signer).is_err());
        assert!(Message::decode(reply.encode(&Signer::new("other")), &signer).is_err());
    }

    #[test]
    fn an_empty_key_means_unsigned_messages() {
        let signer = Signer::new("");
        let message = Message::orphan("status", "s", json!({"execution_state": "idle"}));
        let frames = message.encode(&signer).into_vec();
        assert!(frames[1].is_empty());
        assert!(Message::decode(ZmqMessage::try_from(frames).unwrap(), &signer).is_ok());
    }
}
