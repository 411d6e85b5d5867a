// SPDX-License-Identifier: AGPL-3.0-or-later

import AmanatCrypto
import AmanatProtocol
import AmanatTerminal
import Synchronization

/// Who may use the local web UI: one login token, printed to the terminal and good once, trades
/// for a session cookie; each session has its own CSRF token for every form. Tokens are 32
/// random bytes and compared in constant time. Held in memory only: stopping `serve` ends them.
final class WebSessions: Sendable {
    struct Session: Sendable {
        let id: [UInt8]
        let csrf: [UInt8]
        var language: Language
    }

    private struct State {
        var loginToken: [UInt8]?
        var sessions: [Session] = []
    }

    private let state: Mutex<State>
    /// The most sessions at once (each login link works once, so this is generous).
    private let maximumSessions = 16

    /// The one-time login token, base64url.
    let loginToken: String

    init() {
        let token = SecureRandom.bytes(count: 32)
        loginToken = Base64URL.encode(token)
        state = Mutex(State(loginToken: token))
    }

    /// Trades the login token for a new session, once.
    func logIn(_ presented: String, language: Language) -> Session? {
        guard let bytes = Base64URL.decode(presented) else { return nil }
        return state.withLock { state in
            guard let token = state.loginToken, ConstantTime.equals(token, bytes) else { return nil }
            state.loginToken = nil
            let session = Session(
                id: SecureRandom.bytes(count: 32), csrf: SecureRandom.bytes(count: 32), language: language)
            state.sessions.append(session)
            if state.sessions.count > maximumSessions { state.sessions.removeFirst() }
            return session
        }
    }

    /// The session a cookie value names.
    func session(_ cookie: String?) -> Session? {
        guard let cookie, let bytes = Base64URL.decode(cookie) else { return nil }
        return state.withLock { state in
            // Every session is compared, so the time does not say which one matched.
            var found: Session?
            for session in state.sessions where ConstantTime.equals(session.id, bytes) { found = session }
            return found
        }
    }

    /// Whether `presented` is `session`'s CSRF token.
    func checkCSRF(_ presented: String?, for session: Session) -> Bool {
        guard let presented, let bytes = Base64URL.decode(presented) else { return false }
        return ConstantTime.equals(session.csrf, bytes)
    }

    func setLanguage(_ language: Language, for session: Session) {
        state.withLock { state in
            for index in state.sessions.indices where state.sessions[index].id == session.id {
                state.sessions[index].language = language
            }
        }
    }
}
