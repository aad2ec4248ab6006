//! Checkpoints as C2SP tlog-checkpoint text, signed as C2SP signed notes with Ed25519, and
//! the key files in the same formats as Go's `golang.org/x/mod/sumdb/note` (so other
//! transparency-log tools can check auditctl's checkpoints).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signer, Verifier};
use sha2::{Digest, Sha256};

use super::merkle::Hash;

/// The signature type byte of Ed25519 in signed notes.
const ED25519: u8 = 0x01;
/// Signature lines start with an em dash and a space.
const DASH: &str = "\u{2014} ";

/// A checkpoint: the log's origin, its size, and the root of the tree of that size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
}

impl Checkpoint {
    /// The checkpoint text: `origin`, size and base64 root, one per line.
    pub fn body(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            B64.encode(self.root)
        )
    }
}

/// One signature line of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    pub name: String,
    pub key_id: [u8; 4],
    pub signature: Vec<u8>,
}

/// A parsed signed note holding a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCheckpoint {
    /// The signed text, final newline included.
    pub body: String,
    pub checkpoint: Checkpoint,
    pub signatures: Vec<NoteSignature>,
}

/// Why a note or key could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct FormatError(String);

fn bad(why: impl Into<String>) -> FormatError {
    FormatError(why.into())
}

/// Parses a checkpoint, signed or not.
pub fn parse(text: &str) -> Result<SignedCheckpoint, FormatError> {
    let (body, sigs) = match text.find("\n\n") {
        Some(i) => (&text[..=i], &text[i + 2..]),
        None => (text, ""),
    };
    if !body.ends_with('\n') {
        return Err(bad("a checkpoint ends with a newline"));
    }
    let mut lines = body.lines();
    let origin = lines
        .next()
        .filter(|l| !l.is_empty())
        .ok_or_else(|| bad("no origin line"))?;
    let size = lines
        .next()
        .and_then(|l| l.parse::<u64>().ok())
        .ok_or_else(|| bad("the second line must be the tree size"))?;
    let root = lines
        .next()
        .and_then(|l| B64.decode(l).ok())
        .and_then(|b| Hash::try_from(b).ok())
        .ok_or_else(|| bad("the third line must be the base64 root hash"))?;
    let mut signatures = Vec::new();
    for line in sigs.lines().filter(|l| !l.is_empty()) {
        let rest = line
            .strip_prefix(DASH)
            .ok_or_else(|| bad(format!("not a signature line: {line:?}")))?;
        let (name, sig) = rest
            .rsplit_once(' ')
            .ok_or_else(|| bad(format!("not a signature line: {line:?}")))?;
        let bytes = B64
            .decode(sig)
            .map_err(|_| bad(format!("signature of {name} is not base64")))?;
        if bytes.len() < 5 {
            return Err(bad(format!("signature of {name} is too short")));
        }
        signatures.push(NoteSignature {
            name: name.to_owned(),
            key_id: bytes[..4].try_into().expect("four bytes"),
            signature: bytes[4..].to_vec(),
        });
    }
    Ok(SignedCheckpoint {
        body: body.to_owned(),
        checkpoint: Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
        },
        signatures,
    })
}

fn key_id(name: &str, public: &[u8; 32]) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', ED25519]);
    h.update(public);
    h.finalize()[..4].try_into().expect("four bytes")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A private key: `PRIVATE+KEY+NAME+ID+BASE64`.
pub struct SigningKey {
    pub name: String,
    key: ed25519_dalek::SigningKey,
}

/// A public key: `NAME+ID+BASE64`.
#[derive(Debug, Clone)]
pub struct VerifierKey {
    pub name: String,
    pub id: [u8; 4],
    key: ed25519_dalek::VerifyingKey,
}

/// Splits `NAME+HEXID+BASE64` and checks that the id belongs to the key.
fn parse_key_fields(text: &str) -> Result<(String, [u8; 4], Vec<u8>), FormatError> {
    // Names hold no '+', base64 may: split from the left.
    let mut parts = text.trim().splitn(3, '+');
    let (Some(name), Some(id), Some(data)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad("a key is NAME+ID+DATA"));
    };
    let data = B64
        .decode(data)
        .map_err(|_| bad("key data is not base64"))?;
    if data.first() != Some(&ED25519) || data.len() != 33 {
        return Err(bad("not an Ed25519 key"));
    }
    let id = u32::from_str_radix(id, 16)
        .map_err(|_| bad("key id is not hex"))?
        .to_be_bytes();
    Ok((name.to_owned(), id, data[1..].to_vec()))
}

impl SigningKey {
    /// A new random key named `name`.
    pub fn generate(name: &str) -> SigningKey {
        let mut seed = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut seed);
        SigningKey {
            name: name.to_owned(),
            key: ed25519_dalek::SigningKey::from_bytes(&seed),
        }
    }

    pub fn parse(text: &str) -> Result<SigningKey, FormatError> {
        let rest = text
            .trim()
            .strip_prefix("PRIVATE+KEY+")
            .ok_or_else(|| bad("a private key starts with PRIVATE+KEY+"))?;
        let (name, id, seed) = parse_key_fields(rest)?;
        let seed: [u8; 32] = seed.try_into().map_err(|_| bad("bad key length"))?;
        let key = SigningKey {
            name,
            key: ed25519_dalek::SigningKey::from_bytes(&seed),
        };
        if key.verifier().id != id {
            return Err(bad("the key id does not match the key"));
        }
        Ok(key)
    }

    pub fn to_text(&self) -> String {
        let id = self.verifier().id;
        let mut data = vec![ED25519];
        data.extend_from_slice(self.key.as_bytes());
        format!(
            "PRIVATE+KEY+{}+{}+{}\n",
            self.name,
            hex(&id),
            B64.encode(data)
        )
    }

    pub fn verifier(&self) -> VerifierKey {
        let public = self.key.verifying_key();
        VerifierKey {
            id: key_id(&self.name, public.as_bytes()),
            name: self.name.clone(),
            key: public,
        }
    }

    /// The signature line for `body`: `— NAME BASE64(id || signature)`.
    pub fn sign(&self, body: &str) -> String {
        let mut data = self.verifier().id.to_vec();
        data.extend_from_slice(&self.key.sign(body.as_bytes()).to_bytes());
        format!("{DASH}{} {}\n", self.name, B64.encode(data))
    }
}

impl VerifierKey {
    pub fn parse(text: &str) -> Result<VerifierKey, FormatError> {
        let (name, id, public) = parse_key_fields(text)?;
        let public: [u8; 32] = public.try_into().map_err(|_| bad("bad key length"))?;
        if key_id(&name, &public) != id {
            return Err(bad("the key id does not match the key"));
        }
        let key = ed25519_dalek::VerifyingKey::from_bytes(&public)
            .map_err(|_| bad("not a valid Ed25519 public key"))?;
        Ok(VerifierKey { name, id, key })
    }

    pub fn to_text(&self) -> String {
        let mut data = vec![ED25519];
        data.extend_from_slice(self.key.as_bytes());
        format!("{}+{}+{}\n", self.name, hex(&self.id), B64.encode(data))
    }

    /// Whether the note carries a valid signature by this key. `None` when it carries no
    /// signature by this key at all.
    pub fn check(&self, note: &SignedCheckpoint) -> Option<bool> {
        let sig = note
            .signatures
            .iter()
            .find(|s| s.name == self.name && s.key_id == self.id)?;
        let Ok(sig) = ed25519_dalek::Signature::from_slice(&sig.signature) else {
            return Some(false);
        };
        Some(self.key.verify(note.body.as_bytes(), &sig).is_ok())
    }
}

/// The note text of a checkpoint, signed by `key` when given.
pub fn note_text(c: &Checkpoint, key: Option<&SigningKey>) -> String {
    let body = c.body();
    match key {
        Some(k) => format!("{body}\n{}", k.sign(&body)),
        None => body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checkpoint() -> Checkpoint {
        Checkpoint {
            origin: "audit.example.org/log".into(),
            size: 42,
            root: [7; 32],
        }
    }

    #[test]
    fn signed_notes_round_trip_and_detect_forgery() {
        let key = SigningKey::generate("audit.example.org/log");
        let text = note_text(&checkpoint(), Some(&key));
        assert!(text.starts_with("audit.example.org/log\n42\nBwcH"));
        assert!(text.contains("\n\n\u{2014} audit.example.org/log "));
        let note = parse(&text).unwrap();
        assert_eq!(note.checkpoint, checkpoint());
        let vkey = VerifierKey::parse(&key.verifier().to_text()).unwrap();
        assert_eq!(vkey.check(&note), Some(true));

        // The same signature over another size does not verify.
        let forged = text.replacen("\n42\n", "\n43\n", 1);
        assert_eq!(vkey.check(&parse(&forged).unwrap()), Some(false));
        // Another key's signature is not this key's.
        let other = SigningKey::generate("audit.example.org/log");
        let by_other = note_text(&checkpoint(), Some(&other));
        assert_eq!(vkey.check(&parse(&by_other).unwrap()), None);
        // Keys survive their text form, also when their base64 holds '+' and '/'.
        for _ in 0..32 {
            let key = SigningKey::generate("log");
            let again = SigningKey::parse(&key.to_text()).unwrap();
            assert_eq!(again.verifier().to_text(), key.verifier().to_text());
            VerifierKey::parse(&key.verifier().to_text()).unwrap();
        }
    }

    #[test]
    fn malformed_notes_and_keys_are_named() {
        assert!(parse("origin\nnot a size\nAAAA\n").is_err());
        assert!(parse("origin\n1\n").is_err());
        assert!(VerifierKey::parse("name+00000000+AAAA").is_err());
        assert!(SigningKey::parse("name+1+2").is_err());
    }
}
