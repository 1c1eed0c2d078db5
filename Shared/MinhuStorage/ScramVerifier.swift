import Foundation

/// The SCRAM-SHA-256 verifier PostgreSQL stores for a password (`pg_authid.rolpassword`), computed on the client
/// as `psql`'s `\password` does, so that `CREATE ROLE … PASSWORD` carries the verifier and the server (and its
/// statement log) never sees the password itself.
///
/// Format (RFC 5803, PostgreSQL's `scram_build_secret`):
/// `SCRAM-SHA-256$<iterations>:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>`, where
/// SaltedPassword = PBKDF2-HMAC-SHA-256(password, salt, iterations), StoredKey = SHA-256(HMAC(SaltedPassword,
/// "Client Key")) and ServerKey = HMAC(SaltedPassword, "Server Key"). PostgreSQL first applies SASLprep to the
/// password, which leaves printable ASCII unchanged: `SecretFile` admits nothing else.
public enum ScramVerifier {
    /// PostgreSQL's default (`scram_iterations`).
    public static let defaultIterations = 4096

    /// The verifier of `password` with a fresh random 16-byte salt.
    public static func make(password: String, iterations: Int = defaultIterations) -> String {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return make(password: password, salt: salt, iterations: iterations)
    }

    /// The verifier of `password` with `salt`.
    public static func make(password: String, salt: [UInt8], iterations: Int) -> String {
        let salted = pbkdf2(password: Array(password.utf8), salt: salt, iterations: iterations)
        let clientKey = hmac(key: salted, message: Array("Client Key".utf8))
        let storedKey = Data(SHA256.digest(clientKey))
        let serverKey = Data(hmac(key: salted, message: Array("Server Key".utf8)))
        return "SCRAM-SHA-256$\(iterations):\(Data(salt).base64EncodedString())$"
            + "\(storedKey.base64EncodedString()):\(serverKey.base64EncodedString())"
    }

    /// The salt and iterations of a stored verifier, nil when `verifier` is not a well-formed SCRAM-SHA-256 verifier
    /// (PostgreSQL would store anything else given as a password as a password to hash, not as a verifier).
    public static func parameters(of verifier: String) -> (salt: [UInt8], iterations: Int)? {
        guard verifier.hasPrefix("SCRAM-SHA-256$") else { return nil }
        let parts = verifier.dropFirst("SCRAM-SHA-256$".count).split(separator: "$")
        guard parts.count == 2 else { return nil }
        let head = parts[0].split(separator: ":")
        let keys = parts[1].split(separator: ":", omittingEmptySubsequences: false)
        guard head.count == 2, let iterations = Int(head[0]), iterations > 0,
              let salt = Data(base64Encoded: String(head[1])), !salt.isEmpty,
              keys.count == 2, keys.allSatisfy({ Data(base64Encoded: String($0))?.count == 32 }) else { return nil }
        return ([UInt8](salt), iterations)
    }

    /// PBKDF2 (RFC 8018) with HMAC-SHA-256, one 32-byte block.
    static func pbkdf2(password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        var block = hmac(key: password, message: salt + [0, 0, 0, 1])
        var result = block
        for _ in 1..<max(iterations, 1) {
            block = hmac(key: password, message: block)
            for index in result.indices { result[index] ^= block[index] }
        }
        return result
    }

    /// HMAC-SHA-256 (RFC 2104) on MinhuStorage's `SHA256`.
    static func hmac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var block = key.count > 64 ? SHA256.digest(key) : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        let inner = SHA256.digest(block.map { $0 ^ 0x36 } + message)
        return SHA256.digest(block.map { $0 ^ 0x5C } + inner)
    }
}
