//! AUTHENTICATE (RFC 9051 §6.2.2): SASL PLAIN (RFC 4616), LOGIN, and SCRAM-SHA-256 (RFC 7677),
//! with SASL-IR (RFC 4959). The exchange talks with the client between the command and its
//! answer (challenges and responses), so it lives with the session; the credential checks are
//! `crate::auth`'s, shared with LOGIN.

use super::Session;
use crate::auth::{admissible, check, failed, logged_in};
use crate::reply::Reply;
use crate::state::User;
use base64::Engine;
use imap_proto::command::InitialResponse;
use imap_proto::response::Code;
use tokio::io::{AsyncRead, AsyncWrite};

impl<S: AsyncRead + AsyncWrite + Unpin + Send> Session<S> {
    /// AUTHENTICATE mechanism [initial-response]: PLAIN, LOGIN or SCRAM-SHA-256.
    pub(crate) async fn authenticate(
        &mut self,
        mechanism: &str,
        initial: Option<InitialResponse>,
    ) -> std::io::Result<Reply> {
        match mechanism {
            "PLAIN" => {}
            "LOGIN" => return self.login_mechanism(initial).await,
            "SCRAM-SHA-256" => return self.scram_sha256(initial).await,
            _ => {
                return Ok(
                    Reply::no(format!("mechanism {mechanism} is not supported")).code(Code::Cannot)
                );
            }
        }
        let data = match self.first_response(initial).await? {
            Ok(d) => d,
            Err(r) => return Ok(r),
        };
        // RFC 4616: [authzid] NUL authcid NUL passwd
        let parts: Vec<&[u8]> = data.split(|&b| b == 0).collect();
        let [authz, authc, pass] = parts[..] else {
            return Ok(Reply::bad("malformed PLAIN response"));
        };
        if !authz.is_empty() && !authz.eq_ignore_ascii_case(authc) {
            return Ok(Reply::no("cannot act as another user").code(Code::AuthorizationFailed));
        }
        Ok(self.password_login(authc, pass).await)
    }

    /// Checks a user name and password and logs the user in.
    async fn password_login(&mut self, user: &[u8], pass: &[u8]) -> Reply {
        let p = self.parts();
        match check(&p.cx, user, pass).await {
            Ok(user) => logged_in(&p.cx, p.slot, user),
            Err(r) => r,
        }
    }

    /// The client's first response: the SASL-IR initial response, or the answer to an empty
    /// challenge.
    async fn first_response(
        &mut self,
        initial: Option<InitialResponse>,
    ) -> std::io::Result<Result<Vec<u8>, Reply>> {
        Ok(match initial {
            Some(InitialResponse::Data(d)) => Ok(d),
            Some(InitialResponse::Empty) => Ok(Vec::new()),
            None => return self.challenge(b"").await,
        })
    }

    /// Sends a SASL challenge (`+ base64`) and reads the client's base64 response: the decoded
    /// octets, or the reply for a cancelled (`*`), broken or closed exchange.
    async fn challenge(&mut self, text: &[u8]) -> std::io::Result<Result<Vec<u8>, Reply>> {
        let b64 = base64::engine::general_purpose::STANDARD;
        self.out
            .raw(b"+ ")
            .raw(b64.encode(text).as_bytes())
            .raw(b"\r\n");
        self.flush().await?;
        // A stop does not wait for a client that is slow to answer: the exchange ends with NO
        // and the session says BYE at once.
        let stopping = self.shared.stopping.clone();
        let line = tokio::select! {
            line = self.read_line() => line?,
            () = stopping.stopped() => {
                return Ok(Err(Reply::no("the server is shutting down").code(Code::Unavailable)));
            }
        };
        let Some(line) = line else {
            return Ok(Err(Reply::bad("connection closed during authentication")));
        };
        if &line[..] == b"*" {
            return Ok(Err(Reply::bad("authentication cancelled")));
        }
        Ok(b64
            .decode(&line)
            .map_err(|_| Reply::bad("the response is not base64")))
    }

    /// The LOGIN SASL mechanism (draft-murchison-sasl-login, what Outlook and older clients
    /// use): user name and password, each in answer to a challenge; a SASL-IR initial response
    /// is the user name.
    async fn login_mechanism(
        &mut self,
        initial: Option<InitialResponse>,
    ) -> std::io::Result<Reply> {
        let user = match initial {
            Some(InitialResponse::Data(d)) => d,
            Some(InitialResponse::Empty) => Vec::new(),
            None => match self.challenge(b"Username:").await? {
                Ok(d) => d,
                Err(r) => return Ok(r),
            },
        };
        let pass = match self.challenge(b"Password:").await? {
            Ok(d) => d,
            Err(r) => return Ok(r),
        };
        Ok(self.password_login(&user, &pass).await)
    }

    /// SCRAM-SHA-256 (RFC 7677): client-first (or the SASL-IR initial response), our
    /// challenge, the client's proof, our signature as a last challenge that the client answers
    /// with an empty line, then the tagged OK (RFC 9051 §6.2.2).
    async fn scram_sha256(&mut self, initial: Option<InitialResponse>) -> std::io::Result<Reply> {
        use crate::scram::{ClientFirst, ScramError, Verifier};
        let first = match self.first_response(initial).await? {
            Ok(d) => d,
            Err(r) => return Ok(r),
        };
        let first = match ClientFirst::parse(&first) {
            Ok(f) => f,
            Err(ScramError::Authorization) => {
                return Ok(Reply::no("cannot act as another user").code(Code::AuthorizationFailed));
            }
            Err(e) => return Ok(Reply::bad(e.to_string())),
        };
        let username = store::rules::names::canonical_address(&first.username);
        let creds = {
            let p = self.parts();
            if let Err(r) = admissible(&p.cx, &username).await {
                return Ok(r);
            }
            match p.cx.store().credentials(&username).await {
                Ok(c) => c,
                Err(e) => return Ok(crate::errors::store_reply(e)),
            }
        };
        let verifier = creds.as_ref().and_then(|c| c.scram_sha256.as_deref());
        if creds.is_some() && verifier.is_none() {
            tracing::info!(session = self.id, user = ?username,
                "no SCRAM verifier yet: the user must log in once with a password mechanism");
        }
        let verifier = verifier
            .and_then(Verifier::decode)
            .unwrap_or_else(|| Verifier::decoy(&username));
        let (exchange, server_first) = first.challenge(verifier);
        let client_final = match self.challenge(server_first.as_bytes()).await? {
            Ok(d) => d,
            Err(r) => return Ok(r),
        };
        let (server_final, c) = match (exchange.finish(&client_final), creds) {
            (Ok(v), Some(c)) => (v, c),
            (Err(e @ ScramError::Malformed(_)), _) => return Ok(Reply::bad(e.to_string())),
            _ => return Ok(failed(&self.parts().cx, &username).await),
        };
        // The client checks our signature and answers with an empty response.
        match self.challenge(server_final.as_bytes()).await? {
            Ok(d) if d.is_empty() => {}
            Ok(_) => {
                return Ok(Reply::bad(
                    "expected an empty response after the server signature",
                ));
            }
            Err(r) => return Ok(r),
        }
        let p = self.parts();
        let user = User {
            account: c.account,
            address: c.address,
        };
        Ok(logged_in(&p.cx, p.slot, user))
    }
}
